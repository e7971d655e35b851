package rotation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// noop returns a step that records its Apply and Rollback calls in log.
func noop(name string, log *[]string) rotation.Step {
	return rotation.StepFunc(name, "do "+name,
		func(context.Context, *rotation.State) error { *log = append(*log, "apply "+name); return nil },
		func(context.Context, *rotation.State) error { *log = append(*log, "rollback "+name); return nil })
}

func failing(name string, err error, log *[]string) rotation.Step {
	return rotation.StepFunc(name, "fail "+name,
		func(context.Context, *rotation.State) error { *log = append(*log, "apply "+name); return err },
		func(context.Context, *rotation.State) error { *log = append(*log, "rollback "+name); return nil })
}

func TestNewRefuses(t *testing.T) {
	var log []string
	a, b := noop("a", &log), noop("b", &log)
	cases := map[string]struct {
		steps []rotation.Step
		opts  []rotation.Option
	}{
		"no steps":         {nil, nil},
		"nil step":         {[]rotation.Step{a, nil}, nil},
		"empty name":       {[]rotation.Step{noop("", &log)}, nil},
		"duplicate":        {[]rotation.Step{a, b, noop("a", &log)}, nil},
		"hook unknown":     {[]rotation.Step{a}, []rotation.Option{rotation.WithStepBefore("zz", b)}},
		"hook nil":         {[]rotation.Step{a}, []rotation.Option{rotation.WithStepAfter("a", nil)}},
		"hook duplicate":   {[]rotation.Step{a, b}, []rotation.Option{rotation.WithStepAfter("a", noop("b", &log))}},
		"retry attempts":   {[]rotation.Step{a}, []rotation.Option{rotation.WithRetry(0, time.Millisecond, time.Second)}},
		"retry intervals":  {[]rotation.Step{a}, []rotation.Option{rotation.WithRetry(3, time.Second, time.Millisecond)}},
		"manual timeout":   {[]rotation.Step{a}, []rotation.Option{rotation.WithManualTimeout(0)}},
		"rollback timeout": {[]rotation.Step{a}, []rotation.Option{rotation.WithRollbackTimeout(-time.Second)}},
		"nil clock":        {[]rotation.Step{a}, []rotation.Option{rotation.WithClock(nil)}},
		"nil logger":       {[]rotation.Step{a}, []rotation.Option{rotation.WithLogger(nil)}},
		"nil observer":     {[]rotation.Step{a}, []rotation.Option{rotation.WithObserver(nil)}},
		"empty lock key":   {[]rotation.Step{a}, []rotation.Option{rotation.WithLocker(rotation.NewFileLocker(t.TempDir()), "")}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := rotation.New(c.steps, c.opts...)
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
			assert.Nil(t, r)
		})
	}
}

func TestHooksAndPlan(t *testing.T) {
	var log []string
	r, err := rotation.New([]rotation.Step{noop("stage", &log), noop("activate", &log)},
		rotation.WithStepBefore("activate", noop("approval", &log)),
		rotation.WithStepAfter("activate", noop("notify", &log)),
		rotation.WithStepBefore("stage", noop("window", &log)),
		rotation.WithStepAfter("notify", noop("audit", &log)), // anchored on a hook
		nil, // ignored
	)
	require.NoError(t, err)
	want := []string{"window", "stage", "approval", "activate", "notify", "audit"}
	assert.Equal(t, want, stepNames(r.Steps()))
	plan := r.Plan()
	require.Len(t, plan, len(want))
	for i, p := range plan {
		assert.Equal(t, want[i], p.Name)
		assert.Equal(t, "do "+want[i], p.Description)
	}
	assert.Empty(t, log, "Plan calls no step")

	steps := r.Steps()
	steps[0] = nil
	assert.Equal(t, "window", r.Steps()[0].Name(), "Steps returns a copy")

	require.NoError(t, r.Run(t.Context(), &rotation.State{}))
	assert.Equal(t, []string{"apply window", "apply stage", "apply approval", "apply activate", "apply notify", "apply audit"}, log)
}

func TestRunEventsAndState(t *testing.T) {
	var log []string
	rec := &recorder{}
	var buf bytes.Buffer
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log)},
		rotation.WithObserver(rec),
		rotation.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))),
		rotation.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	s := &rotation.State{}
	require.NoError(t, r.Run(t.Context(), s))
	assert.NotEmpty(t, s.ID, "an ID is assigned")
	assert.Equal(t, now, s.StartedAt)
	assert.Equal(t, []string{
		"rotation.started", "step.started a", "step.succeeded a",
		"step.started b", "step.succeeded b", "rotation.succeeded",
	}, rec.types())
	for _, e := range rec.events {
		assert.Equal(t, s.ID, e.RotationID)
		assert.Equal(t, now, e.Time)
	}
	assert.Contains(t, buf.String(), `"event":"step.succeeded"`)
	assert.Contains(t, buf.String(), `"step":"b"`)

	s2 := &rotation.State{ID: "fixed", StartedAt: now.Add(-time.Hour)}
	require.NoError(t, r.Run(t.Context(), s2))
	assert.Equal(t, "fixed", s2.ID, "an ID is kept")
	assert.Equal(t, now.Add(-time.Hour), s2.StartedAt)
	assert.ErrorIs(t, r.Run(t.Context(), nil), rotation.ErrInvalidInput)
}

