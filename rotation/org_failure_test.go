package rotation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// A permanent failure of any one mutating call, in either provider, leaves
// both exactly as they were, for both strategies.
func TestOrgPlanFailureAtEveryMutatingCallRestoresEverything(t *testing.T) {
	for _, strategy := range []rotation.Strategy{rotation.StrategyOverlap, rotation.StrategyDirect} {
		// Count the mutating calls of a clean run.
		w := newOrgWorld(t)
		plan := newPlan(t, w, rotation.WithStrategy(strategy), rotation.WithDeleteOld(false))
		require.NoError(t, w.rotator(t, plan).Run(context.Background(), plan.NewState("count")))
		idpCalls, rpCalls := w.idp.MutatingCalls(), w.rp.MutatingCalls()
		require.Positive(t, idpCalls)
		require.Positive(t, rpCalls)

		for _, side := range []string{"idp", "rp"} {
			n := idpCalls
			if side == "rp" {
				n = rpCalls
			}
			for k := 1; k <= n; k++ {
				t.Run(fmt.Sprintf("%s/%s/%d", strategy, side, k), func(t *testing.T) {
					w := newOrgWorld(t)
					initial := w.snapshot()
					boom := rotation.Permanent(errors.New("injected"))
					if side == "idp" {
						w.idp.FailCall(rotationtest.Any, k, boom)
					} else {
						w.rp.FailCall(rotationtest.Any, k, boom)
					}
					plan := newPlan(t, w, rotation.WithStrategy(strategy))
					err := w.rotator(t, plan).Run(context.Background(), plan.NewState(fmt.Sprintf("f%d", k)))
					var re *rotation.RotationError
					require.ErrorAs(t, err, &re)
					assert.True(t, re.RolledBack, "rollback complete: %v", err)
					assert.Equal(t, initial, w.snapshot())
				})
			}
		}
	}
}

// A verification that keeps failing (here: a custom step puts the original
// document back behind the rotation's back) rolls everything back.
func TestOrgPlanVerifyFailureRollsBack(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	original := bytes.Clone(w.rp.Document(arnOrg1))
	tamper := rotation.StepFunc("tamper", "put the original document back", func(context.Context, *rotation.State) error {
		return w.rp.AddTrust(orgNorth.Trust, original)
	}, nil)
	plan := newPlan(t, w)
	r := w.rotator(t, plan, rotation.WithStepBefore(rotation.StepVerify, tamper))
	err := r.Run(context.Background(), plan.NewState("v1"))
	var ve *rotation.VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Error(), arnOrg1)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, rotation.StepVerify, re.Step)
	assert.True(t, re.RolledBack)
	assert.Equal(t, initial, w.snapshot())
}

// Resuming after a crash at any step boundary ends fully rotated, and
// rolling back from it ends where it began.
func TestOrgPlanResumeAfterCrashAtEveryStep(t *testing.T) {
	w0 := newOrgWorld(t)
	steps := newPlan(t, w0).Steps()
	for k := 1; k <= len(steps); k++ {
		for _, mode := range []rotation.ResumeMode{rotation.ResumeContinue, rotation.ResumeRollback} {
			t.Run(fmt.Sprintf("%s/%v", steps[k-1].Name(), mode), func(t *testing.T) {
				w := newOrgWorld(t)
				initial := w.snapshot()
				plan := newPlan(t, w)
				j := rotation.NewMemoryJournal()
				// Crash: run the first k steps with a journal, then drop the
				// process (no rollback) by running them as their own rotator.
				first, err := rotation.New(plan.Steps()[:k], rotation.WithJournal(j), rotation.WithConfirm(w.admin))
				require.NoError(t, err)
				st := plan.NewState("crash")
				require.NoError(t, first.Run(context.Background(), st))
				rec, err := j.Load(context.Background())
				require.NoError(t, err)
				rec = asCrashed(t, rec, plan.Steps())

				r := w.rotator(t, plan, rotation.WithJournal(j))
				require.NoError(t, r.Resume(context.Background(), rec, mode))
				if mode == rotation.ResumeContinue {
					requireRotated(t, w, initial, rec.State)
				} else {
					assert.Equal(t, initial, w.snapshot())
				}
			})
		}
	}
}

// asCrashed turns the record of a finished run of a plan prefix into the
// record a crash of the whole plan would have left.
func asCrashed(t *testing.T, rec *rotation.JournalRecord, all []rotation.Step) *rotation.JournalRecord {
	t.Helper()
	done := len(rec.Steps)
	rec.Steps = nil
	for i, s := range all {
		status := rotation.StepPending
		if i < done {
			status = rotation.StepDone
		}
		rec.Steps = append(rec.Steps, rotation.StepRecord{Name: s.Name(), Status: status})
	}
	rec.Status = rotation.StatusRunning
	return rec
}
