package rotation_test

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// faultAt says which provider call of which step a fault hits: the n-th
// call of method while that step runs. Where a step changes two trusts,
// the fault hits the second, so that the step has half-applied.
type faultAt struct {
	step   string
	method string
	n      int
}

var faultPoints = []faultAt{
	{"preflight", "Trust", 2},
	{"stage", "CreateCertificate", 1},
	{"trust", "SetTrust", 2},
	{"activate", "SetDefaultCertificate", 1},
	{"pin", "SetAppCertificate", 1},
	{"retire", "SetTrust", 2},
}

// inject arms both fakes to run action at the fault point. The current step
// is tracked through the Rotator's events; the fault fires once.
func (w *world) inject(p faultAt, action func(ctx context.Context) error) rotation.Option {
	var current atomic.Value
	current.Store("")
	var (
		mu    sync.Mutex
		seen  int
		fired bool
	)
	hook := func(ctx context.Context, c rotationtest.Call) error {
		mu.Lock()
		if fired || current.Load() != p.step || c.Method != p.method {
			mu.Unlock()
			return nil
		}
		seen++
		if seen < p.n {
			mu.Unlock()
			return nil
		}
		fired = true
		mu.Unlock()
		return action(ctx)
	}
	w.idp.OnCall(hook)
	w.rp.OnCall(hook)
	return rotation.WithObserver(rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
		if e.Type == rotation.EventStepStarted {
			current.Store(e.Step)
		}
	}))
}

func TestFaultPointsCoverThePlan(t *testing.T) {
	w := newWorld(t)
	var names []string
	for _, p := range faultPoints {
		names = append(names, p.step)
	}
	require.Equal(t, stepNames(w.steps()), names, "one fault point per step, in order")
}

func TestRunApplies(t *testing.T) {
	w := newWorld(t)
	initial := w.snapshot()
	rec := &recorder{}
	r, err := rotation.New(w.steps(), w.confirm(), rotation.WithObserver(rec))
	require.NoError(t, err)
	s := newState()
	require.NoError(t, r.Run(t.Context(), s))
	assert.Equal(t, w.applied(t, initial, certName(s)), w.snapshot())
	assert.Len(t, rec.of(rotation.EventWaiting), 1, "the pinned app needed a person")
	assert.Equal(t, 1, countCalls(w.idp.Calls(), "SetAppCertificate"), "Apply is not called again after the gate")
}

func countCalls(calls []rotationtest.Call, method string) int {
	n := 0
	for _, c := range calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// TestRollbackRestoresEverything injects, at every step k of the plan, an
// error, a cancellation of the run's context, and a panic, and requires
// the fakes to end exactly as they began.
func TestRollbackRestoresEverything(t *testing.T) {
	injected := errors.New("injected fault")
	modes := []struct {
		name   string
		action func(cancel context.CancelFunc) func(ctx context.Context) error
		check  func(t *testing.T, err error)
	}{
		{"error",
			func(context.CancelFunc) func(context.Context) error {
				return func(context.Context) error { return injected }
			},
			func(t *testing.T, err error) { assert.ErrorIs(t, err, injected) }},
		{"cancel",
			func(cancel context.CancelFunc) func(context.Context) error {
				return func(context.Context) error { cancel(); return nil }
			},
			func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) }},
		{"panic",
			func(context.CancelFunc) func(context.Context) error {
				return func(context.Context) error { panic("injected panic") }
			},
			func(t *testing.T, err error) {
				var pe *rotation.PanicError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, "injected panic", pe.Value)
				assert.NotEmpty(t, pe.Stack)
			}},
	}
	for _, m := range modes {
		for k, p := range faultPoints {
			t.Run(m.name+"/"+p.step, func(t *testing.T) {
				w := newWorld(t)
				initial := w.snapshot()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				journal := rotation.NewMemoryJournal()
				r, err := rotation.New(w.steps(), w.confirm(), rotation.WithJournal(journal),
					w.inject(p, m.action(cancel)), rotation.WithRetry(1, 1, 1))
				require.NoError(t, err)

				err = r.Run(ctx, newState())
				require.Error(t, err)
				m.check(t, err)
				var re *rotation.RotationError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, p.step, re.Step)
				assert.True(t, re.RolledBack, "rollback complete: %v", err)
				want := stepNames(r.Steps())[:k+1]
				slices.Reverse(want)
				assert.Equal(t, want, re.Undone, "the failed step, then every completed one, in reverse")
				assert.Equal(t, initial, w.snapshot(), "state restored exactly")

				last, err := journal.Load(t.Context())
				require.NoError(t, err)
				assert.Equal(t, rotation.StatusRolledBack, last.Status)
				assert.Contains(t, last.Error, p.step)
			})
		}
	}
}

