package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// openPTY opens a pseudo-terminal pair: what the test types goes into
// master, the command runs on slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		m.Close()
		t.Fatalf("unlock pty: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		m.Close()
		t.Fatalf("pty number: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("open pty slave: %v", err)
	}
	return m, s
}

// terminal is a voicecert process on its own terminal: the test reads what
// it prints and types Ctrl-C as a person would.
type terminal struct {
	t      *testing.T
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
	code   int
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	master, slave := openPTY(t)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	require.NoError(t, cmd.Start())
	slave.Close()
	term := &terminal{t: t, cmd: cmd, master: master, done: make(chan struct{})}
	read := make(chan struct{})
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read // the terminal's last output
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			term.code = ee.ExitCode()
		default:
			term.code = -1
		}
		close(term.done)
	}()
	t.Cleanup(func() {
		select {
		case <-term.done:
		default:
			_ = cmd.Process.Kill()
			<-term.done
		}
		master.Close()
	})
	return term
}

// ctrlC types Ctrl-C: the terminal sends SIGINT to the command.
func (term *terminal) ctrlC() {
	_, err := term.master.Write([]byte{3})
	require.NoError(term.t, err)
}

func (term *terminal) output() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// waitOutput waits until the terminal shows want.
func (term *terminal) waitOutput(want string, within time.Duration) {
	term.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(term.output(), want) {
		select {
		case <-term.done:
			term.t.Fatalf("exited (%d) without printing %q:\n%s", term.code, want, term.output())
		default:
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("no %q within %s:\n%s", want, within, term.output())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// wait waits for the command to exit and returns its exit status.
func (term *terminal) wait(within time.Duration) int {
	term.t.Helper()
	select {
	case <-term.done:
		return term.code
	case <-time.After(within):
		term.t.Fatalf("still running after %s:\n%s", within, term.output())
		return 0
	}
}

// processEnv is the environment of a voicecert process pointed at w.
func processEnv(t *testing.T, w *sandbox.World) []string {
	t.Helper()
	var exports bytes.Buffer
	require.NoError(t, writeSandboxEnv(&exports, w, nil, t.TempDir()))
	env := os.Environ()
	for _, line := range strings.Split(strings.TrimSpace(exports.String()), "\n") {
		kv := strings.TrimPrefix(line, "export ")
		k, v, _ := strings.Cut(kv, "=")
		env = append(env, k+"="+strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'"))
	}
	return env
}

// runProcess runs voicecert to its end without a terminal.
func runProcess(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	require.NoError(t, err, out.String())
	return out.String(), 0
}

// waitJournal waits until a journal in dir records step with status.
func waitJournal(t *testing.T, dir, step string, status rotation.StepStatus, done <-chan struct{}) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "rotation-*.json"))
		for _, f := range files {
			if rec, err := rotation.LoadJournal(f); err == nil {
				for _, s := range rec.Steps {
					if s.Name == step && s.Status == status {
						return f
					}
				}
			}
		}
		select {
		case <-done:
			t.Fatalf("the command exited before step %s was %s", step, status)
		default:
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no journal in %s recorded step %s %s", dir, step, status)
	return ""
}

func requireNoLocks(t *testing.T, dir string) {
	t.Helper()
	locks, err := filepath.Glob(filepath.Join(dir, "locks", "*.lock"))
	require.NoError(t, err)
	assert.Empty(t, locks, "every lock is released")
}

// Ctrl-C during each step of rotate rolls every completed step back,
// releases the locks and exits 1; the org and IAM are as they were, and
// the next rotate needs no --break-lock.
func TestCtrlCDuringEachStepRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command on a terminal")
	}
	binary(t)
	for _, step := range []string{rotation.StepPreflight, rotation.StepStage, rotation.StepTrust, rotation.StepActivate,
		rotation.StepVerify, rotation.StepSoak, rotation.StepRetire} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			w, err := sandbox.Start(t.Context(), sandbox.Options{Pinned: -1, Latency: 40 * time.Millisecond})
			require.NoError(t, err)
			t.Cleanup(w.Close)
			before := w.Snapshot()
			env, dir := processEnv(t, w), t.TempDir()
			soak := "0s"
			if step == rotation.StepSoak {
				soak = "1m"
			}
			term := startTerminal(t, env, "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--soak", soak)
			journal := waitJournal(t, dir, step, rotation.StepRunning, term.done)
			term.ctrlC()
			code := term.wait(60 * time.Second)
			out := term.output()
			require.Equal(t, exitNo, code, out)
			assert.Contains(t, out, "Interrupted (SIGINT): rolling back")
			assert.Regexp(t, regexp.MustCompile(`interrupted \(SIGINT\) at step \w+ and (rolled back completely|nothing needed undoing)`), out)
			assert.Equal(t, before, w.Snapshot(), "the org and IAM are as they were")
			requireNoLocks(t, dir)
			rec, err := rotation.LoadJournal(journal)
			require.NoError(t, err)
			assert.Equal(t, rotation.StatusRolledBack, rec.Status, "the journal is final")

			w.Org.SetLatency(0)
			w.IAM.SetLatency(0)
			out, code = runProcess(t, env, "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048")
			require.Equal(t, exitOK, code, out)
			requireSandboxRotated(t, w, before)
		})
	}
}

