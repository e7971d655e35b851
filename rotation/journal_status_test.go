package rotation_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// The journal says "rollingback" before the first Rollback is called, and
// "succeeded" never once a rollback started.
func TestJournalSaysRollingBackBeforeTheFirstRollback(t *testing.T) {
	var log []string
	j := rotation.NewMemoryJournal()
	var statusAtRollback rotation.RecordStatus
	spy := rotation.StepFunc("b", "", func(context.Context, *rotation.State) error { return errors.New("no") },
		func(ctx context.Context, _ *rotation.State) error {
			rec, err := j.Load(ctx)
			if err != nil {
				return err
			}
			statusAtRollback = rec.Status
			return nil
		})
	r, err := rotation.New([]rotation.Step{noop("a", &log), spy}, rotation.WithJournal(j))
	require.NoError(t, err)
	require.Error(t, r.Run(context.Background(), &rotation.State{ID: "r"}))
	assert.Equal(t, rotation.StatusRollingBack, statusAtRollback)
	for _, rec := range j.History() {
		assert.NotEqual(t, rotation.StatusSucceeded, rec.Status)
	}
}

// Resuming an interrupted rollback, in either mode, continues the rollback
// and never applies a step again.
func TestResumeOfAnInterruptedRollbackContinuesIt(t *testing.T) {
	for _, mode := range []rotation.ResumeMode{rotation.ResumeContinue, rotation.ResumeRollback} {
		t.Run(mode.String(), func(t *testing.T) {
			var log []string
			r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log), noop("c", &log)})
			require.NoError(t, err)
			rec := &rotation.JournalRecord{Version: rotation.JournalVersion, RotationID: "r", State: &rotation.State{ID: "r"},
				Status: rotation.StatusRollingBack, Steps: []rotation.StepRecord{
					{Name: "a", Status: rotation.StepDone}, {Name: "b", Status: rotation.StepDone}, {Name: "c", Status: rotation.StepRolledBack}}}
			require.NoError(t, r.Resume(context.Background(), rec, mode))
			assert.Equal(t, []string{"rollback b", "rollback a"}, log)
			assert.False(t, slices.ContainsFunc(log, func(s string) bool { return s == "apply a" || s == "apply c" }))
		})
	}
}
