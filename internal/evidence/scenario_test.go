package evidence

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// The three ordinary operator actions that broke single sign-on while the
// rotation reported success. Each test signs in to every contact center
// through the fake AWS sign-in endpoint after every operation.

// requireSignIns fails unless every contact center of the world signs in.
func requireSignIns(t *testing.T, w *world, after string) {
	t.Helper()
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(context.Background(), cc), "after %s: sign-in to %s", after, cc.Name)
	}
}

// A subset rotation must not break a contact center left out of it: in the
// default world ContactCenter03 is pinned to its own certificate and
// shares account 1's IAM provider with ContactCenter01, so retiring that
// provider's old certificates must keep ContactCenter03's.
func TestScenarioSubsetKeepsWhatALeftOutAppNeeds(t *testing.T) {
	w := newWorld(t, worldOptions())
	requireSignIns(t, w, "start")
	_, err := w.rotate("subset", []rotation.OrgOption{rotation.WithContactCenters("ContactCenter01", "ContactCenter02")})
	require.NoError(t, err)
	requireSignIns(t, w, "rotating ContactCenter01 and ContactCenter02")
	require.NotEqual(t, w.initial.IAM[w.ContactCenters[0].ProviderARN], w.Snapshot().IAM[w.ContactCenters[0].ProviderARN],
		"the shared provider was rotated")
}

// runJournaled runs a whole rotation with id journaled in dir and returns
// the journal's path.
func runJournaled(t *testing.T, w *world, dir, id string) string {
	t.Helper()
	path := filepath.Join(dir, id+".json")
	plan := w.plan()
	err := w.rotator(plan.Steps(), rotation.WithJournal(rotation.FileJournal(path))).Run(context.Background(), plan.NewState(id))
	w.capture.err(err)
	require.NoError(t, err)
	return path
}

// resumeJournal resumes the rotation journaled at path in mode, as another
// process would, and returns the error.
func resumeJournal(t *testing.T, w *world, path string, mode rotation.ResumeMode, extra ...rotation.OrgOption) error {
	t.Helper()
	rec, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	opts, err := rotation.OrgOptionsFrom(rec.State)
	require.NoError(t, err)
	plan, err := rotation.NewOrgPlan(w.NewIdP(), w.RP, append(append(opts, rotation.WithOrgLogger(w.logger)), extra...)...)
	require.NoError(t, err)
	err = w.rotator(plan.Steps(), rotation.WithJournal(rotation.FileJournal(path))).Resume(context.Background(), rec, mode)
	w.capture.err(err)
	return err
}

// Rolling back an older rotation A after a newer one B is refused with
// nothing changed; B then rolls back to where A left the org, and A's
// rollback after that restores the start.
func TestScenarioRollbackOfAnOlderRotationIsRefused(t *testing.T) {
	w := newWorld(t, worldOptions())
	dir := t.TempDir()
	t.Cleanup(func() { require.NoError(t, w.capture.journalDir(dir)) })
	a := runJournaled(t, w, dir, "rotation-a")
	afterA := w.Snapshot()
	b := runJournaled(t, w, dir, "rotation-b")
	afterB := w.Snapshot()
	requireSignIns(t, w, "two rotations")

	require.Error(t, resumeJournal(t, w, a, rotation.ResumeRollback), "rolling back A under B is refused")
	assert.Equal(t, afterB, w.Snapshot(), "a refused rollback changes nothing")
	requireSignIns(t, w, "the refused rollback of A")

	require.NoError(t, resumeJournal(t, w, b, rotation.ResumeRollback))
	assert.Equal(t, afterA, w.Snapshot(), "B's rollback restores what A left")
	requireSignIns(t, w, "the rollback of B")

	require.NoError(t, resumeJournal(t, w, a, rotation.ResumeRollback))
	w.requireState(t, "initial", "rotation-a")
	requireSignIns(t, w, "the rollback of A")
}

// A rollback interrupted by a crash leaves a journal that does not say
// "succeeded", and resuming it continues the rollback instead of carrying
// the rotation forward again.
func TestScenarioInterruptedRollbackIsContinued(t *testing.T) {
	w := newWorld(t, worldOptions())
	dir := t.TempDir()
	t.Cleanup(func() { require.NoError(t, w.capture.journalDir(dir)) })
	path := runJournaled(t, w, dir, "interrupted")
	dead := filepath.Join(dir, "dead.json")

	// The rollback's first mutating Salesforce call (restoring the org
	// default, after IAM got its overlap documents back) blocks for good:
	// the process died there.
	reached, release := make(chan struct{}), make(chan struct{})
	var seen atomic.Bool
	w.setInject(func(_ int, c apiCall) *fault {
		if c.Service != "sf" || !c.mutating() || seen.Swap(true) {
			return nil
		}
		close(reached)
		<-release
		return &fault{Code: "SERVER_UNAVAILABLE"}
	})
	rec, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	require.NoError(t, rotation.FileJournal(dead).Save(context.Background(), rec))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = resumeJournal(t, w, dead, rotation.ResumeRollback)
	}()
	t.Cleanup(func() { close(release); <-done })
	<-reached
	requireSignIns(t, w, "the crash in the rollback")

	crashed, err := rotation.LoadJournal(dead)
	require.NoError(t, err)
	assert.NotEqual(t, rotation.StatusSucceeded, crashed.Status, "the journal of an interrupted rollback does not say succeeded")
	resumed := filepath.Join(dir, "resumed.json")
	require.NoError(t, rotation.FileJournal(resumed).Save(context.Background(), crashed))
	w.setInject(nil)
	require.NoError(t, resumeJournal(t, w, resumed, rotation.ResumeContinue))
	w.requireState(t, "initial", "interrupted")
	requireSignIns(t, w, "resuming the interrupted rollback")
	final, err := rotation.LoadJournal(resumed)
	require.NoError(t, err)
	assert.Equal(t, rotation.StatusRolledBack, final.Status)
}
