package rotation

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// execution is one Run or Resume in progress: the live State and the record
// of each step's status, which the journal persists.
type execution struct {
	r   *Rotator
	s   *State
	rec *JournalRecord
}

func (x *execution) emit(ctx context.Context, e Event) {
	e.RotationID = x.s.ID
	x.r.emit(ctx, e)
}

// save journals the record with a copy of the State. It ignores the
// cancellation of ctx: progress must be written even while stopping.
func (x *execution) save(ctx context.Context) error { return x.write(ctx, false) }

// create journals the first record of a new rotation: the journal must not
// hold one already (a rotation id is used once).
func (x *execution) create(ctx context.Context) error { return x.write(ctx, true) }

func (x *execution) write(ctx context.Context, first bool) error {
	j := x.r.cfg.journal
	if j == nil {
		return nil
	}
	rec, err := x.record()
	if err != nil {
		return err
	}
	write := j.Save
	if first {
		write = j.Create
	}
	if err := write(context.WithoutCancel(ctx), rec); err != nil {
		return fmt.Errorf("rotation: journal: %w", err)
	}
	return nil
}

// record returns the record to journal, with a copy of the State.
func (x *execution) record() (*JournalRecord, error) {
	st, err := cloneState(x.s)
	if err != nil {
		return nil, err
	}
	rec := *x.rec
	rec.Steps = slices.Clone(x.rec.Steps)
	rec.State = st
	rec.RotationID = st.ID
	rec.Target = st.Target
	rec.UpdatedAt = x.r.cfg.now().UTC()
	return &rec, nil
}

// forward applies the steps from start on.
func (x *execution) forward(ctx context.Context, start int) error {
	if err := x.save(ctx); err != nil {
		return err
	}
	return x.steps(ctx, start)
}

// steps applies the steps from start on, the first record journaled.
func (x *execution) steps(ctx context.Context, start int) error {
	for i := start; i < len(x.r.steps); i++ {
		st, sr := x.r.steps[i], &x.rec.Steps[i]
		if err := ctx.Err(); err != nil {
			return x.fail(ctx, i, context.Cause(ctx))
		}
		prev := sr.Status
		sr.Status, sr.Error = StepRunning, ""
		if err := x.save(ctx); err != nil {
			sr.Status = prev
			return x.fail(ctx, i, err)
		}
		x.emit(ctx, Event{Type: EventStepStarted, Step: st.Name(), Attempt: 1})
		if err := x.do(ctx, st, false); err != nil {
			sr.Status, sr.Error = StepFailed, err.Error()
			x.emit(ctx, Event{Type: EventStepFailed, Step: st.Name(), Err: err})
			return x.fail(ctx, i, err)
		}
		sr.Status = StepDone
		if err := x.save(ctx); err != nil {
			return x.fail(ctx, i, err)
		}
		x.emit(ctx, Event{Type: EventStepSucceeded, Step: st.Name()})
	}
	x.rec.Status = StatusSucceeded
	if err := x.save(ctx); err != nil {
		return fmt.Errorf("rotation %s: every step is applied, but: %w", x.s.ID, err)
	}
	x.emit(ctx, Event{Type: EventRotationSucceeded})
	return nil
}

// fail rolls back after step i failed with cause.
func (x *execution) fail(ctx context.Context, i int, cause error) error {
	re := &RotationError{Step: x.r.steps[i].Name(), Err: cause}
	x.rollback(ctx, re, false)
	return re
}

// rollbackRequested rolls back on a Resume's request.
func (x *execution) rollbackRequested(ctx context.Context) error {
	re := &RotationError{Err: ErrRollbackRequested}
	for i := len(x.rec.Steps) - 1; i >= 0; i-- {
		if x.rec.Steps[i].Status.needsRollback() {
			re.Step = x.rec.Steps[i].Name
			break
		}
	}
	x.rollback(ctx, re, true)
	if re.RolledBack && re.Journal == nil {
		return nil
	}
	return re
}

// rollback rolls back, last first, every step that may have changed
// something, and records the outcome in re and in the journal. The record
// says "rollingback" durably before the first Rollback is called; if that
// cannot be written, nothing is rolled back. In a requested rollback (of a
// journaled rotation, which newer changes may have followed) a refused
// Rollback (see ErrRefused) stops the rollback: the steps before it stay
// applied, and if nothing was undone the record keeps the status it had.
// After a failure of the rotation itself (which holds its locks and is the
// latest change) every step is tried, each checked on its own.
func (x *execution) rollback(ctx context.Context, re *RotationError, requested bool) {
	ctx = context.WithoutCancel(ctx)
	prev := x.rec.Status
	x.rec.Status = StatusRollingBack
	if err := x.save(ctx); err != nil {
		re.Journal = err
		re.Remaining = append(re.Remaining, RollbackFailure{Step: re.Step, Err: fmt.Errorf("rollback not started: %w", err)})
		x.rec.Status = prev
		return
	}
	refused := false
	for i := len(x.rec.Steps) - 1; i >= 0 && !refused; i-- {
		sr := &x.rec.Steps[i]
		if !sr.Status.needsRollback() {
			continue
		}
		st := x.r.steps[i]
		rctx, cancel := context.WithTimeout(ctx, x.r.cfg.rollbackTimeout)
		err := x.do(rctx, st, true)
		cancel()
		if err != nil {
			refused = requested && errors.Is(err, ErrRefused)
			sr.Error = err.Error()
			re.Remaining = append(re.Remaining, RollbackFailure{Step: st.Name(), Err: err})
			x.emit(ctx, Event{Type: EventRollbackFailed, Step: st.Name(), Rollback: true, Err: err})
		} else {
			sr.Status = StepRolledBack
			re.Undone = append(re.Undone, st.Name())
			x.emit(ctx, Event{Type: EventStepRolledBack, Step: st.Name(), Rollback: true})
		}
		if err := x.save(ctx); err != nil {
			re.Journal = errors.Join(re.Journal, err)
		}
	}
	re.RolledBack = len(re.Remaining) == 0
	switch {
	case re.RolledBack:
		x.rec.Status = StatusRolledBack
	case refused && requested && len(re.Undone) == 0:
		x.rec.Status = prev
	default:
		x.rec.Status = StatusDirty
	}
	x.rec.Error = re.Error()
	if err := x.save(ctx); err != nil {
		re.Journal = errors.Join(re.Journal, err)
	}
	msg := "rollback complete"
	if !re.RolledBack {
		msg = "rollback incomplete"
	}
	x.emit(ctx, Event{Type: EventRotationRolledBack, Step: re.Step, Err: re, Message: msg})
}

