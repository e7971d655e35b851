package rotation_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

func TestFileJournal(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "rotation.json")
	j := rotation.FileJournal(path)
	_, err := j.Load(ctx)
	require.ErrorIs(t, err, rotation.ErrNotFound)

	s := &rotation.State{ID: "r1", Target: orgID}
	s.SetValue("ticket", "CHG-1")
	rec := &rotation.JournalRecord{Version: rotation.JournalVersion, RotationID: "r1", Target: orgID,
		Steps: []rotation.StepRecord{{Name: "a", Status: rotation.StepDone}}, State: s, Status: rotation.StatusRunning,
		UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	require.NoError(t, j.Save(ctx, rec))
	rec.Status = rotation.StatusSucceeded
	require.NoError(t, j.Save(ctx, rec), "overwrites")

	got, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	assert.Equal(t, rotation.StatusSucceeded, got.Status)
	assert.Equal(t, []string{"a"}, got.StepNames())
	assert.Equal(t, "CHG-1", got.State.Value("ticket"))
	assert.Equal(t, rec.UpdatedAt, got.UpdatedAt)

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "owner only")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	_, err = rotation.LoadJournal(path)
	assert.ErrorContains(t, err, "decode journal record")
	require.NoError(t, os.WriteFile(path, []byte(`{"version":99}`), 0o600))
	_, err = rotation.LoadJournal(path)
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "unknown version")

	bad := rotation.FileJournal(filepath.Join(dir, "missing-dir", "x.json"))
	assert.Error(t, bad.Save(ctx, rec), "a directory that does not exist")
	_, err = rotation.LoadJournal(dir)
	assert.Error(t, err, "a directory is not a journal")
}

func TestMemoryJournal(t *testing.T) {
	ctx := t.Context()
	j := rotation.NewMemoryJournal()
	_, err := j.Load(ctx)
	require.ErrorIs(t, err, rotation.ErrNotFound)
	s := &rotation.State{ID: "r1"}
	rec := &rotation.JournalRecord{Version: rotation.JournalVersion, State: s, Status: rotation.StatusRunning}
	require.NoError(t, j.Save(ctx, rec))
	s.ID = "changed"
	rec.Status = rotation.StatusSucceeded
	require.NoError(t, j.Save(ctx, rec))
	h := j.History()
	require.Len(t, h, 2)
	assert.Equal(t, "r1", h[0].State.ID, "records are deep copies")
	assert.Equal(t, rotation.StatusRunning, h[0].Status)
	last, err := j.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "changed", last.State.ID)
}

// TestRunJournalsEveryStep checks the records a Run writes: before and
// after every step, then the outcome, with the State as it stood.
func TestRunJournalsEveryStep(t *testing.T) {
	var log []string
	j := rotation.NewMemoryJournal()
	write := rotation.StepFunc("b", "b", func(_ context.Context, s *rotation.State) error {
		s.SetValue("b", "done")
		return nil
	}, nil)
	r, err := rotation.New([]rotation.Step{noop("a", &log), write}, rotation.WithJournal(j))
	require.NoError(t, err)
	require.NoError(t, r.Run(t.Context(), &rotation.State{ID: "r1", Target: orgID}))
	var seq []string
	for _, rec := range j.History() {
		line := string(rec.Status) + ":"
		for _, s := range rec.Steps {
			line += " " + string(s.Status)
		}
		seq = append(seq, line)
		assert.Equal(t, "r1", rec.RotationID)
		assert.Equal(t, orgID, rec.Target)
	}
	assert.Equal(t, []string{
		"running: pending pending",
		"running: running pending",
		"running: done pending",
		"running: done running",
		"running: done done",
		"succeeded: done done",
	}, seq)
	h := j.History()
	assert.Empty(t, h[3].State.Value("b"), "before b")
	assert.Equal(t, "done", h[4].State.Value("b"), "after b")
}

// failingJournal fails the n-th Save (1-based).
type failingJournal struct {
	*rotation.MemoryJournal
	n, saves int
}

var errDisk = errors.New("disk full")

func (j *failingJournal) Create(ctx context.Context, rec *rotation.JournalRecord) error {
	j.saves++
	if j.saves == j.n {
		return errDisk
	}
	return j.MemoryJournal.Create(ctx, rec)
}

func (j *failingJournal) Save(ctx context.Context, rec *rotation.JournalRecord) error {
	j.saves++
	if j.saves == j.n {
		return errDisk
	}
	return j.MemoryJournal.Save(ctx, rec)
}

