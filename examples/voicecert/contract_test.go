package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// blackhole listens on loopback, accepts every connection and never
// answers; it returns its address.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// The default timeouts are documented in --help and in the README.
func TestDefaultTimeoutsAreDocumented(t *testing.T) {
	out, _, code := cli(t, "", "check", "--help")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, `--timeout duration `)
	assert.Contains(t, out, "(default "+formatDuration(defaultTimeout)+")")
	assert.Contains(t, out, "(default "+formatDuration(defaultConnectTimeout)+")")
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "`--timeout` (default "+formatDuration(defaultTimeout)+")")
	assert.Contains(t, string(readme), "`--connect-timeout` (default "+formatDuration(defaultConnectTimeout)+")")
}

// An endpoint that accepts connections and never answers fails the command
// within the timeout (plus 5 s), with an error naming its host, for
// Salesforce and for IAM.
func TestSilentEndpointFailsWithinTheTimeout(t *testing.T) {
	const timeout = 2 * time.Second
	for _, service := range []string{"Salesforce", "AWS IAM"} {
		t.Run(service, func(t *testing.T) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			host := blackhole(t)
			if service == "Salesforce" {
				t.Setenv("SALESFORCE_INSTANCE_URL", "http://"+host)
			} else {
				t.Setenv("AWS_ENDPOINT_URL_IAM", "http://"+host)
			}
			start := time.Now()
			_, stderr, code := cli(t, "", "check", "--timeout", formatDuration(timeout))
			elapsed := time.Since(start)
			assert.Equal(t, exitError, code, stderr)
			assert.Less(t, elapsed, timeout+5*time.Second)
			assert.Contains(t, stderr, service+" at "+host+": no answer within 2s")
			assert.Contains(t, stderr, "hint:")
		})
	}
}

// A name that does not resolve is not retried.
func TestUnresolvableHostIsNotRetried(t *testing.T) {
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	t.Setenv("SALESFORCE_INSTANCE_URL", "https://no-such-host.invalid")
	_, stderr, code := cli(t, "", "check", "--log-level", "debug")
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "Salesforce at no-such-host.invalid: the name no-such-host.invalid does not resolve")
	assert.NotContains(t, stderr, "retry", "a DNS failure is final")
}

