package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JournalVersion is the version of the JournalRecord format this package
// writes and reads.
const JournalVersion = 1

// Journal persists a rotation's progress. The Rotator saves a record before
// and after every step (and after every rollback step); Load returns the last
// record saved. Save must be durable when it returns: a resumed rotation is
// only as good as its journal.
type Journal interface {
	Save(ctx context.Context, rec *JournalRecord) error
	// Load returns the last record saved, or an error matching ErrNotFound.
	Load(ctx context.Context) (*JournalRecord, error)
}

// StepStatus is where one step of a journaled rotation stands.
type StepStatus string

// Step statuses.
const (
	StepPending StepStatus = "pending"
	// StepRunning: Apply was started and has not returned (a crash leaves
	// this status behind).
	StepRunning StepStatus = "running"
	StepDone    StepStatus = "done"
	// StepFailed: Apply failed; the change may be partly made until the
	// step is rolled back.
	StepFailed     StepStatus = "failed"
	StepRolledBack StepStatus = "rolledback"
)

// needsRollback reports whether a step in this status may have changed
// something that is not yet undone.
func (s StepStatus) needsRollback() bool {
	return s == StepRunning || s == StepDone || s == StepFailed
}

// RecordStatus is where a journaled rotation stands.
type RecordStatus string

// Rotation statuses.
const (
	// StatusRunning: the rotation has not finished (or crashed).
	StatusRunning RecordStatus = "running"
	// StatusSucceeded: every step is applied.
	StatusSucceeded RecordStatus = "succeeded"
	// StatusRolledBack: the rotation failed and every change was undone.
	StatusRolledBack RecordStatus = "rolledback"
	// StatusDirty: the rotation failed and some rollback failed too; steps
	// still "done" or "failed" need attention (Resume with ResumeRollback
	// tries again).
	StatusDirty RecordStatus = "dirty"
)

// JournalRecord is a rotation's progress as the journal stores it, as JSON.
// It holds the State, which never holds a secret.
type JournalRecord struct {
	Version    int          `json:"version"`
	RotationID string       `json:"rotationId"`
	Target     string       `json:"target"`
	Steps      []StepRecord `json:"steps"`
	State      *State       `json:"state"`
	Status     RecordStatus `json:"status"`
	UpdatedAt  time.Time    `json:"updatedAt"`
	// Error is the rotation's error message, once it failed.
	Error string `json:"error,omitempty"`
}

// StepRecord is one step of a JournalRecord.
type StepRecord struct {
	Name   string     `json:"name"`
	Status StepStatus `json:"status"`
	// Error is the step's last Apply or Rollback error message.
	Error string `json:"error,omitempty"`
}

// StepNames returns the names of the record's steps, in order.
func (r *JournalRecord) StepNames() []string {
	names := make([]string, len(r.Steps))
	for i, s := range r.Steps {
		names[i] = s.Name
	}
	return names
}

// Clone returns a deep copy of r, made through its JSON form.
func (r *JournalRecord) Clone() (*JournalRecord, error) {
	b, err := r.marshal()
	if err != nil {
		return nil, err
	}
	return unmarshalRecord(b)
}

// marshal encodes r with its State locked, so that a step's goroutine cannot
// write the State meanwhile.
func (r *JournalRecord) marshal() ([]byte, error) {
	if r.State != nil {
		r.State.Lock()
		defer r.State.Unlock()
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rotation: encode journal record: %w", err)
	}
	return append(b, '\n'), nil
}

func unmarshalRecord(b []byte) (*JournalRecord, error) {
	var rec JournalRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("rotation: decode journal record: %w", err)
	}
	if rec.Version != JournalVersion {
		return nil, fmt.Errorf("rotation: journal record version %d, want %d: %w", rec.Version, JournalVersion, ErrInvalidInput)
	}
	return &rec, nil
}

// cloneState returns a deep copy of s through its JSON form.
func cloneState(s *State) (*State, error) {
	s.Lock()
	b, err := json.Marshal(s)
	s.Unlock()
	if err != nil {
		return nil, fmt.Errorf("rotation: encode state: %w", err)
	}
	c := new(State)
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("rotation: decode state: %w", err)
	}
	return c, nil
}

// FileJournal returns a Journal that keeps the last record in the JSON file
// at path. Save writes a temporary file in the same directory, syncs it,
// renames it over path and syncs the directory, so a crash leaves either the
// previous record or the new one. The file is readable by its owner only.
func FileJournal(path string) Journal { return fileJournal{path: path} }

type fileJournal struct{ path string }

func (j fileJournal) Save(_ context.Context, rec *JournalRecord) error {
	b, err := rec.marshal()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(j.path, b); err != nil {
		return fmt.Errorf("rotation: save journal: %w", err)
	}
	return nil
}

func (j fileJournal) Load(context.Context) (*JournalRecord, error) { return LoadJournal(j.path) }

// LoadJournal reads the record of a [FileJournal]. A missing file gives an
// error matching ErrNotFound.
func LoadJournal(path string) (*JournalRecord, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("rotation: load journal: %w: %w", ErrNotFound, err)
	}
	if err != nil {
		return nil, fmt.Errorf("rotation: load journal: %w", err)
	}
	return unmarshalRecord(b)
}

func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some platforms cannot sync a directory; the rename is then as durable
	// as the file system makes it.
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// MemoryJournal is a Journal in memory, for tests and examples. It keeps
// every record saved, as deep copies.
type MemoryJournal struct {
	mu      sync.Mutex
	history []*JournalRecord
}

// NewMemoryJournal returns an empty MemoryJournal.
func NewMemoryJournal() *MemoryJournal { return &MemoryJournal{} }

// Save stores a deep copy of rec.
func (j *MemoryJournal) Save(_ context.Context, rec *JournalRecord) error {
	c, err := rec.Clone()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.history = append(j.history, c)
	return nil
}

// Load returns a deep copy of the last record saved, or an error matching
// ErrNotFound.
func (j *MemoryJournal) Load(context.Context) (*JournalRecord, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.history) == 0 {
		return nil, fmt.Errorf("rotation: memory journal is empty: %w", ErrNotFound)
	}
	return j.history[len(j.history)-1].Clone()
}

// History returns deep copies of every record saved, oldest first.
func (j *MemoryJournal) History() []*JournalRecord {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]*JournalRecord, 0, len(j.history))
	for _, r := range j.history {
		c, err := r.Clone()
		if err == nil {
			out = append(out, c)
		}
	}
	return out
}