func TestFailedStepIsRolledBackThenCompletedInReverse(t *testing.T) {
	var log []string
	cause := errors.New("cause")
	rec := &recorder{}
	r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log), failing("c", cause, &log), noop("d", &log)},
		rotation.WithObserver(rec))
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	require.ErrorIs(t, err, cause)
	assert.Equal(t, []string{"apply a", "apply b", "apply c", "rollback c", "rollback b", "rollback a"}, log)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "c", re.Step)
	assert.True(t, re.RolledBack)
	assert.Equal(t, []string{"c", "b", "a"}, re.Undone)
	assert.Equal(t, `rotation: step "c" failed: cause; rolled back completely (c, b, a)`, err.Error())
	assert.Equal(t, []string{
		"rotation.started", "step.started a", "step.succeeded a", "step.started b", "step.succeeded b",
		"step.started c", "step.failed c", "step.rolledback c", "step.rolledback b", "step.rolledback a",
		"rotation.rolledback c",
	}, rec.types())
	last := rec.of(rotation.EventRotationRolledBack)[0]
	assert.Equal(t, "rollback complete", last.Message)
	assert.ErrorIs(t, last.Err, cause)
}

func TestIncompleteRollback(t *testing.T) {
	var log []string
	cause, undo := errors.New("cause"), errors.New("cannot undo")
	bad := rotation.StepFunc("a", "a", nil, func(context.Context, *rotation.State) error { return undo })
	journal := rotation.NewMemoryJournal()
	r, err := rotation.New([]rotation.Step{bad, noop("b", &log), failing("c", cause, &log)}, rotation.WithJournal(journal))
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.False(t, re.RolledBack)
	assert.Equal(t, []string{"c", "b"}, re.Undone)
	require.Len(t, re.Remaining, 1)
	assert.Equal(t, "a", re.Remaining[0].Step)
	assert.ErrorIs(t, err, cause, "the cause")
	assert.ErrorIs(t, err, undo, "and the rollback error")
	assert.Equal(t, `rotation: step "c" failed: cause; rollback incomplete: step "a": cannot undo`, err.Error())

	rec, err := journal.Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, rotation.StatusDirty, rec.Status)
	assert.Equal(t, []rotation.StepRecord{
		{Name: "a", Status: rotation.StepDone, Error: "cannot undo"},
		{Name: "b", Status: rotation.StepRolledBack},
		{Name: "c", Status: rotation.StepRolledBack, Error: "cause"},
	}, rec.Steps)

	// The rollback that failed is retried by a Resume once it can succeed.
	fixed, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log), noop("c", &log)})
	require.NoError(t, err)
	log = nil
	require.NoError(t, fixed.Resume(t.Context(), rec, rotation.ResumeRollback))
	assert.Equal(t, []string{"rollback a"}, log, "only the step still applied")

	// A Resume whose rollback fails again says so.
	err = r.Resume(t.Context(), rec, rotation.ResumeRollback)
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, rotation.ErrRollbackRequested)
	assert.ErrorIs(t, err, undo)
	assert.Equal(t, "a", re.Step)
}

func TestNothingToRollBack(t *testing.T) {
	cause := errors.New("cause")
	r, err := rotation.New([]rotation.Step{rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error { return cause }, nil)})
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	assert.EqualError(t, err, `rotation: step "a" failed: cause; rolled back completely (a)`)
	re := &rotation.RotationError{Step: "x", Err: cause, RolledBack: true}
	assert.Equal(t, `rotation: step "x" failed: cause; nothing to roll back`, re.Error())
}

func TestCancelledBeforeStep(t *testing.T) {
	var log []string
	ctx, cancel := context.WithCancel(t.Context())
	stopper := rotation.StepFunc("b", "b", func(context.Context, *rotation.State) error {
		log = append(log, "apply b")
		cancel() // b completes although the context ends meanwhile
		return nil
	}, func(ctx context.Context, _ *rotation.State) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log = append(log, "rollback b")
		return nil
	})
	r, err := rotation.New([]rotation.Step{noop("a", &log), stopper, noop("c", &log)})
	require.NoError(t, err)
	err = r.Run(ctx, &rotation.State{})
	require.ErrorIs(t, err, context.Canceled)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "c", re.Step, "the step about to run")
	assert.Equal(t, []string{"apply a", "apply b", "rollback b", "rollback a"}, log, "c never ran, rollback ignores the cancellation")
}

