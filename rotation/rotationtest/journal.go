package rotationtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// TestJournal is the conformance suite of rotation.Journal. newJournal is
// called once per subtest and must return an empty journal.
func TestJournal(t *testing.T, newJournal func(t *testing.T) rotation.Journal) {
	ctx := context.Background()
	record := func(id string, status rotation.RecordStatus) *rotation.JournalRecord {
		return &rotation.JournalRecord{
			Version: rotation.JournalVersion, RotationID: id, Target: "org",
			Steps:  []rotation.StepRecord{{Name: "a", Status: rotation.StepDone}, {Name: "b", Status: rotation.StepPending}},
			State:  &rotation.State{ID: id, Target: "org", StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), New: rotation.Certificate{Name: "n", SHA256: "AB"}},
			Status: status, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC),
		}
	}
	t.Run("empty", func(t *testing.T) {
		_, err := newJournal(t).Load(ctx)
		require.ErrorIs(t, err, rotation.ErrNotFound)
	})
	t.Run("create, save, load the last", func(t *testing.T) {
		j := newJournal(t)
		require.NoError(t, j.Create(ctx, record("r1", rotation.StatusRunning)))
		got, err := j.Load(ctx)
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusRunning, got.Status)
		assert.Equal(t, "r1", got.State.ID)
		assert.Equal(t, "AB", got.State.New.SHA256)
		require.NoError(t, j.Save(ctx, record("r1", rotation.StatusSucceeded)))
		got, err = j.Load(ctx)
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusSucceeded, got.Status)
		assert.Equal(t, []string{"a", "b"}, got.StepNames())
	})
	t.Run("a rotation id is used once", func(t *testing.T) {
		j := newJournal(t)
		require.NoError(t, j.Create(ctx, record("r1", rotation.StatusRunning)))
		require.ErrorIs(t, j.Create(ctx, record("r1", rotation.StatusRunning)), rotation.ErrJournalExists)
		require.ErrorIs(t, j.Create(ctx, record("r2", rotation.StatusRunning)), rotation.ErrJournalExists)
	})
	t.Run("another rotation's record is refused", func(t *testing.T) {
		j := newJournal(t)
		require.NoError(t, j.Create(ctx, record("r1", rotation.StatusSucceeded)))
		require.ErrorIs(t, j.Save(ctx, record("r2", rotation.StatusRunning)), rotation.ErrJournalExists)
		got, err := j.Load(ctx)
		require.NoError(t, err)
		assert.Equal(t, "r1", got.RotationID, "never overwritten")
		assert.Equal(t, rotation.StatusSucceeded, got.Status)
	})
	t.Run("save into an empty journal", func(t *testing.T) {
		j := newJournal(t)
		require.NoError(t, j.Save(ctx, record("copied", rotation.StatusRollingBack)))
		got, err := j.Load(ctx)
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusRollingBack, got.Status)
	})
	t.Run("load returns a copy", func(t *testing.T) {
		j := newJournal(t)
		rec := record("r1", rotation.StatusRunning)
		require.NoError(t, j.Create(ctx, rec))
		rec.Status, rec.State.New.SHA256 = rotation.StatusDirty, "CHANGED"
		got, err := j.Load(ctx)
		require.NoError(t, err)
		got.Steps[0].Status = rotation.StepFailed
		again, err := j.Load(ctx)
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusRunning, again.Status)
		assert.Equal(t, "AB", again.State.New.SHA256)
		assert.Equal(t, rotation.StepDone, again.Steps[0].Status)
	})
	t.Run("concurrent creates: exactly one wins", func(t *testing.T) {
		j := newJournal(t)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = j.Create(ctx, record("same", rotation.StatusRunning)) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, rotation.ErrJournalExists)
		}
		assert.Equal(t, 1, won)
	})
}
