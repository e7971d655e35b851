package temporal

import (
	"errors"
	"fmt"
	"strings"
	"time"

	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/voicecert/voicecert/rotation"
)

// Retry and time bounds of the activities. A step is tried as often as
// rotation.Rotator tries it (rotation.DefaultMaxAttempts, with the same
// backoff); only errors rotation.ShouldRetryStep accepts are retried.
var (
	stepRetry = &sdktemporal.RetryPolicy{
		InitialInterval:    rotation.DefaultRetryInitial,
		BackoffCoefficient: 2,
		MaximumInterval:    rotation.DefaultRetryMax,
		MaximumAttempts:    rotation.DefaultMaxAttempts,
	}
	stepTimeout     = 15 * time.Minute
	rollbackTimeout = rotation.DefaultRollbackTimeout
	shortTimeout    = 2 * time.Minute
	shortRetry      = &sdktemporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second, MaximumAttempts: 5}
	// slotRetry retries the Lock activity while every fleet slot is taken.
	slotRetry = &sdktemporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2,
		MaximumInterval: 10 * time.Second, NonRetryableErrorTypes: []string{ErrTypeLocked, ErrTypeInvalid}}
)

// run is one rotation workflow in progress: the journal record it keeps,
// which the status query returns.
type run struct {
	req    RotateRequest
	prep   Prepared
	status Status
	soak   time.Duration
}

// RotateWorkflow rotates one org: it checks the renewal policy, prepares
// the org plan, takes the CLI's locks (and a fleet slot), then runs every
// step as an activity in order, the soak as a durable timer and each manual
// gate as a wait for GateSignal bounded by a durable timer. On any failure,
// a refused or timed-out gate, or cancellation, it rolls back, in reverse
// order, the failed step and every step before it, as rotation.Rotator
// does, and fails with an ErrTypeRotation application error.
func RotateWorkflow(ctx workflow.Context, req RotateRequest) (*Result, error) {
	r := &run{req: req, status: Status{Org: req.Org, Status: rotation.StatusRunning}}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (Status, error) { return r.status, nil }); err != nil {
		return nil, err
	}
	if req.IfExpiringWithin != "" {
		var due Result
		if err := workflow.ExecuteActivity(short(ctx), actDue, req.Org, req.IfExpiringWithin).Get(ctx, &due); err != nil {
			return nil, err
		}
		if !due.Renewed {
			r.status.Status = rotation.StatusSucceeded
			return &due, nil
		}
	}
	if err := workflow.ExecuteActivity(short(ctx), actPrepare, req).Get(ctx, &r.prep); err != nil {
		return nil, err
	}
	r.soak = r.prep.Plan.Soak
	r.status.RotationID, r.status.State = r.prep.RotationID, r.prep.State
	for _, name := range r.prep.Steps {
		r.status.Steps = append(r.status.Steps, rotation.StepRecord{Name: name, Status: rotation.StepPending})
	}

	lctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute, RetryPolicy: slotRetry})
	var held Held
	if err := workflow.ExecuteActivity(lctx, actLock, LockInput{Keys: r.prep.LockKeys, Slots: req.MaxInFlight}).Get(ctx, &held); err != nil {
		return nil, err
	}
	defer func() {
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		_ = workflow.ExecuteActivity(short(dctx), actUnlock, held).Get(dctx, nil)
	}()

	r.emit(ctx, EventRecord{Type: rotation.EventRotationStarted, Message: "run"})
	for i := range r.status.Steps {
		if err := r.forward(ctx, i); err != nil {
			return nil, r.compensate(ctx, i, err)
		}
	}
	r.status.Status = rotation.StatusSucceeded
	r.emit(ctx, EventRecord{Type: rotation.EventRotationSucceeded})
	return &Result{RotationID: r.prep.RotationID, Renewed: true, Message: "rotated and verified"}, nil
}

// forward applies step i.
func (r *run) forward(ctx workflow.Context, i int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sr := &r.status.Steps[i]
	sr.Status, sr.Error = rotation.StepRunning, ""
	if sr.Name == rotation.StepSoak {
		r.emit(ctx, EventRecord{Type: rotation.EventStepStarted, Step: sr.Name})
		if err := workflow.NewTimer(ctx, r.soak).Get(ctx, nil); err != nil {
			sr.Status, sr.Error = rotation.StepFailed, err.Error()
			return err
		}
		sr.Status = rotation.StepDone
		r.emit(ctx, EventRecord{Type: rotation.EventStepSucceeded, Step: sr.Name})
		return nil
	}
	if err := r.do(ctx, i, false); err != nil {
		sr.Status, sr.Error = rotation.StepFailed, err.Error()
		return err
	}
	sr.Status = rotation.StepDone
	return nil
}

