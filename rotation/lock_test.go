package rotation_test

import (
	"bufio"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// The lock tests re-execute the test binary as a second process: these
// variables select what it does (see lockChild).
const (
	childEnv = "VOICECERT_TEST_LOCK_CHILD"
	dirEnv   = "VOICECERT_TEST_LOCK_DIR"
)

// Exit codes of lockChild.
const (
	childRan    = 0
	childFailed = 1
	childLocked = 3
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		os.Exit(lockChild(mode, os.Getenv(dirEnv)))
	}
	os.Exit(m.Run())
}

// lockChild runs one rotation of orgID with a FileLocker in dir. In mode
// "hold" its step announces HOLDING and blocks until standard input closes.
func lockChild(mode, dir string) int {
	step := rotation.StepFunc("work", "work", func(context.Context, *rotation.State) error {
		if mode == "hold" {
			fmt.Println("HOLDING")
			_, _ = io.Copy(io.Discard, os.Stdin)
		}
		return nil
	}, nil)
	r, err := rotation.New([]rotation.Step{step}, rotation.WithLocker(rotation.NewFileLocker(dir)))
	if err != nil {
		fmt.Println(err)
		return childFailed
	}
	err = r.Run(context.Background(), &rotation.State{Target: orgID})
	switch {
	case errors.Is(err, rotation.ErrLocked):
		fmt.Println(err)
		return childLocked
	case err != nil:
		fmt.Println(err)
		return childFailed
	}
	return childRan
}

func child(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, dirEnv+"="+dir)
	return cmd
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	return ee.ExitCode()
}

// TestLockAcrossProcesses runs two rotations of one target in two
// processes, each way round: exactly one runs, the other gets ErrLocked.
func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	locker := rotation.NewFileLocker(dir)

	t.Run("this process holds", func(t *testing.T) {
		var out []byte
		var code int
		step := rotation.StepFunc("work", "work", func(context.Context, *rotation.State) error {
			var err error
			out, err = child(t, "try", dir).Output()
			code = exitCode(t, err)
			return nil
		}, nil)
		r, err := rotation.New([]rotation.Step{step}, rotation.WithLocker(locker))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{Target: orgID}))
		assert.Equal(t, childLocked, code, "the other process got ErrLocked: %s", out)
		assert.Contains(t, string(out), fmt.Sprintf("held by pid %d", os.Getpid()))

		out, err = child(t, "try", dir).Output()
		assert.Equal(t, childRan, exitCode(t, err), "released after the rotation: %s", out)
	})

	t.Run("the other process holds", func(t *testing.T) {
		cmd := child(t, "hold", dir)
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		line, err := bufio.NewReader(stdout).ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "HOLDING\n", line)

		ran := false
		r, err := rotation.New([]rotation.Step{rotation.StepFunc("work", "work", func(context.Context, *rotation.State) error {
			ran = true
			return nil
		}, nil)}, rotation.WithLocker(locker))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{Target: orgID})
		require.ErrorIs(t, err, rotation.ErrLocked)
		assert.False(t, ran)
		h, err := locker.Holder(orgID)
		require.NoError(t, err)
		assert.Equal(t, cmd.Process.Pid, h.PID, "Holder names the other process")

		require.NoError(t, stdin.Close())
		require.NoError(t, cmd.Wait())
		require.NoError(t, r.Run(t.Context(), &rotation.State{Target: orgID}))
		assert.True(t, ran, "runs once the other process is done")
	})
}

// TestLockAcrossGoroutines starts many rotations of one target at once:
// exactly one runs, every other gets ErrLocked.
func TestLockAcrossGoroutines(t *testing.T) {
	const n = 8
	locker := rotation.NewFileLocker(t.TempDir())
	losers := make(chan struct{}, n)
	var runs int
	var mu sync.Mutex
	step := rotation.StepFunc("work", "work", func(ctx context.Context, _ *rotation.State) error {
		mu.Lock()
		runs++
		mu.Unlock()
		for range n - 1 { // hold the lock until every other rotation was refused
			select {
			case <-losers:
			case <-time.After(10 * time.Second):
				return errors.New("the other rotations never finished")
			}
		}
		return nil
	}, nil)
	r, err := rotation.New([]rotation.Step{step}, rotation.WithLocker(locker))
	require.NoError(t, err)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = r.Run(t.Context(), &rotation.State{Target: orgID})
			if errors.Is(errs[i], rotation.ErrLocked) {
				losers <- struct{}{}
			}
		})
	}
	close(start)
	wg.Wait()
	ok, locked := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, rotation.ErrLocked):
			locked++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, 1, ok, "exactly one rotation ran")
	assert.Equal(t, n-1, locked, "every other got ErrLocked")
	assert.Equal(t, 1, runs)
}

