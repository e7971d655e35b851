package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce"
)

// The SDK program of TestCommandAndSDKLockEachOther is this test binary run
// again with these variables: sdkModeEnv says what it does, sdkDirEnv is
// the command's journal directory (where the command keeps its locks) and
// sdkScopeEnv the contact center it rotates.
const (
	sdkModeEnv  = "VOICECERT_TEST_SDK_MODE"
	sdkDirEnv   = "VOICECERT_TEST_SDK_DIR"
	sdkScopeEnv = "VOICECERT_TEST_SDK_SCOPE"
)

// Exit codes and output of the SDK program.
const (
	sdkLockedOut = 3
	sdkRan       = 4
	sdkHolding   = "holding the locks"
)

// TestCommandAndSDKLockEachOther runs the voicecert command and a program
// built on the SDK as two processes against one sandbox org, each rotating
// a contact center in another AWS account, so that the org is all their
// locks have in common. The command reaches the org through its instance
// URL and sets no org id; the program sets the 18-character OrgID, as the
// sandbox's own SDK users do. Whichever holds its locks first locks the
// other out before it changes anything.
func TestCommandAndSDKLockEachOther(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a second process")
	}
	// Every app pins its own certificate and sits in its own account: a
	// rotation of one contact center leaves the others' trusts alone and
	// stops at a manual gate, where it holds its locks.
	w := sandboxEnv(t, sandbox.Options{ContactCenters: 3, Accounts: 3, Pinned: 3})
	require.NotEqual(t, w.ContactCenters[0].Account, w.ContactCenters[1].Account)

	t.Run("the SDK program holds", func(t *testing.T) {
		dir := t.TempDir()
		sdk := startSDK(t, "hold", dir, w.ContactCenters[1].Name)
		before := w.Snapshot()
		out, errOut, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048",
			"--contact-center", w.ContactCenters[0].Name, "--manual-timeout", "5s")
		assert.Equal(t, exitNo, code, "the command is locked out: %s\n%s", out, errOut)
		assert.Contains(t, errOut, "held by pid")
		assert.Equal(t, before, w.Snapshot(), "the locked-out command changed nothing")
		sdk.release(t)
	})
	t.Run("the command holds", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(t.Context())
		atGate := &signalWriter{match: "waiting for a person", seen: make(chan struct{})}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048",
				"--contact-center", w.ContactCenters[0].Name}, strings.NewReader(""), io.Discard, atGate)
		}()
		select {
		case <-atGate.seen:
		case code := <-done:
			t.Fatalf("the command ended (exit %d) before its manual gate:\n%s", code, atGate.String())
		case <-time.After(time.Minute):
			t.Fatalf("the command did not reach its manual gate within a minute:\n%s", atGate.String())
		}
		before := w.Snapshot()
		cmd := sdkCommand(t, "try", dir, w.ContactCenters[1].Name)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "the SDK program ran while the command held the org:\n%s", out)
		assert.Equal(t, sdkLockedOut, ee.ExitCode(), "%s", out)
		assert.Contains(t, string(out), "locked")
		assert.Equal(t, before, w.Snapshot(), "the locked-out SDK program changed nothing")
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("the cancelled command did not end within a minute")
		}
	})
}

// sdkProcess is a running SDK program holding its locks.
type sdkProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bytes.Buffer
}

// startSDK starts the SDK program in mode and waits until it holds its
// locks.
func startSDK(t *testing.T, mode, dir, scope string) *sdkProcess {
	t.Helper()
	cmd := sdkCommand(t, mode, dir, scope)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	p := &sdkProcess{cmd: cmd, stdin: stdin, out: &bytes.Buffer{}}
	cmd.Stderr = p.out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(time.Minute)
	for {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "the SDK program ended before holding its locks")
			if line == sdkHolding {
				go func() {
					for range lines {
					}
				}()
				return p
			}
		case <-deadline:
			t.Fatal("the SDK program did not take its locks within a minute")
		}
	}
}

