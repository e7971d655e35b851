package rotationtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// planKeys returns the lock keys of an org plan over the fakes.
func planKeys(t *testing.T) []string {
	t.Helper()
	plan, err := rotation.NewOrgPlan(newIdP(t), newRP(t))
	require.NoError(t, err)
	keys, err := plan.LockKeys(t.Context())
	require.NoError(t, err)
	return keys
}

func TestLockerConformance(t *testing.T) {
	rotationtest.TestLocker(t, func(t *testing.T) rotationtest.LockerHarness {
		dir := t.TempDir()
		return rotationtest.LockerHarness{Locker: rotation.NewFileLocker(dir), Other: rotation.NewFileLocker(dir),
			Keys: planKeys(t), Exclusive: true}
	})
}

// brokenLockerEnv selects, in a child test process, the defect of the
// lockers under the suite.
const brokenLockerEnv = "ROTATIONTEST_BROKEN_LOCKER"

// The defects: each wraps a FileLocker and breaks one promise.
type (
	// refusesOrgKey accepts only ARNs, as aws.TagLocker once did.
	refusesOrgKey struct{ *rotation.FileLocker }
	// oneLock ignores the key: every key is one lock.
	oneLock struct{ *rotation.FileLocker }
	// keepsLock never releases.
	keepsLock struct{ *rotation.FileLocker }
	// breaksHeld breaks the lock it was refused.
	breaksHeld struct{ *rotation.FileLocker }
	// vagueLocked reports a held lock with an error that does not match
	// rotation.ErrLocked.
	vagueLocked struct{ *rotation.FileLocker }
	noUnlock    struct{}
)

func (l refusesOrgKey) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	if key != "" && !strings.HasPrefix(key, rotation.TrustLockPrefix+"arn:") {
		return nil, errors.New("is not an IAM ARN")
	}
	return l.FileLocker.Lock(ctx, key)
}

func (l oneLock) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	if key == "" {
		return nil, rotation.ErrInvalidInput
	}
	return l.FileLocker.Lock(ctx, "the-lock")
}

func (l keepsLock) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	if _, err := l.FileLocker.Lock(ctx, key); err != nil {
		return nil, err
	}
	return noUnlock{}, nil
}

func (noUnlock) Unlock(context.Context) error { return nil }

func (l breaksHeld) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	got, err := l.FileLocker.Lock(ctx, key)
	if errors.Is(err, rotation.ErrLocked) {
		_ = l.Break(key)
	}
	return got, err
}

func (l vagueLocked) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	got, err := l.FileLocker.Lock(ctx, key)
	if errors.Is(err, rotation.ErrLocked) {
		err = errors.New(err.Error())
	}
	return got, err
}

// TestBrokenLocker runs the suite against a defective locker. It runs only
// as the child process of TestLockerSuiteCatchesDefects, where it must fail.
func TestBrokenLocker(t *testing.T) {
	mode := os.Getenv(brokenLockerEnv)
	if mode == "" {
		t.Skip("runs in the child process of TestLockerSuiteCatchesDefects")
	}
	wraps := map[string]func(*rotation.FileLocker) rotation.Locker{
		"refuses-org-key": func(l *rotation.FileLocker) rotation.Locker { return refusesOrgKey{l} },
		"one-lock":        func(l *rotation.FileLocker) rotation.Locker { return oneLock{l} },
		"keeps-lock":      func(l *rotation.FileLocker) rotation.Locker { return keepsLock{l} },
		"breaks-held":     func(l *rotation.FileLocker) rotation.Locker { return breaksHeld{l} },
		"vague-locked":    func(l *rotation.FileLocker) rotation.Locker { return vagueLocked{l} },
	}
	rotationtest.TestLocker(t, func(t *testing.T) rotationtest.LockerHarness {
		dir := t.TempDir()
		other := rotation.NewFileLocker(dir)
		if mode == "not-shared" {
			other = rotation.NewFileLocker(t.TempDir())
		}
		wrap, ok := wraps[mode]
		if !ok {
			wrap = func(l *rotation.FileLocker) rotation.Locker { return l }
		}
		return rotationtest.LockerHarness{Locker: wrap(rotation.NewFileLocker(dir)), Other: wrap(other), Keys: planKeys(t), Exclusive: true}
	})
}

// TestLockerSuiteCatchesDefects proves TestLocker can fail: each defective
// locker fails the subtest that checks its promise, and passes one that
// does not.
func TestLockerSuiteCatchesDefects(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child test processes")
	}
	cases := map[string]defect{
		"refuses-org-key": {"EveryPlanKey", "EmptyKey"},
		"one-lock":        {"KeysIndependent", "Excludes"},
		"keeps-lock":      {"UnlockReleases", "Excludes"},
		"breaks-held":     {"RefusalChangesNothing", "EveryPlanKey"},
		"vague-locked":    {"Excludes", "EveryPlanKey"},
		"not-shared":      {"Excludes", "EveryPlanKey"},
	}
	catchesDefects(t, "TestBrokenLocker", brokenLockerEnv, cases)
}

// defect is what a defective provider must do under a suite: fail the
// subtest fails and pass the subtest passes.
type defect struct{ fails, passes string }

// catchesDefects runs test in a child process once per defect, selected by
// the environment variable env, and checks that the suite fails where it
// must.
func catchesDefects(t *testing.T, test, env string, cases map[string]defect) {
	t.Helper()
	for mode, c := range cases {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+test+"$", "-test.v")
			cmd.Env = append(os.Environ(), env+"="+mode)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite must fail\n%s", out)
			assert.Contains(t, string(out), "--- FAIL: "+test+"/"+c.fails+" ", "subtest %s must fail", c.fails)
			assert.Contains(t, string(out), "--- PASS: "+test+"/"+c.passes+" ", "subtest %s must pass", c.passes)
		})
	}
}
