package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/samlmeta"
)

// cli runs the command in-process and returns its output and exit status.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), code
}

// sandboxEnv starts a sandbox and points the process environment at it the
// way `voicecert sandbox` tells a person to.
func sandboxEnv(t *testing.T, o sandbox.Options) *sandbox.World {
	t.Helper()
	w, err := sandbox.Start(t.Context(), o)
	require.NoError(t, err)
	t.Cleanup(w.Close)
	var env bytes.Buffer
	require.NoError(t, writeSandboxEnv(&env, w, nil, t.TempDir()))
	setExports(t, env.String())
	return w
}

// setExports applies `export K='V'` lines with t.Setenv.
func setExports(t testing.TB, lines string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(lines), "\n") {
		kv, ok := strings.CutPrefix(line, "export ")
		require.True(t, ok, line)
		k, v, ok := strings.Cut(kv, "=")
		require.True(t, ok, line)
		t.Setenv(k, strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'"))
	}
}

type checkJSONOut struct {
	Healthy bool `json:"healthy"`
	Reasons []struct {
		ContactCenter string `json:"contactCenter"`
		Reason        string `json:"reason"`
	} `json:"reasons"`
	Report struct {
		ContactCenters []struct {
			ContactCenter struct {
				Name string `json:"name"`
			} `json:"contactCenter"`
			Pinned      bool     `json:"pinned"`
			TrustAgrees bool     `json:"trustAgrees"`
			Problems    []string `json:"problems"`
			Effective   struct {
				DaysLeft    int `json:"daysLeft"`
				Certificate struct {
					SHA256 string `json:"sha256"`
					DER    []byte `json:"der"`
				} `json:"certificate"`
			} `json:"effective"`
		} `json:"contactCenters"`
	} `json:"report"`
}

func checkJSONRun(t *testing.T, args ...string) (checkJSONOut, int) {
	t.Helper()
	out, stderr, code := cli(t, "", append([]string{"check", "--json"}, args...)...)
	var r checkJSONOut
	env := envelopeOf(t, out, "check", &r)
	require.Equal(t, code, env.ExitStatus, stderr)
	return r, code
}

func TestCheckHealthyExitsZero(t *testing.T) {
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	out, stderr, code := cli(t, "", "check", "--within", "30d")
	require.Equal(t, 0, code, "stdout %s stderr %s", out, stderr)
	for _, name := range []string{"ContactCenter01", "ContactCenter02", "ContactCenter03"} {
		assert.Contains(t, out, name)
	}
	assert.Contains(t, out, "agrees")
	assert.NotContains(t, out, "DISAGREES")
}

func TestCheckReportsPinnedApp(t *testing.T) {
	sandboxEnv(t, sandbox.Options{})
	r, code := checkJSONRun(t, "--within", "30d")
	assert.Equal(t, 1, code)
	assert.False(t, r.Healthy)
	require.Len(t, r.Report.ContactCenters, 3)
	pinned := r.Report.ContactCenters[2]
	assert.Equal(t, "ContactCenter03", pinned.ContactCenter.Name)
	assert.True(t, pinned.Pinned)
	assert.Contains(t, strings.Join(pinned.Problems, " "), "pinned")
	assert.Empty(t, pinned.Effective.Certificate.DER, "the JSON report leaves certificates' DER out")
	assert.False(t, r.Report.ContactCenters[0].Pinned)
}

func TestCheckReportsExpiringCertificate(t *testing.T) {
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	// The sandbox's certificates last a year.
	r, code := checkJSONRun(t, "--within", "400d")
	assert.Equal(t, 1, code)
	assert.False(t, r.Healthy)
	// Every row is "ok" by the thresholds; the reason is --within, named.
	require.Len(t, r.Reasons, 3)
	assert.Contains(t, r.Reasons[0].Reason, "within --within 400d")
	out, _, code := cli(t, "", "check", "--within", "400d")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "! ContactCenter01: certificate SelfSignedCert_Previous expires")
	assert.InDelta(t, 365, r.Report.ContactCenters[0].Effective.DaysLeft, 2)
	_, code = checkJSONRun(t, "--within", "300d")
	assert.Equal(t, 0, code)
}

