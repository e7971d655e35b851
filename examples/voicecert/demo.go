package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/internal/sandbox"
	"github.com/voicecert/voicecert/rotation"
)

// demoResult is what `demo --json` prints.
type demoResult struct {
	Strategy       string       `json:"strategy"`
	ContactCenters int          `json:"contactCenters"`
	Accounts       int          `json:"accounts"`
	Result         string       `json:"result"`
	Error          string       `json:"error,omitempty"`
	ElapsedMs      int64        `json:"elapsedMs"`
	SSOProbe       probeResult  `json:"ssoProbe"`
	Previous       certSummary  `json:"previousCertificate"`
	New            certSummary  `json:"newCertificate"`
	ManualGates    int          `json:"manualGates"`
	Steps          []stepTiming `json:"steps"`
	Verified       bool         `json:"verified"`
}

type probeResult struct {
	Attempts     int    `json:"attempts"`
	Failures     int    `json:"failures"`
	IntervalMs   int64  `json:"intervalMs"`
	FirstFailure string `json:"firstFailure,omitempty"`
}

type certSummary struct {
	Name     string    `json:"name"`
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"notAfter"`
	KeyBits  int       `json:"keyBits"`
}

func summarize(c rotation.Certificate) certSummary {
	return certSummary{Name: c.Name, SHA256: c.SHA256, NotAfter: c.NotAfter, KeyBits: c.KeyBits}
}

func (a *app) newDemoCmd() *cobra.Command {
	var (
		strategy      string
		n, accounts   int
		asJSON        bool
		probeInterval time.Duration
		latency       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Rotate a sandbox org end to end while an SSO probe signs in every 10 ms",
		Long: `demo starts a fake Salesforce org and a fake AWS IAM on loopback, seeds contact centers
(one of them pinned to its own certificate) in two AWS accounts, and runs check, rotate and
verify with the real salesforce and aws packages. Meanwhile an SSO probe signs in to every
contact center through the org's IdP-initiated login and the fake AWS sign-in endpoint, so the
summary shows what agents would have seen. The demo plays the Salesforce admin at the pinned
app's manual gate, and says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.logLevelSet = cmd.Flags().Changed("log-level") || cmd.Flags().Changed("log-format")
			res, err := a.demo(cmd.Context(), strategy, n, accounts, probeInterval, latency, asJSON)
			if asJSON && res != nil {
				if jerr := writeJSON(a.stdout, res); jerr != nil {
					return jerr
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&strategy, "strategy", string(rotation.StrategyOverlap), "overlap or direct")
	cmd.Flags().IntVar(&n, "contact-centers", 3, "how many contact centers to seed")
	cmd.Flags().IntVar(&accounts, "accounts", 2, "how many AWS accounts they spread over")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of the narrative")
	cmd.Flags().DurationVar(&probeInterval, "probe-interval", 10*time.Millisecond, "how often each probe agent signs in")
	cmd.Flags().DurationVar(&latency, "latency", 2*time.Millisecond, "simulated network latency of every API call")
	return cmd
}

func freshKey(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }

func (a *app) demo(ctx context.Context, strategy string, n, accounts int, interval, latency time.Duration, asJSON bool) (*demoResult, error) {
	out := a.stdout
	if asJSON {
		out = io.Discard
	}
	log, err := a.conn.logger(a.stderr)
	if err != nil {
		return nil, err
	}
	if !a.logLevelSet {
		// The narrative already shows every event.
		log = slog.New(slog.DiscardHandler)
	}
	// baseline is how long the probe watches before and after the rotation.
	const baseline = 500 * time.Millisecond
	w, err := sandbox.Start(ctx, sandbox.Options{ContactCenters: n, Accounts: accounts, KeyGenerator: freshKey,
		Latency: latency, Logger: log})
	if err != nil {
		return nil, usageErr(err)
	}
	defer w.Close()
	fmt.Fprintf(out, "Sandbox: org %s at %s, IAM at %s; %d contact centers in %d AWS accounts.\n\n",
		sandbox.OrgID, w.Org.URL(), w.IAM.URL(), len(w.ContactCenters), len(w.Accounts))

	res := &demoResult{Strategy: strategy, ContactCenters: len(w.ContactCenters), Accounts: len(w.Accounts), Result: "failed"}
	start := a.now()
	probe := w.StartProbe(ctx, interval)
	res.SSOProbe.IntervalMs = interval.Milliseconds()
	stopProbe := func() {
		res.SSOProbe.Attempts, res.SSOProbe.Failures, res.SSOProbe.FirstFailure = probe.Stop()
	}
	defer func() {
		if probe != nil {
			stopProbe()
		}
	}()
	if err := sleep(ctx, baseline); err != nil {
		return res, err
	}

	b := &backends{idp: w.IdP, rp: w.RP, log: log}
	fmt.Fprintln(out, "== check")
	r, err := rotation.Check(ctx, b.idp, b.rp)
	if err != nil {
		return res, err
	}
	if err := printReport(out, r); err != nil {
		return res, err
	}
	plan, err := rotation.NewOrgPlan(b.idp, b.rp, rotation.WithStrategy(rotation.Strategy(strategy)), rotation.WithOrgLogger(log))
	if err != nil {
		return res, usageErr(err)
	}
	fmt.Fprintln(out, "\n== plan")
	if err := (&app{stdout: out}).printPlan(ctx, b, plan); err != nil {
		return res, err
	}

	fmt.Fprintln(out, "\n== rotate")
	dir, err := os.MkdirTemp("", "voicecert-demo-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	progOut := a.stderr
	if !asJSON {
		progOut = out
	}
	prog := newProgress(progOut)
	admin := func(ctx context.Context, req rotation.ManualRequest) error {
		res.ManualGates++
		for _, c := range req.Changes {
			fmt.Fprintf(progOut, "  (demo) playing the Salesforce admin: in Setup, app %s → IdP Certificate %s\n", c.App, c.Certificate)
		}
		// A person takes a moment.
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
		return w.PlayAdmin(ctx, req)
	}
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return res, err
	}
	rot, err := rotation.New(plan.Steps(), rotation.WithObserver(prog), rotation.WithLogger(log), rotation.WithConfirm(admin),
		rotation.WithJournal(rotation.FileJournal(filepath.Join(dir, "journal.json"))),
		rotation.WithLocker(rotation.NewFileLocker(dir), keys...),
		rotation.WithManualTimeout(time.Minute))
	if err != nil {
		return res, err
	}
	st := plan.NewState(a.now().UTC().Format("20060102T150405Z"))
	runErr := rot.Run(ctx, st)
	res.Steps = prog.Steps()
	res.Previous, res.New = summarize(st.OldDefault), summarize(st.New)
	if runErr != nil {
		res.Error = runErr.Error()
		fmt.Fprintf(out, "Rotation failed: %v\n", runErr)
	}

	fmt.Fprintln(out, "\n== verify")
	failed, verr := verifyAll(ctx, out, b, false)
	if verr != nil {
		return res, verr
	}
	res.Verified = failed == 0
	if err := sleep(ctx, baseline); err != nil {
		return res, err
	}
	stopProbe()
	probe = nil
	res.ElapsedMs = a.now().Sub(start).Milliseconds()
	if runErr == nil && res.Verified {
		res.Result = "success"
	}

	fmt.Fprintf(out, "\n== summary\nStrategy %s: %s in %s. New certificate %s (%s, %d bits, expires %s) replaced %s.\n",
		strategy, res.Result, time.Duration(res.ElapsedMs)*time.Millisecond, st.New.Name, st.New.SHA256, st.New.KeyBits,
		st.New.NotAfter.Format(time.DateOnly), st.OldDefault.Name)
	fmt.Fprintf(out, "SSO probe: %d sign-ins, %d failed", res.SSOProbe.Attempts, res.SSOProbe.Failures)
	if res.SSOProbe.Failures > 0 {
		fmt.Fprintf(out, " (first: %s)", res.SSOProbe.FirstFailure)
	}
	fmt.Fprintf(out, ".\nManual gates answered by the demo playing the admin: %d.\n", res.ManualGates)
	if res.Result != "success" {
		return res, &exitError{code: 1, err: errors.Join(runErr, fmt.Errorf("%d contact center(s) fail verification", failed))}
	}
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (a *app) newSandboxCmd() *cobra.Command {
	var (
		n, accounts int
		addr        string
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the demo's fake org and IAM until interrupted, printing how to reach them",
		Long: `sandbox starts the same fakes as demo, seeded the same way, prints shell lines to eval
(Salesforce instance URL and token, IAM endpoint, AWS keys, and an AWS config file with one
profile per account), and serves until interrupted. Point sf, aws, other clients or your own
code at it, for example:

    eval "$(voicecert sandbox > /tmp/sandbox.env & sleep 2; cat /tmp/sandbox.env)"
    voicecert check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log, err := a.conn.logger(a.stderr)
			if err != nil {
				return err
			}
			orgL, iamL, err := listenPair(addr)
			if err != nil {
				return usageErr(err)
			}
			w, err := sandbox.Start(ctx, sandbox.Options{ContactCenters: n, Accounts: accounts, Logger: log,
				OrgListener: orgL, IAMListener: iamL})
			if err != nil {
				orgL.Close()
				iamL.Close()
				return usageErr(err)
			}
			defer w.Close()
			dir, err := os.MkdirTemp("", "voicecert-sandbox-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			if err := writeSandboxEnv(a.stdout, w, dir); err != nil {
				return err
			}
			<-ctx.Done()
			fmt.Fprintln(a.stderr, "sandbox stopped")
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "contact-centers", 3, "how many contact centers to seed")
	cmd.Flags().IntVar(&accounts, "accounts", 2, "how many AWS accounts they spread over")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "HOST:PORT of the fake org; the fake IAM takes the next port (any free ports with port 0)")
	return cmd
}

// listenPair listens on addr for the org and on the next port (or any
// free port, for port 0) for IAM.
func listenPair(addr string) (org, iam net.Listener, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--addr %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65534 {
		return nil, nil, fmt.Errorf("--addr %q: bad port", addr)
	}
	if org, err = net.Listen("tcp", addr); err != nil {
		return nil, nil, err
	}
	next := 0
	if p != 0 {
		next = p + 1
	}
	if iam, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(next))); err != nil {
		org.Close()
		return nil, nil, err
	}
	return org, iam, nil
}

// writeSandboxEnv prints the shell lines that point clients at w, and
// writes an AWS shared config with a profile per account into dir.
func writeSandboxEnv(out io.Writer, w *sandbox.World, dir string) error {
	var cfg, creds strings.Builder
	var profiles []string
	accts := append([]string(nil), w.Accounts...)
	sort.Strings(accts)
	for _, acct := range accts {
		p := "sandbox-" + acct
		fmt.Fprintf(&cfg, "[profile %s]\nregion = us-east-1\nendpoint_url = %s\n\n", p, w.IAM.URL())
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", p, w.Credentials[acct][0], w.Credentials[acct][1])
		profiles = append(profiles, acct+"="+p)
	}
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(credFile, []byte(creds.String()), 0o600); err != nil {
		return err
	}
	first := w.Credentials[accts[0]]
	for _, kv := range [][2]string{
		{"SALESFORCE_INSTANCE_URL", w.Org.URL()},
		{"SALESFORCE_ACCESS_TOKEN", w.Org.AccessToken()},
		{"SALESFORCE_API_VERSION", "66.0"},
		{"AWS_ENDPOINT_URL_IAM", w.IAM.URL()},
		{"AWS_ACCESS_KEY_ID", first[0]},
		{"AWS_SECRET_ACCESS_KEY", first[1]},
		{"AWS_REGION", "us-east-1"},
		{"AWS_CONFIG_FILE", cfgFile},
		{"AWS_SHARED_CREDENTIALS_FILE", credFile},
		{"VOICECERT_AWS_PROFILES", strings.Join(profiles, ",")},
	} {
		fmt.Fprintf(out, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
