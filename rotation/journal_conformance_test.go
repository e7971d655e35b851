package rotation_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// Every Journal of the package passes the conformance suite.
func TestJournalConformance(t *testing.T) {
	t.Run("FileJournal", func(t *testing.T) {
		rotationtest.TestJournal(t, func(t *testing.T) rotation.Journal {
			return rotation.FileJournal(filepath.Join(t.TempDir(), "journal.json"))
		})
	})
	t.Run("JournalDir", func(t *testing.T) {
		rotationtest.TestJournal(t, func(t *testing.T) rotation.Journal { return rotation.JournalDir(t.TempDir()).Journal("r") })
	})
	t.Run("MemoryJournal", func(t *testing.T) {
		rotationtest.TestJournal(t, func(*testing.T) rotation.Journal { return rotation.NewMemoryJournal() })
	})
}

// Rotations started in the same second, by one process or several, get
// distinct ids and journal files; none overwrites another.
func TestRotationsInOneSecondKeepTheirJournals(t *testing.T) {
	dir := rotation.JournalDir(t.TempDir())
	now := time.Date(2026, 11, 27, 8, 48, 48, 0, time.UTC)
	const n = 3
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var log []string
			ids[i] = rotation.NewRotationID(now)
			r, err := rotation.New([]rotation.Step{noop("a", &log)}, rotation.WithJournal(dir.Journal(ids[i])))
			if err == nil {
				err = r.Run(context.Background(), &rotation.State{ID: ids[i], StartedAt: now})
			}
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	recs, err := dir.Rotations(context.Background())
	require.NoError(t, err)
	require.Len(t, recs, n, "one journal per rotation")
	seen := map[string]bool{}
	for _, r := range recs {
		assert.Equal(t, rotation.StatusSucceeded, r.Status)
		seen[r.RotationID] = true
	}
	assert.Len(t, seen, n, "distinct ids: %v", ids)
}

// A plan run with an id whose journal exists is refused before any step,
// and the journal is left as it was.
func TestRunWithAUsedIDIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.json")
	var log []string
	r, err := rotation.New([]rotation.Step{noop("a", &log)}, rotation.WithJournal(rotation.FileJournal(path)))
	require.NoError(t, err)
	require.NoError(t, r.Run(context.Background(), &rotation.State{ID: "once"}))
	before, err := rotation.LoadJournal(path)
	require.NoError(t, err)

	err = r.Run(context.Background(), &rotation.State{ID: "once"})
	require.ErrorIs(t, err, rotation.ErrJournalExists)
	assert.Equal(t, []string{"apply a"}, log, "the second run ran no step")
	after, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}
