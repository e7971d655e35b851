package rotation

import (
	"context"
	"errors"
	"fmt"
)

// Resume continues the rotation that journal holds, typically one a
// crashed or killed process left behind, with steps: a tool's own steps,
// custom ones included, in any order. The steps are matched to the
// journal's by name and run in the journal's order, so a tool passes what
// it ran (for an org plan: [OrgPlan.Steps] of the plan rebuilt with
// [OrgOptionsFrom], and its own steps, or the same [WithStepBefore] and
// [WithStepAfter] hooks in opts). opts configure the Rotator as for [New];
// journal is its journal (a [WithJournal] in opts is overridden).
//
// A step the journal names and steps lack is only accepted where it has
// nothing left to do: while the rotation is only rolled back (see below),
// a step that never started or is rolled back already. Any other missing
// step, and any step the journal does not name, makes Resume fail with a
// *[PlanMismatchError] (matching [ErrPlanMismatch]) before anything runs.
//
// As [Rotator.Resume] in ResumeContinue mode: a rollback that was
// interrupted is continued, never applied again, and a rotation already
// rolled back is refused.
func Resume(ctx context.Context, journal Journal, steps []Step, opts ...Option) error {
	return recoverJournal(ctx, journal, steps, ResumeContinue, opts)
}

// RollBack rolls back, last first, every step of the rotation that journal
// holds that may have changed something, with steps matched to the
// journal's by name as for [Resume]. It returns nil once every step is
// rolled back, and otherwise a *[RotationError] whose cause is
// [ErrRollbackRequested].
func RollBack(ctx context.Context, journal Journal, steps []Step, opts ...Option) error {
	return recoverJournal(ctx, journal, steps, ResumeRollback, opts)
}

func recoverJournal(ctx context.Context, journal Journal, steps []Step, mode ResumeMode, opts []Option) error {
	if journal == nil {
		return fmt.Errorf("rotation: %s: nil journal: %w", mode, ErrInvalidInput)
	}
	rec, err := journal.Load(ctx)
	if err != nil {
		return fmt.Errorf("rotation: %s: load the journal: %w", mode, err)
	}
	// The hooks of opts apply first, so that the names are the ones run.
	r, err := New(steps, opts...)
	if err != nil {
		return err
	}
	ordered, err := matchSteps(rec, r.steps, mode == ResumeRollback || rec.rollingBack())
	if err != nil {
		return err
	}
	r.steps = ordered
	r.cfg.journal = journal
	return r.Resume(ctx, rec, mode)
}

// matchSteps returns steps in the order of rec's, by name. A step rec names
// and steps lack stands in as a step that fails if called, where only a
// rollback runs and the step has nothing to undo.
func matchSteps(rec *JournalRecord, steps []Step, rollbackOnly bool) ([]Step, error) {
	byName := make(map[string]Step, len(steps))
	for _, s := range steps {
		byName[s.Name()] = s
	}
	mismatch := &PlanMismatchError{Journal: rec.StepNames()}
	for _, s := range steps {
		mismatch.Plan = append(mismatch.Plan, s.Name())
	}
	out := make([]Step, len(rec.Steps))
	for i, sr := range rec.Steps {
		if s, ok := byName[sr.Name]; ok {
			out[i] = s
			delete(byName, sr.Name)
			continue
		}
		if !rollbackOnly || sr.Status.needsRollback() {
			mismatch.Missing = append(mismatch.Missing, sr.Name)
			continue
		}
		out[i] = absentStep(sr.Name)
	}
	for _, s := range steps {
		if _, extra := byName[s.Name()]; extra {
			mismatch.Unknown = append(mismatch.Unknown, s.Name())
		}
	}
	if len(mismatch.Missing) > 0 || len(mismatch.Unknown) > 0 {
		return nil, mismatch
	}
	return out, nil
}

// absentStep stands for a journaled step the caller did not give; matchSteps
// uses it only where it is never called.
func absentStep(name string) Step {
	err := errors.New("rotation: step " + name + " of the journal was not given")
	return StepFunc(name, "(not given)", func(context.Context, *State) error { return err },
		func(context.Context, *State) error { return err })
}
