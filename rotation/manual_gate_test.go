package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// manualStep returns a step whose Apply asks for a person once.
func manualStep(mae *rotation.ManualActionError, applies *atomic.Int32) rotation.Step {
	return rotation.StepFunc("pin", "pin", func(context.Context, *rotation.State) error {
		applies.Add(1)
		return fmt.Errorf("app X: %w", mae)
	}, nil)
}

func TestManualGate(t *testing.T) {
	app := rotation.AppRef{Name: "X"}
	t.Run("confirmed and observed", func(t *testing.T) {
		var applies atomic.Int32
		var changed atomic.Bool
		var got rotation.ManualRequest
		rec := &recorder{}
		mae := &rotation.ManualActionError{Action: "set X", Instructions: "In Setup…", App: app, Certificate: "New",
			Timeout: time.Second,
			Wait: func(ctx context.Context) error {
				if !changed.Load() {
					return errors.New("not changed")
				}
				return nil
			}}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)}, rotation.WithObserver(rec),
			rotation.WithConfirm(func(ctx context.Context, req rotation.ManualRequest) error {
				got = req
				changed.Store(true)
				return nil
			}))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
		assert.Equal(t, int32(1), applies.Load(), "Apply is not called again")
		assert.Equal(t, "pin", got.Step)
		assert.Equal(t, "set X", got.Action)
		assert.Equal(t, "In Setup…", got.Instructions)
		assert.Equal(t, app, got.App)
		assert.Equal(t, "New", got.Certificate)
		assert.False(t, got.Rollback)
		assert.Equal(t, time.Second, got.Timeout)
		assert.WithinDuration(t, time.Now().Add(time.Second), got.Deadline, time.Second)
		waiting := rec.of(rotation.EventWaiting)
		require.Len(t, waiting, 1)
		assert.Equal(t, &got, waiting[0].Manual)
	})
	t.Run("wait only", func(t *testing.T) {
		var applies atomic.Int32
		mae := &rotation.ManualActionError{Action: "set X", Wait: func(context.Context) error { return nil }}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)})
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
	})
	t.Run("nobody to ask", func(t *testing.T) {
		var applies atomic.Int32
		mae := &rotation.ManualActionError{Action: "set X"}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)})
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		require.ErrorIs(t, err, rotation.ErrManualAction)
		var got *rotation.ManualActionError
		require.ErrorAs(t, err, &got)
		assert.Same(t, mae, got)
	})
	t.Run("timeout", func(t *testing.T) {
		var applies atomic.Int32
		mae := &rotation.ManualActionError{Action: "set X", Instructions: "edit X",
			Wait: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)}, rotation.WithManualTimeout(20*time.Millisecond))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, rotation.ErrManualAction)
		var ge *rotation.ManualGateError
		require.ErrorAs(t, err, &ge)
		assert.True(t, ge.TimedOut)
		assert.Equal(t, 20*time.Millisecond, ge.Timeout)
		assert.Contains(t, err.Error(), `timed out after 20ms waiting for the change of manual action "set X" (edit X)`)
	})
	t.Run("timeout with another error", func(t *testing.T) {
		var applies atomic.Int32
		mae := &rotation.ManualActionError{Action: "set X", Timeout: 10 * time.Millisecond}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)},
			rotation.WithConfirm(func(ctx context.Context, _ rotation.ManualRequest) error {
				<-ctx.Done()
				return errors.New("operator did not answer")
			}))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, "waiting for confirmation")
	})
	t.Run("refused", func(t *testing.T) {
		var applies atomic.Int32
		refused := errors.New("operator said no")
		mae := &rotation.ManualActionError{Action: "set X", Wait: func(context.Context) error { t.Error("Wait after a refusal"); return nil }}
		r, err := rotation.New([]rotation.Step{manualStep(mae, &applies)},
			rotation.WithConfirm(func(context.Context, rotation.ManualRequest) error { return refused }))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		require.ErrorIs(t, err, refused)
		require.ErrorIs(t, err, rotation.ErrManualAction)
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), `manual action "set X": confirmation failed: operator said no`)
	})
	t.Run("in rollback", func(t *testing.T) {
		rec := &recorder{}
		var restored atomic.Bool
		undo := rotation.StepFunc("pin", "pin", nil, func(context.Context, *rotation.State) error {
			if restored.Load() {
				return nil
			}
			return &rotation.ManualActionError{Action: "restore X", App: app, Certificate: "Old",
				Wait: func(context.Context) error {
					if !restored.Load() {
						return errors.New("not restored")
					}
					return nil
				}}
		})
		r, err := rotation.New([]rotation.Step{undo, failing("b", errors.New("cause"), new([]string))},
			rotation.WithObserver(rec),
			rotation.WithConfirm(func(_ context.Context, req rotation.ManualRequest) error {
				assert.True(t, req.Rollback)
				assert.Equal(t, "Old", req.Certificate)
				restored.Store(true)
				return nil
			}))
		require.NoError(t, err)
		var re *rotation.RotationError
		require.ErrorAs(t, r.Run(t.Context(), &rotation.State{}), &re)
		assert.True(t, re.RolledBack)
		waiting := rec.of(rotation.EventWaiting)
		require.Len(t, waiting, 1)
		assert.True(t, waiting[0].Rollback)
	})
}