func TestJournalFailures(t *testing.T) {
	cases := []struct {
		save     int
		log      []string
		failStep string // "" when Run fails before any step
	}{
		{1, nil, ""},
		{2, []string{}, "a"},
		{3, []string{"apply a", "rollback a"}, "a"},
		{4, []string{"apply a", "rollback a"}, "b"},
		{5, []string{"apply a", "apply b", "rollback b", "rollback a"}, "b"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.log, ","), func(t *testing.T) {
			log := []string{}
			j := &failingJournal{MemoryJournal: rotation.NewMemoryJournal(), n: c.save}
			r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log)}, rotation.WithJournal(j))
			require.NoError(t, err)
			err = r.Run(t.Context(), &rotation.State{})
			require.ErrorIs(t, err, errDisk)
			var re *rotation.RotationError
			if c.failStep == "" {
				assert.False(t, errors.As(err, &re), "nothing ran")
				assert.Empty(t, log)
				return
			}
			require.ErrorAs(t, err, &re)
			assert.Equal(t, c.failStep, re.Step)
			assert.Equal(t, c.log, log)
			assert.True(t, re.RolledBack)
		})
	}
	t.Run("final record", func(t *testing.T) {
		log := []string{}
		j := &failingJournal{MemoryJournal: rotation.NewMemoryJournal(), n: 6}
		r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log)}, rotation.WithJournal(j))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{ID: "r1"})
		require.ErrorIs(t, err, errDisk)
		assert.ErrorContains(t, err, "every step is applied")
		assert.Equal(t, []string{"apply a", "apply b"}, log, "no rollback of an applied rotation")
	})
	t.Run("during rollback", func(t *testing.T) {
		log := []string{}
		j := &failingJournal{MemoryJournal: rotation.NewMemoryJournal(), n: 5}
		r, err := rotation.New([]rotation.Step{noop("a", &log), failing("b", errors.New("cause"), &log)}, rotation.WithJournal(j))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{})
		var re *rotation.RotationError
		require.ErrorAs(t, err, &re)
		assert.ErrorIs(t, re.Journal, errDisk)
		assert.ErrorIs(t, err, errDisk)
		assert.Contains(t, err.Error(), "; journal: ")
	})
}

var secretWord = regexp.MustCompile(`(?i)secret|token|password|passwd|private|credential|session|apikey|bearer`)

// TestStateHoldsNoSecret walks the JSON form of State, recursively through
// every nested type, and refuses any field name that suggests a secret;
// then it checks the journal of a real rotation on the fakes for key
// material.
func TestStateHoldsNoSecret(t *testing.T) {
	var walk func(t reflect.Type, path string, seen map[reflect.Type]bool) []string
	walk = func(typ reflect.Type, path string, seen map[reflect.Type]bool) []string {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return nil
		}
		seen[typ] = true
		var names []string
		for f := range typ.Fields() {
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" {
				name = f.Name
			}
			names = append(names, path+name)
			names = append(names, walk(f.Type, path+name+".", seen)...)
		}
		return names
	}
	fields := walk(reflect.TypeFor[rotation.JournalRecord](), "", map[reflect.Type]bool{})
	assert.Contains(t, fields, "state.trusts.original.document", "the walk reaches nested fields")
	for _, f := range fields {
		assert.False(t, secretWord.MatchString(f), "field %s looks like a secret", f)
	}

	w := newWorld(t)
	path := filepath.Join(t.TempDir(), "journal.json")
	r, err := rotation.New(w.steps(), w.confirm(), rotation.WithJournal(rotation.FileJournal(path)))
	require.NoError(t, err)
	require.NoError(t, r.Run(t.Context(), newState()))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "PRIVATE KEY")
	var generic map[string]any
	require.NoError(t, json.Unmarshal(b, &generic), "plain JSON")
	rec, err := rotation.LoadJournal(path)
	require.NoError(t, err)
	assert.NotEmpty(t, rec.State.New.DER, "the public certificate is kept")
	assert.Equal(t, rotation.StatusSucceeded, rec.Status)
}

func TestResumeRefuses(t *testing.T) {
	var log []string
	r, err := rotation.New([]rotation.Step{noop("a", &log), noop("b", &log)})
	require.NoError(t, err)
	ok := func() *rotation.JournalRecord {
		return &rotation.JournalRecord{Version: rotation.JournalVersion, State: &rotation.State{},
			Steps: []rotation.StepRecord{{Name: "a", Status: rotation.StepDone}, {Name: "b", Status: rotation.StepPending}}}
	}
	ctx := t.Context()
	assert.ErrorIs(t, r.Resume(ctx, nil, rotation.ResumeContinue), rotation.ErrInvalidInput)
	assert.ErrorIs(t, r.Resume(ctx, &rotation.JournalRecord{Version: 1}, rotation.ResumeContinue), rotation.ErrInvalidInput)
	old := ok()
	old.Version = 0
	assert.ErrorIs(t, r.Resume(ctx, old, rotation.ResumeContinue), rotation.ErrInvalidInput)
	assert.ErrorIs(t, r.Resume(ctx, ok(), rotation.ResumeMode(9)), rotation.ErrInvalidInput)
	assert.Equal(t, "ResumeMode(9)", rotation.ResumeMode(9).String())

	other := ok()
	other.Steps[1].Name = "c"
	err = r.Resume(ctx, other, rotation.ResumeContinue)
	require.ErrorIs(t, err, rotation.ErrPlanMismatch)
	var pm *rotation.PlanMismatchError
	require.ErrorAs(t, err, &pm)
	assert.Equal(t, []string{"a", "c"}, pm.Journal)
	assert.Equal(t, []string{"a", "b"}, pm.Plan)
	assert.EqualError(t, err, "rotation: plan does not match the journal: journal has steps [a c], plan has [a b]")

	rolled := ok()
	rolled.Status = rotation.StatusRolledBack
	assert.ErrorIs(t, r.Resume(ctx, rolled, rotation.ResumeContinue), rotation.ErrInvalidInput, "a rolled back rotation is not continued")
	assert.Empty(t, log, "nothing ran")

	require.NoError(t, r.Resume(ctx, ok(), rotation.ResumeContinue))
	assert.Equal(t, []string{"apply b"}, log, "continues at the first step not done")

	log = nil
	done := ok()
	done.Steps[1].Status = rotation.StepDone
	require.NoError(t, r.Resume(ctx, done, rotation.ResumeContinue))
	assert.Empty(t, log, "nothing left to do")
}