func TestCheckReportsIAMDisagreement(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	// Account 2's provider is made to trust only a stranger's certificate.
	ref := rotation.TrustRef{Account: w.Accounts[1], ARN: w.ContactCenters[1].ProviderARN}
	snap, err := w.RP.Trust(t.Context(), ref)
	require.NoError(t, err)
	md, err := samlmeta.Parse(snap.Document)
	require.NoError(t, err)
	require.NoError(t, md.SetSigningCertificates(strangerCert(t)))
	require.NoError(t, w.RP.SetTrust(t.Context(), ref, md.Bytes()))

	r, code := checkJSONRun(t)
	assert.Equal(t, 1, code)
	byName := map[string]bool{}
	for _, c := range r.Report.ContactCenters {
		byName[c.ContactCenter.Name] = c.TrustAgrees
	}
	assert.Equal(t, map[string]bool{"ContactCenter01": true, "ContactCenter02": false, "ContactCenter03": true}, byName)

	out, _, code := cli(t, "", "check")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "DISAGREES")
	out, _, code = cli(t, "", "verify")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "ContactCenter02      FAIL")
}

func strangerCert(t *testing.T) *samlmeta.Cert {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "stranger"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := samlmeta.ParseCertDER(der)
	require.NoError(t, err)
	return c
}

func TestCheckWithoutCredentialsIsAUsageError(t *testing.T) {
	t.Setenv("SALESFORCE_INSTANCE_URL", "")
	t.Setenv("SALESFORCE_ACCESS_TOKEN", "")
	_, stderr, code := cli(t, "", "check")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no Salesforce credentials")
	_, _, code = cli(t, "", "check", "--log-format", "yaml")
	assert.Equal(t, exitUsage, code)
	// A malformed URL is reported as such, not as missing credentials.
	t.Setenv("SALESFORCE_INSTANCE_URL", "ht!tp://[broken")
	t.Setenv("SALESFORCE_ACCESS_TOKEN", "00Dx!token")
	_, stderr, code = cli(t, "", "check")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "SALESFORCE_INSTANCE_URL")
	assert.NotContains(t, stderr, "no Salesforce credentials")
}

func TestPlanChangesNothing(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	before := w.Snapshot()
	out, stderr, code := cli(t, "", "plan", "--strategy", "direct")
	require.Equal(t, 0, code, stderr)
	for _, step := range []string{"preflight", "stage", "activate", "trust", "verify"} {
		assert.Contains(t, out, step)
	}
	assert.Contains(t, out, "[pinned: a person will be asked]")
	assert.Equal(t, before, w.Snapshot())
	for _, c := range w.IAM.Calls() {
		assert.NotEqual(t, "UpdateSAMLProvider", c.Op)
	}
	for _, c := range w.Org.Calls() {
		assert.NotContains(t, []string{"createMetadata", "updateMetadata", "deleteMetadata"}, c.Op)
	}
	_, _, code = cli(t, "", "plan", "--key-bits", "3072")
	assert.Equal(t, exitUsage, code)
}

// plan shows every contact center, in scope or not, and under each step
// the transitions it makes: a subset keeps, in the provider it shares with
// the pinned contact center left out, the certificate that one signs with.
func TestPlanShowsTransitions(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	out, stderr, code := cli(t, "", "plan", "--contact-center", "ContactCenter01", "--contact-center", "ContactCenter02")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "contact center ContactCenter03")
	assert.Contains(t, out, "[out of scope, pinned: unchanged, its certificate stays trusted]")
	assert.Contains(t, out, "org default: {")
	shared := w.ContactCenters[0].ProviderARN
	assert.Contains(t, out, "trust "+shared+": {")
	assert.Regexp(t, `trust `+regexp.QuoteMeta(shared)+`: \{[^}]*new\} -> \{new, [^}]+\}`, out, "retire keeps ContactCenter03's certificate")
}