func TestRollbackTimeout(t *testing.T) {
	cause := errors.New("cause")
	slow := rotation.StepFunc("a", "a", nil, func(ctx context.Context, _ *rotation.State) error {
		<-ctx.Done()
		return ctx.Err()
	})
	r, err := rotation.New([]rotation.Step{slow, failing("b", cause, new([]string))}, rotation.WithRollbackTimeout(10*time.Millisecond))
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the rollback timeout bounds a rollback")
}

// errNotYet is a cause that may settle by the next attempt.
var errNotYet = errors.New("not yet")

func TestRetry(t *testing.T) {
	t.Run("retried until success", func(t *testing.T) {
		var calls int
		rec := &recorder{}
		flaky := rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
			calls++
			if calls < 3 {
				return rotation.RetryStep(fmt.Errorf("not yet %d", calls))
			}
			return nil
		}, nil)
		r, err := rotation.New([]rotation.Step{flaky}, rotation.WithRetry(5, time.Millisecond, 2*time.Millisecond), rotation.WithObserver(rec))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
		assert.Equal(t, 3, calls)
		retries := rec.of(rotation.EventStepRetrying)
		require.Len(t, retries, 2)
		assert.Equal(t, 1, retries[0].Attempt)
		assert.Equal(t, 2, retries[1].Attempt)
		assert.EqualError(t, retries[1].Err, "not yet 2")
		assert.True(t, strings.HasPrefix(retries[0].Message, "retrying in "))
	})
	t.Run("attempts spent", func(t *testing.T) {
		var calls int
		r, err := rotation.New([]rotation.Step{rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
			calls++
			return rotation.RetryStep(errNotYet)
		}, nil)}, rotation.WithRetry(3, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		assert.ErrorIs(t, err, errNotYet, "the last error is the cause")
		assert.Equal(t, 3, calls)
	})
	t.Run("permanent is not retried", func(t *testing.T) {
		var calls int
		r, err := rotation.New([]rotation.Step{rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
			calls++
			return rotation.Permanent(rotation.RetryStep(errors.New("bad request")))
		}, nil)}, rotation.WithRetry(3, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		require.Error(t, r.Run(t.Context(), &rotation.State{}))
		assert.Equal(t, 1, calls)
	})
	t.Run("retry-after lengthens the wait", func(t *testing.T) {
		var at []time.Time
		r, err := rotation.New([]rotation.Step{rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
			at = append(at, time.Now())
			if len(at) == 1 {
				return rotation.RetryStep(&rotation.TransientError{Err: errors.New("slow down"), RetryAfter: 40 * time.Millisecond})
			}
			return nil
		}, nil)}, rotation.WithRetry(2, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
		require.Len(t, at, 2)
		assert.GreaterOrEqual(t, at[1].Sub(at[0]), 40*time.Millisecond)
	})
	t.Run("context ends while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		r, err := rotation.New([]rotation.Step{rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
			cancel()
			return rotation.RetryStep(errors.New("throttled"))
		}, nil)}, rotation.WithRetry(3, time.Hour, time.Hour))
		require.NoError(t, err)
		err = r.Run(ctx, &rotation.State{})
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorContains(t, err, "throttled", "the last attempt's error is kept")
	})
	t.Run("rollback is retried", func(t *testing.T) {
		var calls int
		r, err := rotation.New([]rotation.Step{
			rotation.StepFunc("a", "a", nil, func(context.Context, *rotation.State) error {
				calls++
				if calls == 1 {
					return rotation.RetryStep(errors.New("throttled"))
				}
				return nil
			}),
			failing("b", errors.New("cause"), new([]string)),
		}, rotation.WithRetry(2, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		var re *rotation.RotationError
		require.ErrorAs(t, r.Run(t.Context(), &rotation.State{}), &re)
		assert.True(t, re.RolledBack)
		assert.Equal(t, 2, calls)
	})
}

func TestPanicInRollback(t *testing.T) {
	r, err := rotation.New([]rotation.Step{
		rotation.StepFunc("a", "a", nil, func(context.Context, *rotation.State) error { panic(errors.New("boom")) }),
		failing("b", errors.New("cause"), new([]string)),
	})
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	var pe *rotation.PanicError
	require.ErrorAs(t, err, &pe, "a panicking rollback is a rollback failure")
	assert.Equal(t, "a", pe.Step)
	assert.EqualError(t, pe.Unwrap(), "boom")
	assert.Contains(t, err.Error(), `step "a" panicked: boom`)
	assert.Nil(t, (&rotation.PanicError{Value: 42}).Unwrap())
}
