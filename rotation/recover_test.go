package rotation_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// ticketStep is a tool's own step, inserted after trust: it opens a change
// ticket and closes it on rollback.
type ticketStep struct{ open, applies, rollbacks atomic.Int32 }

func (s *ticketStep) step() rotation.Step {
	return rotation.StepFunc("ticket", "open a change ticket", func(context.Context, *rotation.State) error {
		s.applies.Add(1)
		s.open.Store(1)
		return nil
	}, func(context.Context, *rotation.State) error {
		s.rollbacks.Add(1)
		s.open.Store(0)
		return nil
	})
}

// crashedWithTicket runs an org plan with the ticket step after trust
// until the process dies right after the journal records doneStep done,
// and returns the journal it left.
func crashedWithTicket(t *testing.T, w *orgWorld, plan *rotation.OrgPlan, tk *ticketStep, doneStep string) *rotation.MemoryJournal {
	t.Helper()
	j := rotation.NewMemoryJournal()
	r := w.rotator(t, plan, rotation.WithStepAfter(rotation.StepTrust, tk.step()),
		rotation.WithJournal(crashJournal{j, func(rec *rotation.JournalRecord) bool {
			i := slices.IndexFunc(rec.Steps, func(s rotation.StepRecord) bool { return s.Name == doneStep })
			return rec.Steps[i].Status == rotation.StepDone
		}}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.Run(t.Context(), plan.NewState("custom"))
		t.Error("the rotation should have crashed")
	}()
	<-done
	return j
}

// TestResumeAndRollBackWithCustomSteps kills a tool's rotation that has a
// custom step and recovers it through the public functions, with the
// tool's steps given in another order than the journal's.
func TestResumeAndRollBackWithCustomSteps(t *testing.T) {
	t.Run("resume", func(t *testing.T) {
		w := newOrgWorld(t)
		initial := w.snapshot()
		plan := newPlan(t, w)
		tk := &ticketStep{}
		j := crashedWithTicket(t, w, plan, tk, rotation.StepActivate)
		rec, err := j.Load(t.Context())
		require.NoError(t, err)

		// The Rotator of the org plan's steps alone refuses the journal.
		err = w.rotator(t, plan).Resume(t.Context(), rec, rotation.ResumeContinue)
		require.ErrorIs(t, err, rotation.ErrPlanMismatch)

		steps := append([]rotation.Step{tk.step()}, plan.Steps()...)
		require.NoError(t, rotation.Resume(t.Context(), j, steps, rotation.WithConfirm(w.admin)))
		last, err := j.Load(t.Context())
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusSucceeded, last.Status)
		assert.Equal(t, rec.StepNames(), last.StepNames(), "the journal's order")
		requireRotated(t, w, initial, last.State)
		assert.Equal(t, int32(1), tk.applies.Load(), "the ticket step was done before the crash: not applied again")
		assert.Equal(t, int32(1), tk.open.Load())
	})
	t.Run("roll back", func(t *testing.T) {
		w := newOrgWorld(t)
		initial := w.snapshot()
		plan := newPlan(t, w)
		tk := &ticketStep{}
		j := crashedWithTicket(t, w, plan, tk, rotation.StepActivate)

		// Without the ticket step, which is done and must be undone: refused
		// before anything changes, naming the step.
		err := rotation.RollBack(t.Context(), j, plan.Steps(), rotation.WithConfirm(w.admin))
		var pm *rotation.PlanMismatchError
		require.ErrorAs(t, err, &pm)
		assert.Equal(t, []string{"ticket"}, pm.Missing)
		assert.Contains(t, err.Error(), "ticket")
		assert.NotEqual(t, initial, w.snapshot(), "nothing was rolled back")

		require.NoError(t, rotation.RollBack(t.Context(), j, append(plan.Steps(), tk.step()), rotation.WithConfirm(w.admin)))
		assert.Equal(t, initial, w.snapshot())
		assert.Equal(t, int32(1), tk.rollbacks.Load())
		assert.Equal(t, int32(0), tk.open.Load())
		last, err := j.Load(t.Context())
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusRolledBack, last.Status)
	})
	t.Run("roll back without a custom step that never ran", func(t *testing.T) {
		w := newOrgWorld(t)
		initial := w.snapshot()
		plan := newPlan(t, w)
		tk := &ticketStep{}
		j := crashedWithTicket(t, w, plan, tk, rotation.StepStage)

		// What a tool without the custom step (the CLI) can do: the ticket
		// step never started, so there is nothing of it to undo.
		require.NoError(t, rotation.RollBack(t.Context(), j, plan.Steps(), rotation.WithConfirm(w.admin)))
		assert.Equal(t, initial, w.snapshot())
		assert.Zero(t, tk.applies.Load()+tk.rollbacks.Load())

		// Resuming forward would need it.
		w2 := newOrgWorld(t)
		plan2 := newPlan(t, w2)
		j2 := crashedWithTicket(t, w2, plan2, &ticketStep{}, rotation.StepStage)
		err := rotation.Resume(t.Context(), j2, plan2.Steps(), rotation.WithConfirm(w2.admin))
		var pm *rotation.PlanMismatchError
		require.ErrorAs(t, err, &pm)
		assert.Equal(t, []string{"ticket"}, pm.Missing)
	})
	t.Run("a step the journal does not name", func(t *testing.T) {
		w := newOrgWorld(t)
		plan := newPlan(t, w)
		j := crashedWithTicket(t, w, plan, &ticketStep{}, rotation.StepStage)
		extra := rotation.StepFunc("extra", "", func(context.Context, *rotation.State) error { return nil }, nil)
		err := rotation.Resume(t.Context(), j, append(plan.Steps(), (&ticketStep{}).step(), extra))
		var pm *rotation.PlanMismatchError
		require.ErrorAs(t, err, &pm)
		assert.Equal(t, []string{"extra"}, pm.Unknown)
	})
}
