package rotation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrRollbackRequested is the cause named by the *[RotationError] that
// [Rotator.Resume] returns in [ResumeRollback] mode when some rollback failed.
var ErrRollbackRequested = errors.New("rotation: rollback requested")

// Rotator runs an ordered list of steps as one rotation: it locks the
// target, journals before and after every step, retries transient failures,
// holds manual gates, and on any failure (an error, the context ending, a
// panic) rolls back, in reverse order, the failed step and every step
// completed before it.
//
// A failed step's Rollback is called too, because its Apply may have made
// part of its change: every Rollback must be idempotent and safe when Apply
// did nothing. A step that never started is not rolled back.
//
// A Rotator is immutable and safe for concurrent use; two rotations of one
// target are kept apart by the Locker (see [WithLocker]), not by the Rotator.
type Rotator struct {
	steps []Step
	cfg   config
}

// New returns a Rotator of steps, with the hooks of [WithStepBefore] and
// [WithStepAfter] inserted. It fails with an error matching ErrInvalidInput
// on no steps, a nil step, an empty or duplicate step name, a hook anchored on
// an unknown step, or an invalid option.
func New(steps []Step, opts ...Option) (*Rotator, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := cfg.err(); err != nil {
		return nil, err
	}
	all, err := buildSteps(steps, cfg.hooks)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("rotation: no steps: %w", ErrInvalidInput)
	}
	return &Rotator{steps: all, cfg: cfg}, nil
}

// PlannedStep is one line of a plan.
type PlannedStep struct {
	Name        string
	Description string
}

// Plan lists every step, hooks included, in the order Run applies them. It
// is a dry run: it calls only each step's Name and Describe, never a
// provider.
func (r *Rotator) Plan() []PlannedStep {
	plan := make([]PlannedStep, len(r.steps))
	for i, s := range r.steps {
		plan[i] = PlannedStep{Name: s.Name(), Description: s.Describe()}
	}
	return plan
}

// Steps returns the steps, hooks included, in order.
func (r *Rotator) Steps() []Step { return slices.Clone(r.steps) }

func (r *Rotator) stepNames() []string {
	names := make([]string, len(r.steps))
	for i, s := range r.steps {
		names[i] = s.Name()
	}
	return names
}

// ManualRequest asks a person for a change only they can make. The Rotator
// passes it to the confirmation callback (see [WithConfirm]) and in the
// EventWaiting event.
//
// In JSON (an [Event]'s "manual") its names are camelCase; timeout is in
// nanoseconds, as a time.Duration marshals.
type ManualRequest struct {
	// Step is the step waiting.
	Step         string `json:"step"`
	Action       string `json:"action"`
	Instructions string `json:"instructions,omitempty"`
	// App and Certificate say which app must be set to which certificate,
	// when the step knows.
	App         AppRef `json:"app"`
	Certificate string `json:"certificate,omitempty"`
	// Changes lists every app change asked for (App and Certificate are
	// the first of them).
	Changes []AppChange `json:"changes,omitempty"`
	// Rollback reports that the change undoes an earlier one.
	Rollback bool `json:"rollback,omitempty"`
	// Timeout bounds the wait; Deadline is when it ends.
	Timeout  time.Duration `json:"timeout,omitempty"`
	Deadline time.Time     `json:"deadline"`
}

// Run applies every step to s in order. On failure it rolls back (see
// [Rotator]) and returns a *[RotationError]. A lock already held gives an
// error matching [ErrLocked] before any step runs.
//
// Run sets s.ID and s.StartedAt when they are zero.
func (r *Rotator) Run(ctx context.Context, s *State) error {
	if s == nil {
		return fmt.Errorf("rotation: Run: nil state: %w", ErrInvalidInput)
	}
	now := r.cfg.now().UTC()
	s.Lock()
	if s.ID == "" {
		s.ID = NewRotationID(now)
	}
	if s.StartedAt.IsZero() {
		s.StartedAt = now
	}
	s.Unlock()
	rec := &JournalRecord{
		Version:    JournalVersion,
		RotationID: s.ID,
		Target:     s.Target,
		Steps:      make([]StepRecord, len(r.steps)),
		Status:     StatusRunning,
	}
	for i, st := range r.steps {
		rec.Steps[i] = StepRecord{Name: st.Name(), Status: StepPending}
	}
	return r.execute(ctx, s, rec, func(x *execution) error {
		if err := x.create(ctx); err != nil {
			return err
		}
		return x.steps(ctx, 0)
	}, "run")
}

// NewRotationID returns a new rotation id: the time to the second, for
// people, and 10 random characters, so that ids of rotations started in
// the same second, by one process or several, differ.
func NewRotationID(now time.Time) string {
	return now.UTC().Format("20060102T150405Z") + "-" + strings.ToLower(rand.Text()[:10])
}