func TestRotateAsksFirst(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	dir := t.TempDir()
	out, _, code := cli(t, "n\n", "rotate", "--journal-dir", dir, "--key-bits", "2048")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "Proceed with the rotation? [y/N]")
	assert.Equal(t, before, w.Snapshot())

	out, stderr, code := cli(t, "y\n", "rotate", "--journal-dir", dir, "--key-bits", "2048")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	assert.Contains(t, out, "Rotated in")
	assert.Contains(t, stderr, "✔ retire")
	requireSandboxRotated(t, w, before)
	out, _, code = cli(t, "", "verify")
	assert.Equal(t, 0, code, out)

	// Straight away again: rotate says the org was just rotated and asks.
	rotated := w.Snapshot()
	out, _, code = cli(t, "n\n", "rotate", "--journal-dir", dir, "--key-bits", "2048")
	assert.Equal(t, exitNo, code)
	assert.Contains(t, out, "The org was rotated")
	assert.Contains(t, out, "Rotate again anyway? [y/N]")
	assert.Equal(t, rotated, w.Snapshot())
}

func TestRotateIfExpiringWithin(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	dir := t.TempDir()
	for _, policy := range [][]string{{"--if-expiring-within=30d"}, {"--if-expiring-within", "30d"}, {"--if-expiring-within", "auto"}} {
		out, stderr, code := cli(t, "", append([]string{"rotate", "--yes", "--journal-dir", dir}, policy...)...)
		require.Equal(t, 0, code, stderr)
		assert.Contains(t, out, "Nothing to do")
		assert.Equal(t, before, w.Snapshot(), policy)
	}
	out, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--if-expiring-within=400d")
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	assert.Contains(t, out, "Renewal due")
	requireSandboxRotated(t, w, before)
}

// requireSandboxRotated checks that exactly one new certificate was made
// and that the org, every app and every IAM document now use only it.
func requireSandboxRotated(t *testing.T, w *sandbox.World, before sandbox.Snapshot) {
	t.Helper()
	after := w.Snapshot()
	require.Len(t, after.Org.Certificates, len(before.Org.Certificates)+1)
	newName := after.Org.DefaultCertificate
	require.NotEqual(t, before.Org.DefaultCertificate, newName)
	for app, cert := range after.Org.AppCertificates {
		assert.Equal(t, newName, cert, app)
	}
	for arn, doc := range after.IAM {
		md, err := samlmeta.Parse([]byte(doc))
		require.NoError(t, err)
		certs, err := md.SigningCertificates()
		require.NoError(t, err)
		require.Len(t, certs, 1, arn)
		assert.Equal(t, after.Org.Certificates[newName], certs[0].SHA256, arn)
	}
}

// Killing `rotate` with SIGKILL mid-run leaves a journal from which
// `resume` completes the rotation, or `rollback` restores the start.
func TestRotateKilledThenResumeOrRollback(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the command")
	}
	bin := binary(t)
	for _, mode := range []string{"resume", "rollback"} {
		t.Run(mode, func(t *testing.T) {
			// Latency makes the run long enough to be killed mid-way.
			w := sandboxEnv(t, sandbox.Options{Pinned: -1, Latency: 15 * time.Millisecond})
			before := w.Snapshot()
			dir := t.TempDir()
			cmd := exec.Command(bin, "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			journal := waitForStep(t, dir, rotation.StepTrust)
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			err := cmd.Wait()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "killed, not finished: %s", stderr.String())
			assert.NotEqual(t, before, w.Snapshot(), "killed after a change")

			out, errOut, code := cli(t, "", mode, "--journal", journal)
			require.Equal(t, exitNo, code, "the dead process's lock is not broken silently: %s %s", out, errOut)
			assert.Contains(t, errOut, fmt.Sprintf("held by pid %d", cmd.Process.Pid))
			assert.Contains(t, errOut, "that process is not running")
			assert.Contains(t, errOut, "voicecert "+mode+" --journal "+journal+" --break-lock")

			out, errOut, code = cli(t, "", mode, "--journal", journal, "--break-lock")
			require.Equal(t, 0, code, "%s\n%s", out, errOut)
			assert.Contains(t, errOut, "Breaking the lock")
			if mode == "resume" {
				requireSandboxRotated(t, w, before)
			} else {
				assert.Equal(t, before, w.Snapshot())
			}
		})
	}
}

// waitForStep polls the journal directory until a journal records step as
// done, and returns the journal's path.
func waitForStep(t *testing.T, dir, step string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "rotation-*.json"))
		for _, f := range files {
			rec, err := rotation.LoadJournal(f)
			if err != nil {
				continue
			}
			for _, s := range rec.Steps {
				if s.Name == step && s.Status == rotation.StepDone {
					return f
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no journal in %s recorded step %s done", dir, step)
	return ""
}
