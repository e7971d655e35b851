package evidence

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// TestCrashMatrix stops an overlap rotation after every step boundary k
// with no rollback, as a crash would, and takes it over from its journal
// file in a new plan rebuilt from the journaled options (as another process
// would): ResumeContinue ends fully rotated, ResumeRollback ends exactly
// where the world began.
//
// Two crashes are simulated at each boundary: "between steps" (steps 1..k
// done, the rest pending, the journal's last record) and "in step k+1" (the
// journal already says step k+1 is running, but the process died before
// it changed anything, so its Apply and Rollback must both cope).
func TestCrashMatrix(t *testing.T) {
	w0 := newWorld(t, worldOptions())
	steps := w0.plan().Steps()
	const id = "crash"
	for k := 1; k <= len(steps); k++ {
		for _, where := range []string{"between steps", "in step k+1"} {
			if where == "in step k+1" && k == len(steps) {
				continue
			}
			for _, mode := range []rotation.ResumeMode{rotation.ResumeContinue, rotation.ResumeRollback} {
				t.Run(fmt.Sprintf("after_%s/%s/%v", steps[k-1].Name(), where, mode), func(t *testing.T) {
					w := newWorld(t, worldOptions())
					dir := t.TempDir()
					path := filepath.Join(dir, "journal.json")
					t.Cleanup(func() { require.NoError(t, w.capture.journalDir(dir)) })

					// The first k steps of the plan, journaled to a file,
					// then the process "dies": nothing rolls back.
					plan := w.plan()
					first := w.rotator(plan.Steps()[:k], rotation.WithJournal(rotation.FileJournal(path)))
					st := plan.NewState(id)
					require.NoError(t, first.Run(context.Background(), st))

					rec, err := rotation.LoadJournal(path)
					require.NoError(t, err)
					rec = crashed(rec, steps, k, where == "in step k+1")
					require.NoError(t, rotation.FileJournal(path).Save(context.Background(), rec))

					resumeElsewhere(t, w, path, mode, id)
					final, err := rotation.LoadJournal(path)
					require.NoError(t, err)
					want := rotation.StatusSucceeded
					if mode == rotation.ResumeRollback {
						want = rotation.StatusRolledBack
					}
					require.Equal(t, want, final.Status)
				})
			}
		}
	}
}

// resumeElsewhere takes over the rotation journaled at path as another
// process would (its own backend, the journal loaded, the plan rebuilt from
// the options it records), resumes it in mode and checks that it ends fully
// rotated (continue) or as the world began (rollback).
func resumeElsewhere(t *testing.T, w *world, path string, mode rotation.ResumeMode, id string) {
	t.Helper()
	rec, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	opts, err := rotation.OrgOptionsFrom(rec.State)
	require.NoError(t, err)
	plan, err := rotation.NewOrgPlan(w.NewIdP(), w.RP, append(opts, rotation.WithOrgLogger(w.logger))...)
	require.NoError(t, err)
	r := w.rotator(plan.Steps(), rotation.WithJournal(rotation.FileJournal(path)))
	err = r.Resume(context.Background(), rec, mode)
	w.capture.err(err)
	require.NoError(t, err)
	if mode == rotation.ResumeContinue {
		w.requireState(t, "rotated", id)
	} else {
		w.requireState(t, "initial", id)
	}
}

// crashed turns the journal record of a finished run of the first k steps
// into the record a crash of the whole plan would have left: those k steps
// done, the next one running (when inStep) and the rest pending.
func crashed(rec *rotation.JournalRecord, all []rotation.Step, k int, inStep bool) *rotation.JournalRecord {
	rec.Steps = nil
	for i, s := range all {
		status := rotation.StepPending
		switch {
		case i < k:
			status = rotation.StepDone
		case i == k && inStep:
			status = rotation.StepRunning
		}
		rec.Steps = append(rec.Steps, rotation.StepRecord{Name: s.Name(), Status: status})
	}
	rec.Status = rotation.StatusRunning
	return rec
}

// TestCrashAtEveryMutatingCall kills a rotation in the middle of a step:
// just before each mutating API call of a clean run, and just before the
// call that follows it (the change made, its answer lost), the call blocks
// for good, as if the process had died there, with some of the step's
// changes made and others not. Another process then resumes from the journal as
// the crash left it (the step "running", its partial changes unknown to
// the journaled state): continue ends fully rotated, rollback ends where
// the world began.
func TestCrashAtEveryMutatingCall(t *testing.T) {
	const id = "midstep"
	calls := recordCalls(t, id)
	crashes := 0
	for i, c := range calls {
		if !c.mutating() && (i == 0 || !calls[i-1].mutating()) {
			continue
		}
		crashes++
		for _, mode := range []rotation.ResumeMode{rotation.ResumeContinue, rotation.ResumeRollback} {
			t.Run(fmt.Sprintf("%03d_%s/%v", i, c.Op, mode), func(t *testing.T) {
				w := newWorld(t, worldOptions())
				dir := t.TempDir()
				dead, resumed := filepath.Join(dir, "dead.json"), filepath.Join(dir, "resumed.json")
				t.Cleanup(func() { require.NoError(t, w.capture.journalDir(dir)) })

				reached, release := make(chan struct{}), make(chan struct{})
				w.setInject(func(j int, _ apiCall) *fault {
					if j != i {
						return nil
					}
					close(reached)
					<-release
					return &fault{Code: "SERVER_UNAVAILABLE"}
				})
				plan := w.plan()
				old := w.rotator(plan.Steps(), rotation.WithJournal(rotation.FileJournal(dead)))
				done := make(chan struct{})
				go func() {
					defer close(done)
					_ = old.Run(context.Background(), plan.NewState(id))
				}()
				// The dead process's request is released (and fails) only
				// after the test, so it never changes the world under the
				// resumed rotation; it must end before the world closes.
				t.Cleanup(func() { close(release); <-done })
				<-reached

				rec, err := rotation.LoadJournal(dead)
				require.NoError(t, err)
				require.Equal(t, rotation.StatusRunning, rec.Status)
				require.NoError(t, rotation.FileJournal(resumed).Save(context.Background(), rec))
				resumeElsewhere(t, w, resumed, mode, id)
			})
		}
	}
	t.Logf("crashed at %d points around the mutating calls of %d calls, resumed both ways", crashes, len(calls))
	require.Positive(t, crashes)
}