// A second Ctrl-C stops the rollback: exit 2, the locks released, and
// the printed command finishes the rollback.
func secondCtrlCLeavesResumableJournal(t *testing.T) int {
	w, err := sandbox.Start(t.Context(), sandbox.Options{Pinned: -1, Latency: 5 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(w.Close)
	before := w.Snapshot()
	env, dir := processEnv(t, w), t.TempDir()
	term := startTerminal(t, env, "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--soak", "1m")
	waitJournal(t, dir, rotation.StepSoak, rotation.StepRunning, term.done)
	// A slow network makes the rollback long enough to interrupt.
	w.Org.SetLatency(300 * time.Millisecond)
	w.IAM.SetLatency(300 * time.Millisecond)
	term.ctrlC()
	term.waitOutput("↩", 30*time.Second)
	term.ctrlC()
	stopped := term.wait(30 * time.Second)
	out := term.output()
	require.Equal(t, exitApplied, stopped, out)
	m := regexp.MustCompile(`Finish with: voicecert rollback --journal (\S+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	requireNoLocks(t, dir)
	assert.NotEqual(t, before, w.Snapshot(), "the rollback was stopped half way")

	w.Org.SetLatency(0)
	w.IAM.SetLatency(0)
	out, code := runProcess(t, env, "rollback", "--journal", strings.Trim(m[1], "'"))
	require.Equal(t, exitOK, code, out)
	assert.Contains(t, out, "Rolled back in")
	assert.Equal(t, before, w.Snapshot())
	requireNoLocks(t, dir)
	return stopped
}

// SIGTERM (what a service manager sends) rolls back as Ctrl-C does.
func TestSIGTERMRollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command")
	}
	t.Parallel()
	w, err := sandbox.Start(t.Context(), sandbox.Options{Pinned: -1})
	require.NoError(t, err)
	t.Cleanup(w.Close)
	before := w.Snapshot()
	env, dir := processEnv(t, w), t.TempDir()
	term := startTerminal(t, env, "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--soak", "1m")
	waitJournal(t, dir, rotation.StepSoak, rotation.StepRunning, term.done)
	require.NoError(t, term.cmd.Process.Signal(syscall.SIGTERM))
	code := term.wait(60 * time.Second)
	require.Equal(t, exitNo, code, term.output())
	assert.Contains(t, term.output(), "Interrupted (SIGTERM): rolling back")
	assert.Equal(t, before, w.Snapshot())
	requireNoLocks(t, dir)
}