// release lets the held SDK program end and waits for it.
func (p *sdkProcess) release(t *testing.T) {
	t.Helper()
	require.NoError(t, p.stdin.Close())
	err := p.cmd.Wait()
	require.NoError(t, err, "the SDK program: %s", p.out)
}

func sdkCommand(t *testing.T, mode, dir, scope string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestSDKProgram$")
	cmd.Env = append(os.Environ(), sdkModeEnv+"="+mode, sdkDirEnv+"="+dir, sdkScopeEnv+"="+scope)
	return cmd
}

// TestSDKProgram is the SDK program: it runs only as the child process of
// TestCommandAndSDKLockEachOther. It builds its plan from the sandbox's
// environment with the salesforce and aws packages, locks the keys of
// OrgPlan.LockKeys with a FileLocker in the command's lock directory, and
// runs the rotation. In mode "hold" it holds its locks until its stdin
// closes, then stops before changing anything; in mode "try" it exits
// sdkLockedOut when locked out.
func TestSDKProgram(t *testing.T) {
	mode := os.Getenv(sdkModeEnv)
	if mode == "" {
		t.Skip("runs as the child process of TestCommandAndSDKLockEachOther")
	}
	ctx := t.Context()
	plan, err := sdkPlan(ctx, os.Getenv(sdkScopeEnv))
	require.NoError(t, err)
	keys, err := plan.LockKeys(ctx)
	require.NoError(t, err)
	opts := []rotation.Option{rotation.WithLocker(rotation.NewFileLocker(filepath.Join(os.Getenv(sdkDirEnv), "locks")), keys...),
		rotation.WithManualTimeout(5 * time.Second)}
	errReleased := errors.New("released by the test")
	if mode == "hold" {
		opts = append(opts, rotation.WithStepBefore(rotation.StepPreflight, rotation.StepFunc("hold", "hold the locks",
			func(context.Context, *rotation.State) error {
				fmt.Println(sdkHolding)
				_, _ = io.Copy(io.Discard, os.Stdin)
				return rotation.Permanent(errReleased)
			}, nil)))
	}
	r, err := rotation.New(plan.Steps(), opts...)
	require.NoError(t, err)
	err = r.Run(ctx, plan.NewState("sdk-"+mode))
	switch {
	case errors.Is(err, rotation.ErrLocked):
		fmt.Fprintln(os.Stderr, err)
		os.Exit(sdkLockedOut)
	case errors.Is(err, errReleased):
		return
	case err == nil:
		os.Exit(sdkRan)
	}
	t.Fatal(err)
}

// sdkPlan builds an org plan the way a program using the SDK would, from
// the environment `voicecert sandbox` prints.
func sdkPlan(ctx context.Context, scope string) (*rotation.OrgPlan, error) {
	inst := os.Getenv("SALESFORCE_INSTANCE_URL")
	c, err := salesforce.NewClient(inst, salesforce.StaticToken(inst, os.Getenv("SALESFORCE_ACCESS_TOKEN")))
	if err != nil {
		return nil, err
	}
	idp := salesforce.NewProvider(c, func(o *salesforce.ProviderOptions) { o.OrgID = sandbox.OrgID })
	var rps []*aws.RelyingParty
	for p := range strings.SplitSeq(os.Getenv("VOICECERT_AWS_PROFILES"), ",") {
		acct, profile, _ := strings.Cut(p, "=")
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithSharedConfigProfile(profile))
		if err != nil {
			return nil, err
		}
		rps = append(rps, aws.New(cfg, func(o *aws.Options) { o.Account = acct }))
	}
	m, err := aws.NewMulti(rps...)
	if err != nil {
		return nil, err
	}
	return rotation.NewOrgPlan(idp, m, rotation.WithContactCenters(scope), rotation.WithKeyBits(2048))
}

// signalWriter collects what is written and closes seen once it holds
// match.
type signalWriter struct {
	match string
	seen  chan struct{}

	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
}

func (s *signalWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.buf.Write(p)
	if strings.Contains(s.buf.String(), s.match) {
		s.once.Do(func() { close(s.seen) })
	}
	return n, err
}

func (s *signalWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