// crashJournal stops the goroutine running the rotation (as a crash would
// stop the process: no rollback, no further journal write) right after
// saving a record for which crashAt is true.
type crashJournal struct {
	*rotation.MemoryJournal
	crashAt func(rec *rotation.JournalRecord) bool
}

func (j crashJournal) Save(ctx context.Context, rec *rotation.JournalRecord) error {
	if err := j.MemoryJournal.Save(ctx, rec); err != nil {
		return err
	}
	if j.crashAt(rec) {
		runtime.Goexit()
	}
	return nil
}

// runUntilCrash runs r on a goroutine and reports whether it crashed.
func runUntilCrash(t *testing.T, r *rotation.Rotator) (crashed bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer close(done)
		done <- r.Run(t.Context(), newState())
	}()
	err, finished := <-done
	require.False(t, finished, "the rotation should have crashed, returned %v", err)
	return true
}

// TestResumeAfterCrash crashes a rotation at every step k, once right after
// step k was journaled done and once in the middle of step k (the process
// dies inside a provider call, step k half-applied), then resumes it both
// ways: continuing ends fully applied, rolling back ends as it began.
func TestResumeAfterCrash(t *testing.T) {
	crashes := []struct {
		name  string
		setup func(w *world, p faultAt, j *rotation.MemoryJournal) []rotation.Option
	}{
		{"after", func(w *world, p faultAt, j *rotation.MemoryJournal) []rotation.Option {
			return []rotation.Option{rotation.WithJournal(crashJournal{j, func(rec *rotation.JournalRecord) bool {
				for _, s := range rec.Steps {
					if s.Name == p.step {
						return s.Status == rotation.StepDone
					}
				}
				return false
			}})}
		}},
		{"during", func(w *world, p faultAt, j *rotation.MemoryJournal) []rotation.Option {
			return []rotation.Option{rotation.WithJournal(j),
				w.inject(p, func(context.Context) error { runtime.Goexit(); return nil })}
		}},
	}
	for _, c := range crashes {
		for _, mode := range []rotation.ResumeMode{rotation.ResumeContinue, rotation.ResumeRollback} {
			for _, p := range faultPoints {
				t.Run(c.name+"/"+p.step+"/"+mode.String(), func(t *testing.T) {
					w := newWorld(t)
					initial := w.snapshot()
					journal := rotation.NewMemoryJournal()
					r, err := rotation.New(w.steps(), append(c.setup(w, p, journal), w.confirm())...)
					require.NoError(t, err)
					runUntilCrash(t, r)
					w.idp.OnCall(nil)
					w.rp.OnCall(nil)

					rec, err := journal.Load(t.Context())
					require.NoError(t, err)
					require.Equal(t, rotation.StatusRunning, rec.Status)
					want := rotation.StepDone
					if c.name == "during" {
						want = rotation.StepRunning
					}
					require.Equal(t, want, rec.Steps[slices.IndexFunc(rec.Steps, func(s rotation.StepRecord) bool { return s.Name == p.step })].Status)

					after := rotation.NewMemoryJournal()
					r2, err := rotation.New(w.steps(), w.confirm(), rotation.WithJournal(after))
					require.NoError(t, err)
					require.NoError(t, r2.Resume(t.Context(), rec, mode))
					last, err := after.Load(t.Context())
					require.NoError(t, err)
					if mode == rotation.ResumeContinue {
						assert.Equal(t, w.applied(t, initial, certName(rec.State)), w.snapshot(), "fully applied")
						assert.Equal(t, rotation.StatusSucceeded, last.Status)
					} else {
						assert.Equal(t, initial, w.snapshot(), "fully rolled back")
						assert.Equal(t, rotation.StatusRolledBack, last.Status)
					}
				})
			}
		}
	}
}