func TestFileLocker(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "locks")
	l := rotation.NewFileLocker(dir)
	key := "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"

	_, err := l.Holder(key)
	require.ErrorIs(t, err, rotation.ErrNotFound)
	lock, err := l.Lock(ctx, key)
	require.NoError(t, err)
	h, err := l.Holder(key)
	require.NoError(t, err)
	host, _ := os.Hostname()
	assert.Equal(t, key, h.Key)
	assert.Equal(t, os.Getpid(), h.PID)
	assert.Equal(t, host, h.Host)
	assert.WithinDuration(t, time.Now(), h.Since, time.Minute)

	_, err = l.Lock(ctx, key)
	var le *rotation.LockedError
	require.ErrorAs(t, err, &le)
	assert.ErrorIs(t, err, rotation.ErrLocked)
	assert.Equal(t, h, le.Holder)
	assert.Contains(t, err.Error(), fmt.Sprintf("held by pid %d on %s", h.PID, host))

	other, err := l.Lock(ctx, key+"-other")
	require.NoError(t, err, "keys are independent")
	require.NoError(t, other.Unlock(ctx))

	require.NoError(t, lock.Unlock(ctx))
	require.NoError(t, lock.Unlock(ctx), "unlocking twice is not an error")
	_, err = l.Holder(key)
	require.ErrorIs(t, err, rotation.ErrNotFound)

	// A stale lock (its holder died) stays until broken explicitly.
	stale, err := l.Lock(ctx, key)
	require.NoError(t, err)
	require.NoError(t, l.Break(key))
	require.NoError(t, l.Break(key), "breaking a free lock is not an error")
	again, err := l.Lock(ctx, key)
	require.NoError(t, err)
	err = stale.Unlock(ctx)
	assert.ErrorIs(t, err, rotation.ErrNotFound, "the broken holder cannot release the new one")
	_, err = l.Holder(key)
	assert.NoError(t, err, "the new holder still holds it")
	require.NoError(t, again.Unlock(ctx))

	// Broken and not retaken.
	gone, err := l.Lock(ctx, key)
	require.NoError(t, err)
	require.NoError(t, l.Break(key))
	assert.ErrorIs(t, gone.Unlock(ctx), rotation.ErrNotFound)

	_, err = l.Lock(ctx, "")
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = l.Lock(cancelled, key)
	assert.ErrorIs(t, err, context.Canceled)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "every lock file removed")
}

func TestFileLockerOddFiles(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	l := rotation.NewFileLocker(dir)
	long := strings.Repeat("k", 200)
	lock, err := l.Lock(ctx, long)
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Less(t, len(entries[0].Name()), 100, "file names stay short")
	path := filepath.Join(dir, entries[0].Name())

	// A lock file another tool emptied or garbled.
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	h, err := l.Holder(long)
	require.NoError(t, err)
	assert.Equal(t, rotation.LockHolder{Key: long}, h, "a file being written has only its key")
	_, err = l.Lock(ctx, long)
	assert.EqualError(t, err, fmt.Sprintf("%v: key %q", rotation.ErrLocked, long))
	require.NoError(t, os.WriteFile(path, []byte("garbage"), 0o600))
	_, err = l.Holder(long)
	assert.ErrorContains(t, err, "unreadable lock file")
	assert.ErrorIs(t, lock.Unlock(ctx), rotation.ErrNotFound, "not this lock's file any more")

	// A directory that cannot be created.
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = rotation.NewFileLocker(filepath.Join(file, "sub")).Lock(ctx, "k")
	assert.Error(t, err)
}