// ResumeMode says what Resume does with a journaled rotation.
type ResumeMode int

const (
	// ResumeContinue applies the steps from the first one not done, with the
	// journaled State, rolling back on failure as Run does.
	ResumeContinue ResumeMode = iota + 1
	// ResumeRollback rolls back, in reverse order, every step done, failed
	// or in progress when the journal was last written.
	ResumeRollback
)

func (m ResumeMode) String() string {
	switch m {
	case ResumeContinue:
		return "continue"
	case ResumeRollback:
		return "rollback"
	}
	return fmt.Sprintf("ResumeMode(%d)", int(m))
}

// Resume takes over a rotation from its journal record, typically one left
// behind by a crash (see [LoadJournal]). A rollback that was interrupted
// (the record says "rollingback", or some step is rolled back) is
// continued in either mode: it is never applied again. The Rotator's steps must be the
// record's, by name and order, or Resume fails with an error matching
// [ErrPlanMismatch]. rec.State is the State resumed and is updated in place.
//
// In ResumeRollback mode Resume returns nil once every step is rolled back,
// and otherwise a *[RotationError] whose cause is [ErrRollbackRequested].
// ResumeContinue refuses a rotation already rolled back.
func (r *Rotator) Resume(ctx context.Context, rec *JournalRecord, mode ResumeMode) error {
	if rec == nil || rec.State == nil {
		return fmt.Errorf("rotation: Resume: record without state: %w", ErrInvalidInput)
	}
	if rec.Version != JournalVersion {
		return fmt.Errorf("rotation: Resume: journal record version %d, want %d: %w", rec.Version, JournalVersion, ErrInvalidInput)
	}
	if plan := r.stepNames(); !slices.Equal(plan, rec.StepNames()) {
		return &PlanMismatchError{Journal: rec.StepNames(), Plan: plan}
	}
	work := *rec
	work.Steps = slices.Clone(rec.Steps)
	work.Error = ""
	switch mode {
	case ResumeContinue:
		if rec.Status == StatusRolledBack {
			return fmt.Errorf("rotation: Resume: rotation %s was rolled back; start a new one: %w", rec.RotationID, ErrInvalidInput)
		}
		if rec.rollingBack() {
			// An interrupted rollback is continued, never re-applied.
			return r.execute(ctx, rec.State, &work, func(x *execution) error { return x.rollbackRequested(ctx) }, "resume: continue the rollback")
		}
		start := slices.IndexFunc(work.Steps, func(s StepRecord) bool { return s.Status != StepDone })
		if start < 0 {
			start = len(work.Steps)
		}
		work.Status = StatusRunning
		return r.execute(ctx, rec.State, &work, func(x *execution) error { return x.forward(ctx, start) }, "resume: continue")
	case ResumeRollback:
		return r.execute(ctx, rec.State, &work, func(x *execution) error { return x.rollbackRequested(ctx) }, "resume: rollback")
	}
	return fmt.Errorf("rotation: Resume: unknown mode %v: %w", mode, ErrInvalidInput)
}

// execute takes the locks, then runs body.
func (r *Rotator) execute(ctx context.Context, s *State, rec *JournalRecord, body func(*execution) error, how string) error {
	release, err := r.lock(ctx, s.Target)
	if err != nil {
		return err
	}
	defer release()
	x := &execution{r: r, s: s, rec: rec}
	x.emit(ctx, Event{Type: EventRotationStarted, Message: how})
	return body(x)
}

// lock takes every lock key in a stable order and returns their release.
func (r *Rotator) lock(ctx context.Context, target string) (func(), error) {
	if r.cfg.locker == nil {
		return func() {}, nil
	}
	keys := slices.Clone(r.cfg.lockKeys)
	if len(keys) == 0 {
		if target == "" {
			return nil, fmt.Errorf("rotation: lock: the State has no Target and WithLocker names no key: %w", ErrInvalidInput)
		}
		keys = []string{target}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	var held []Lock
	release := func() {
		for i := len(held) - 1; i >= 0; i-- {
			if err := held[i].Unlock(context.WithoutCancel(ctx)); err != nil {
				r.cfg.logger.WarnContext(ctx, "rotation unlock failed", "error", err.Error())
			}
		}
	}
	for _, k := range keys {
		l, err := r.cfg.locker.Lock(ctx, k)
		if err != nil {
			release()
			if errors.Is(err, ErrLocked) {
				return nil, err
			}
			return nil, fmt.Errorf("rotation: lock %q: %w", k, err)
		}
		held = append(held, l)
	}
	return release, nil
}