// Every row of the exit-status contract, reached the way an operator
// reaches it.
func TestExitStatusContract(t *testing.T) {
	rows := []struct {
		name string
		want int
		run  func(t *testing.T) (stdout, stderr string, code int)
	}{
		{"healthy check", exitOK, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			return cli(t, "", "check")
		}},
		{"nothing due", exitOK, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{})
			return cli(t, "", "rotate", "--yes", "--journal-dir", t.TempDir(), "--if-expiring-within", "30d")
		}},
		{"unhealthy check", exitNo, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{})
			return cli(t, "", "check")
		}},
		{"n at the prompt", exitNo, func(t *testing.T) (string, string, int) {
			w := sandboxEnv(t, sandbox.Options{Pinned: -1})
			before := w.Snapshot()
			stdout, stderr, code := cli(t, "n\n", "rotate", "--journal-dir", t.TempDir())
			assert.Equal(t, before, w.Snapshot())
			assert.Contains(t, stderr, "not confirmed: nothing changed")
			return stdout, stderr, code
		}},
		{"lock held by a running process", exitNo, func(t *testing.T) (string, string, int) {
			if testing.Short() {
				t.Skip("runs a second process")
			}
			w := sandboxEnv(t, sandbox.Options{Pinned: -1})
			dir := t.TempDir()
			// Another rotate of the org holds the locks while it soaks.
			holder := startTerminal(t, processEnv(t, w), "rotate", "--yes", "--journal-dir", dir, "--soak", "1m")
			waitJournal(t, dir, rotation.StepSoak, rotation.StepRunning, holder.done)
			stdout, stderr, code := cli(t, "", "rotate", "--yes", "--force", "--journal-dir", dir)
			assert.Contains(t, stderr, fmt.Sprintf("held by pid %d", holder.cmd.Process.Pid))
			assert.Contains(t, stderr, "that process is running")
			assert.Contains(t, stderr, "voicecert rotate --yes --force --journal-dir "+dir+" --break-lock")
			assert.NotContains(t, stderr+stdout, "Journal:", "no journal was written")
			return stdout, stderr, code
		}},
		{"precondition refused", exitNo, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			_, planErr, planCode := cli(t, "", "plan", "--contact-center", "ContactCenter01")
			stdout, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", t.TempDir(), "--contact-center", "ContactCenter01")
			assert.Equal(t, code, planCode, "plan refuses what rotate refuses")
			const why = `contact center "ContactCenter02" is out of scope but its app follows the org default certificate`
			assert.Contains(t, planErr, why)
			assert.Contains(t, stderr, why)
			return stdout, stderr, code
		}},
		{"repeat rotation with --yes", exitNo, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			dir := t.TempDir()
			out, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048")
			require.Equal(t, exitOK, code, out, stderr)
			stdout, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048")
			assert.Contains(t, stderr, "The org was rotated")
			assert.Contains(t, stderr, "--force")
			return stdout, stderr, code
		}},
		{"failed and rolled back", exitNo, func(t *testing.T) (string, string, int) {
			w := sandboxEnv(t, sandbox.Options{})
			before := w.Snapshot()
			// Nobody changes the pinned app: the manual gate times out.
			stdout, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", t.TempDir(), "--key-bits", "2048", "--manual-timeout", "1s")
			assert.Equal(t, before, w.Snapshot())
			assert.Contains(t, stderr, "rotation failed at step activate")
			assert.Contains(t, stderr, "rolled back completely")
			assert.NotContains(t, stderr, `step "activate" failed: step "activate"`)
			assert.Contains(t, stderr, "hint: ", "the cause's hint survives the summary")
			return stdout, stderr, code
		}},
		{"interrupted", exitNo, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			ctx, cancel := context.WithCancelCause(t.Context())
			in := newInterrupts()
			in.deliver(os.Interrupt)
			cancel(in.cause())
			var out, errOut strings.Builder
			code := run(withInterrupts(ctx, in), []string{"check"}, strings.NewReader(""), &out, &errOut)
			assert.Contains(t, errOut.String(), "interrupted (SIGINT): stopped before changing anything")
			return out.String(), errOut.String(), code
		}},
		{"something left applied", exitApplied, func(t *testing.T) (string, string, int) {
			if testing.Short() {
				t.Skip("runs the command on a terminal")
			}
			return "", "", secondCtrlCLeavesResumableJournal(t)
		}},
		{"silent endpoint", exitError, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{})
			t.Setenv("SALESFORCE_INSTANCE_URL", "http://"+blackhole(t))
			return cli(t, "", "check", "--timeout", "1s")
		}},
		{"unknown flag", exitUsage, func(t *testing.T) (string, string, int) { return cli(t, "", "check", "--nope") }},
		{"unknown command", exitUsage, func(t *testing.T) (string, string, int) { return cli(t, "", "rotat") }},
		{"stray argument", exitUsage, func(t *testing.T) (string, string, int) { return cli(t, "", "rotate", "30d") }},
		{"negative duration", exitUsage, func(t *testing.T) (string, string, int) { return cli(t, "", "check", "--within", "-5d") }},
		{"unknown contact center", exitUsage, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			stdout, stderr, code := cli(t, "", "check", "--contact-center", "Typo")
			assert.Contains(t, stderr, `"Typo"`)
			_, _, planCode := cli(t, "", "plan", "--contact-center", "NoSuchCC")
			assert.Equal(t, exitUsage, planCode)
			return stdout, stderr, code
		}},
		{"--aws-profile of an account no contact center uses", exitUsage, func(t *testing.T) (string, string, int) {
			sandboxEnv(t, sandbox.Options{Pinned: -1})
			stdout, stderr, code := cli(t, "", "check", "--aws-profile", "333333333333=foo")
			assert.Contains(t, stderr, "333333333333")
			return stdout, stderr, code
		}},
	}
	seen := map[int]bool{}
	for _, r := range rows {
		seen[r.want] = true
		t.Run(r.name, func(t *testing.T) {
			stdout, stderr, code := r.run(t)
			assert.Equal(t, r.want, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		})
	}
	for _, code := range []int{exitOK, exitNo, exitApplied, exitError, exitUsage} {
		assert.True(t, seen[code], "row %d of the contract is driven", code)
		assert.Contains(t, exitContract, "\n  "+strconv.Itoa(code)+" ", "row %d is in --help", code)
	}
}