// compensate rolls back, last first, every step that may have changed
// something, then returns the rotation's error.
func (r *run) compensate(ctx workflow.Context, failed int, cause error) error {
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	r.status.Status = rotation.StatusRollingBack
	var undone, remaining []string
	for i := len(r.status.Steps) - 1; i >= 0; i-- {
		sr := &r.status.Steps[i]
		if sr.Status != rotation.StepDone && sr.Status != rotation.StepFailed && sr.Status != rotation.StepRunning {
			continue
		}
		if sr.Name != rotation.StepSoak {
			if err := r.do(ctx, i, true); err != nil {
				sr.Error = err.Error()
				remaining = append(remaining, sr.Name)
				continue
			}
		}
		sr.Status = rotation.StepRolledBack
		undone = append(undone, sr.Name)
	}
	r.status.Status = rotation.StatusRolledBack
	msg := "rollback complete"
	if len(remaining) > 0 {
		r.status.Status, msg = rotation.StatusDirty, "rollback incomplete"
	}
	text := fmt.Sprintf("rotation %s failed at step %s: %s; rolled back: %s", r.prep.RotationID,
		r.status.Steps[failed].Name, causeText(cause), orNone(undone))
	if len(remaining) > 0 {
		text += "; NOT rolled back: " + strings.Join(remaining, ", ")
	}
	r.status.Error = text
	r.emit(ctx, EventRecord{Type: rotation.EventRotationRolledBack, Step: r.status.Steps[failed].Name, Message: msg, Error: text})
	return sdktemporal.NewNonRetryableApplicationError(text, ErrTypeRotation, cause, RollbackReport{Step: r.status.Steps[failed].Name, Undone: undone, Remaining: remaining})
}

// RollbackReport is the detail of an ErrTypeRotation error.
type RollbackReport struct {
	Step      string   `json:"step"`
	Undone    []string `json:"undone,omitempty"`
	Remaining []string `json:"remaining,omitempty"`
}

// do runs step i's Apply (or Rollback) as an activity, then holds the gate
// it asks for. The State the activity returns, on success or failure, is
// the State from then on.
func (r *run) do(ctx workflow.Context, i int, rollback bool) error {
	in := StepInput{Org: r.req.Org, RotationID: r.prep.RotationID, Plan: r.prep.Plan, Step: r.status.Steps[i].Name,
		Rollback: rollback, State: r.status.State}
	timeout := stepTimeout
	if rollback {
		timeout = rollbackTimeout
	}
	// On cancellation the rollback starts only once the step's activity has
	// ended: a Rollback never runs beside its own Apply.
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: timeout, RetryPolicy: stepRetry, WaitForCancellation: true})
	var out StepOutput
	err := workflow.ExecuteActivity(actx, actStep, in).Get(ctx, &out)
	if err != nil {
		r.keepState(err)
		return err
	}
	r.status.State = out.State
	if out.Gate == nil {
		return nil
	}
	if err := r.gate(ctx, out.Gate); err != nil {
		return err
	}
	in.State = r.status.State
	remaining := out.Gate.Deadline.Sub(workflow.Now(ctx))
	actx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: max(remaining, time.Minute), RetryPolicy: stepRetry, WaitForCancellation: true})
	if err := workflow.ExecuteActivity(actx, actSettle, in).Get(ctx, &out); err != nil {
		r.keepState(err)
		return err
	}
	r.status.State = out.State
	return nil
}

// keepState takes the State a failed step left from its error's details.
func (r *run) keepState(err error) {
	var ae *sdktemporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != ErrTypeStep || !ae.HasDetails() {
		return
	}
	var out StepOutput
	if ae.Details(&out) == nil && len(out.State) > 0 {
		r.status.State = out.State
	}
}

// gate waits for GateSignal answering g, or for the gate's durable timer.
func (r *run) gate(ctx workflow.Context, g *Gate) error {
	timeout := r.req.GateTimeout
	if timeout <= 0 {
		timeout = rotation.DefaultManualTimeout
	}
	g.Deadline = workflow.Now(ctx).Add(timeout)
	r.status.Awaiting = g
	defer func() { r.status.Awaiting = nil }()
	req := g.Request()
	req.Timeout = timeout
	r.emit(ctx, EventRecord{Type: rotation.EventWaiting, Step: g.Step, Rollback: g.Rollback, Message: g.Instructions, Manual: &req})

	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	timer := workflow.NewTimer(tctx, timeout)
	signals := workflow.GetSignalChannel(ctx, GateSignal)
	for {
		var answer *GateAnswer
		timedOut := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(signals, func(c workflow.ReceiveChannel, _ bool) {
			var a GateAnswer
			c.Receive(ctx, &a)
			answer = &a
		})
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
		sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
		sel.Select(ctx)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case timedOut:
			return sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("manual gate of step %s timed out after %s: %s", g.Step, timeout, g.Action), ErrTypeGate, nil)
		case answer.Step != g.Step:
			workflow.GetLogger(ctx).Warn("gate answer for another step ignored", "step", answer.Step, "waiting", g.Step)
		case !answer.Done:
			return sdktemporal.NewNonRetryableApplicationError(fmt.Sprintf("manual gate of step %s refused by %s: %s", g.Step, orNone([]string{answer.By}), g.Action), ErrTypeGate, nil)
		default:
			return nil
		}
	}
}

// emit hands an event to the observer through the Emit activity; an
// observer that fails does not fail the rotation.
func (r *run) emit(ctx workflow.Context, e EventRecord) {
	e.RotationID = r.prep.RotationID
	_ = workflow.ExecuteActivity(short(ctx), actEmit, e).Get(ctx, nil)
}

func short(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: shortTimeout, RetryPolicy: shortRetry})
}

// causeText is the message of a failure, without the SDK's wrapping.
func causeText(err error) string {
	var ae *sdktemporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	var ce *sdktemporal.CanceledError
	if errors.As(err, &ce) {
		return "canceled"
	}
	return err.Error()
}

func orNone(s []string) string {
	if len(s) == 0 || (len(s) == 1 && s[0] == "") {
		return "none"
	}
	return strings.Join(s, ", ")
}