// do runs a step's Apply (or Rollback) with retries, then holds the manual
// gate it asks for.
func (x *execution) do(ctx context.Context, st Step, rollback bool) error {
	fn := st.Apply
	if rollback {
		fn = st.Rollback
	}
	err := x.retry(ctx, st.Name(), rollback, func(ctx context.Context) error { return fn(ctx, x.s) })
	var mae *ManualActionError
	if err != nil && errors.As(err, &mae) {
		return x.gate(ctx, st.Name(), mae, err, rollback)
	}
	return err
}

// retry calls fn until it succeeds, fails with an error for which a step
// retry does not help (see ShouldRetryStep), or the attempts are spent.
func (x *execution) retry(ctx context.Context, name string, rollback bool, fn func(context.Context) error) error {
	cfg := x.r.cfg
	b := &hintedBackOff{
		exp: &backoff.ExponentialBackOff{
			InitialInterval:     cfg.retryInitial,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         cfg.retryMax,
		},
		max: cfg.retryMax,
	}
	attempt := 0
	var last error
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		n := attempt
		last = call(withEmitter(ctx, func(ctx context.Context, e Event) {
			e.Step, e.Attempt, e.Rollback = name, n, rollback
			x.emit(ctx, e)
		}), name, fn)
		if last == nil {
			return struct{}{}, nil
		}
		if !ShouldRetryStep(last) {
			return struct{}{}, backoff.Permanent(last)
		}
		var t *TransientError
		if errors.As(last, &t) {
			b.hint = t.RetryAfter
		}
		return struct{}{}, last
	},
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(cfg.maxAttempts)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, d time.Duration) {
			x.emit(ctx, Event{Type: EventStepRetrying, Step: name, Attempt: attempt, Rollback: rollback, Err: err,
				Message: "retrying in " + d.Round(time.Millisecond).String()})
		}))
	if err != nil && last != nil && err != last {
		// The context ended while waiting to retry.
		return fmt.Errorf("%w (after attempt %d failed: %w)", err, attempt, last)
	}
	return err
}

// hintedBackOff is an exponential backoff capped at max, lengthened once by
// a server's retry-after hint.
type hintedBackOff struct {
	exp  *backoff.ExponentialBackOff
	max  time.Duration
	hint time.Duration
}

func (b *hintedBackOff) Reset() { b.exp.Reset() }

func (b *hintedBackOff) NextBackOff() time.Duration {
	d := min(b.exp.NextBackOff(), b.max)
	if b.hint > d {
		d = b.hint
	}
	b.hint = 0
	return d
}

// call runs fn, turning a panic into a *PanicError.
func call(ctx context.Context, step string, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Step: step, Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// gate holds a manual gate: it announces the request, then asks for the
// operator's confirmation and waits for the change, both within the
// action's timeout. Without a confirmation callback and without Wait the
// step fails with cause.
func (x *execution) gate(ctx context.Context, name string, mae *ManualActionError, cause error, rollback bool) error {
	cfg := x.r.cfg
	if cfg.confirm == nil && mae.Wait == nil {
		return cause
	}
	timeout := mae.Timeout
	if timeout <= 0 {
		timeout = cfg.manualTimeout
	}
	req := ManualRequest{
		Step: name, Action: mae.Action, Instructions: mae.Instructions,
		App: mae.App, Certificate: mae.Certificate, Changes: mae.AppChanges(), Rollback: rollback,
		Timeout: timeout, Deadline: cfg.now().Add(timeout),
	}
	x.emit(ctx, Event{Type: EventWaiting, Step: name, Rollback: rollback, Manual: &req, Message: mae.Instructions})
	gctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	waiting, err := "confirmation", error(nil)
	if cfg.confirm != nil {
		err = call(gctx, name, func(ctx context.Context) error { return cfg.confirm(ctx, req) })
	}
	if err == nil && mae.Wait != nil {
		waiting = "the change"
		err = call(gctx, name, mae.Wait)
	}
	if err == nil {
		return nil
	}
	ge := &ManualGateError{Step: name, Manual: mae, Waiting: waiting, Timeout: timeout, Err: err}
	if ctx.Err() == nil && errors.Is(gctx.Err(), context.DeadlineExceeded) {
		ge.TimedOut = true
		if !errors.Is(err, context.DeadlineExceeded) {
			ge.Err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
	}
	return ge
}
