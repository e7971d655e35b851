package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// JournalVersion is the version of the JournalRecord format this package
// writes and reads.
const JournalVersion = 2

// Journal persists one rotation's progress. Run creates it with the first
// record; the Rotator then saves a record before and after every step (and
// after every rollback step); Load returns the last record saved. Create
// and Save must be durable when they return: a resumed rotation is only as
// good as its journal. A journal holds one rotation: Create fails with an
// error matching ErrJournalExists when it holds a record already, and Save
// refuses a record of another rotation id than the one it holds. The
// rotationtest package's TestJournal checks these rules.
type Journal interface {
	Create(ctx context.Context, rec *JournalRecord) error
	Save(ctx context.Context, rec *JournalRecord) error
	// Load returns the last record saved, or an error matching ErrNotFound.
	Load(ctx context.Context) (*JournalRecord, error)
}

// ErrJournalExists is returned by Journal.Create for a journal that holds a
// record already, and by Journal.Save for a record of another rotation: a
// rotation id is used once, and no journal is overwritten by another
// rotation's.
var ErrJournalExists = errors.New("rotation: the journal holds a rotation already")

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
	// StatusSucceeded: every step is applied (verification included).
	StatusSucceeded RecordStatus = "succeeded"
	// StatusRolledBack: the rotation failed and every change was undone.
	StatusRolledBack RecordStatus = "rolledback"
	// StatusRollingBack: a rollback has started and not finished (or
	// crashed); Resume continues it in either mode.
	StatusRollingBack RecordStatus = "rollingback"
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

// rollingBack reports whether a rollback of the record has started: its
// status says so, or some step is rolled back.
func (r *JournalRecord) rollingBack() bool {
	if r.Status == StatusRollingBack || r.Status == StatusDirty {
		return true
	}
	for _, s := range r.Steps {
		if s.Status == StepRolledBack {
			return true
		}
	}
	return false
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

// MemoryJournal is a Journal in memory, for tests and examples. It keeps
// every record saved, as deep copies.
type MemoryJournal struct {
	mu      sync.Mutex
	history []*JournalRecord
}

// NewMemoryJournal returns an empty MemoryJournal.
func NewMemoryJournal() *MemoryJournal { return &MemoryJournal{} }

// Create stores a deep copy of rec, the journal's first record.
func (j *MemoryJournal) Create(_ context.Context, rec *JournalRecord) error {
	c, err := rec.Clone()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.history) > 0 {
		return fmt.Errorf("rotation: memory journal of rotation %s: %w", j.history[0].RotationID, ErrJournalExists)
	}
	j.history = append(j.history, c)
	return nil
}

// Save stores a deep copy of rec.
func (j *MemoryJournal) Save(_ context.Context, rec *JournalRecord) error {
	c, err := rec.Clone()
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.history) > 0 && j.history[0].RotationID != rec.RotationID {
		return fmt.Errorf("rotation: memory journal holds rotation %s, not %s: %w", j.history[0].RotationID, rec.RotationID, ErrJournalExists)
	}
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

// startedAt is when the record's rotation started (zero without a State).
func startedAt(r *JournalRecord) time.Time {
	if r.State == nil {
		return time.Time{}
	}
	return r.State.StartedAt
}
