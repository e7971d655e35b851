package temporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"go.temporal.io/sdk/activity"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/voicecert/voicecert/rotation"
)

// Activity names: the workflow calls the methods of Activities by these.
const (
	activityPrefix = "voicecert."
	actDue         = activityPrefix + "Due"
	actPrepare     = activityPrefix + "Prepare"
	actLock        = activityPrefix + "Lock"
	actUnlock      = activityPrefix + "Unlock"
	actStep        = activityPrefix + "Step"
	actSettle      = activityPrefix + "Settle"
	actEmit        = activityPrefix + "Emit"
)

// Error types of the activities' application errors.
const (
	// ErrTypeStep is a step's Apply or Rollback failure; its details hold
	// the State the step left.
	ErrTypeStep = "StepFailed"
	// ErrTypeLocked is a lock held by another rotation (a CLI run or
	// another workflow).
	ErrTypeLocked = "Locked"
	// ErrTypeNoSlot is every fleet slot taken: the Lock activity is
	// retried until one is free.
	ErrTypeNoSlot = "NoSlot"
	// ErrTypeInvalid is bad input, which no retry helps.
	ErrTypeInvalid = "InvalidInput"
	// ErrTypeGate is a manual gate refused or timed out.
	ErrTypeGate = "ManualGate"
	// ErrTypeRotation is the workflow's error once it rolled back.
	ErrTypeRotation = "RotationFailed"
)

// Orgs resolves an org id to the org's backends. Production workers build
// the salesforce and aws backends of the org here.
type Orgs func(ctx context.Context, org string) (rotation.IdentityProvider, rotation.RelyingParty, error)

// Locker is the lock store shared with the CLI (rotation.FileLocker
// implements it). A lock taken by the Lock activity is released by the
// Unlock activity, perhaps on another worker, by its holder's nonce.
type Locker interface {
	rotation.Locker
	Holder(key string) (rotation.LockHolder, error)
	Break(key string) error
}

// CustomStep is a user's step inserted before or after a built-in step
// (exactly one of Before and After), as rotation.WithStepBefore and
// WithStepAfter do. It runs as the Step activity, by name, like the
// built-in steps.
type CustomStep struct {
	Before, After string
	Step          rotation.Step
}

// Options configure the activities of a worker.
type Options struct {
	// Orgs resolves org ids (required).
	Orgs Orgs
	// Steps are custom steps, in the order given.
	Steps []CustomStep
	// Locker takes the CLI's lock keys and the fleet's slots; nil takes no
	// lock (and refuses a request with MaxInFlight).
	Locker Locker
	// Observer receives every event of every rotation the worker runs.
	Observer rotation.Observer
	// Logger receives the plan's audit records (default discard).
	Logger *slog.Logger
	// Now is the clock of the renewal policy (default time.Now).
	Now func() time.Time
}

// Activities are the activities of the rotation workflow. Register them
// with Register.
type Activities struct {
	opts Options
	// wrap, when set, wraps every step (tests inject failures with it).
	wrap func(rotation.Step) rotation.Step
	// keys, when set, maps an org's lock keys (tests of several sandbox
	// worlds, which share their ids, keep the orgs apart with it).
	keys func(org string, keys []string) []string
}

// NewActivities checks the options and returns the activities.
func NewActivities(o Options) (*Activities, error) {
	if o.Orgs == nil {
		return nil, fmt.Errorf("temporal: Options.Orgs is required: %w", rotation.ErrInvalidInput)
	}
	for _, c := range o.Steps {
		if c.Step == nil || (c.Before == "") == (c.After == "") {
			return nil, fmt.Errorf("temporal: a custom step needs a step and exactly one of Before and After: %w", rotation.ErrInvalidInput)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Activities{opts: o}, nil
}

// Prepared is what the Prepare activity returns.
type Prepared struct {
	RotationID string               `json:"rotationId"`
	Plan       rotation.PlanOptions `json:"plan"`
	Steps      []string             `json:"steps"`
	LockKeys   []string             `json:"lockKeys"`
	State      json.RawMessage      `json:"state"`
}

// StepInput is the input of the Step and Settle activities.
type StepInput struct {
	Org        string               `json:"org"`
	RotationID string               `json:"rotationId"`
	Plan       rotation.PlanOptions `json:"plan"`
	Step       string               `json:"step"`
	Rollback   bool                 `json:"rollback,omitempty"`
	State      json.RawMessage      `json:"state"`
}

// StepOutput is what the Step and Settle activities return.
type StepOutput struct {
	State json.RawMessage `json:"state"`
	// Gate is the manual action the step asks for, if any.
	Gate *Gate `json:"gate,omitempty"`
}

// Due reports whether the org's certificate is due under the policy (see
// RotateRequest.IfExpiringWithin), and why.
func (a *Activities) Due(ctx context.Context, org, policy string) (Result, error) {
	within, err := ParseWithin(policy)
	if err != nil {
		return Result{}, appError(err)
	}
	idp, rp, err := a.opts.Orgs(ctx, org)
	if err != nil {
		return Result{}, appError(err)
	}
	now := a.opts.Now()
	r, err := rotation.Check(ctx, idp, rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return now } })
	if err != nil {
		return Result{}, appError(err)
	}
	for _, c := range r.ContactCenters {
		if rotation.RenewalDue(c.Effective.Certificate, within, now) {
			return Result{Renewed: true, Message: fmt.Sprintf("renewal due: %s's certificate %s expires %s", c.ContactCenter.Name,
				c.Effective.Certificate.Name, c.Effective.Certificate.NotAfter.Format(time.RFC3339))}, nil
		}
	}
	return Result{Message: "nothing to do: no certificate is due under " + policy}, nil
}

// Prepare builds the org's plan with the custom steps and returns its step
// names, lock keys and the State a run starts from.
func (a *Activities) Prepare(ctx context.Context, req RotateRequest) (Prepared, error) {
	idp, rp, err := a.opts.Orgs(ctx, req.Org)
	if err != nil {
		return Prepared{}, appError(err)
	}
	var opts []rotation.OrgOption
	if req.Plan != nil {
		if opts, err = rotation.OrgOptionsFrom(&rotation.State{Plan: req.Plan}); err != nil {
			return Prepared{}, appError(err)
		}
	}
	plan, err := rotation.NewOrgPlan(idp, rp, append(opts, rotation.WithOrgLogger(a.opts.Logger))...)
	if err != nil {
		return Prepared{}, appError(err)
	}
	steps, err := a.steps(plan)
	if err != nil {
		return Prepared{}, appError(err)
	}
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return Prepared{}, appError(err)
	}
	if a.keys != nil {
		keys = a.keys(req.Org, keys)
	}
	st := plan.NewState(rotation.NewRotationID(a.opts.Now()))
	b, err := json.Marshal(st)
	if err != nil {
		return Prepared{}, appError(err)
	}
	p := Prepared{RotationID: st.ID, Plan: *st.Plan, LockKeys: keys, State: b}
	for _, s := range steps {
		p.Steps = append(p.Steps, s.Name())
	}
	return p, nil
}

// steps returns the plan's steps with the custom ones inserted.
func (a *Activities) steps(plan *rotation.OrgPlan) ([]rotation.Step, error) {
	var opts []rotation.Option
	for _, c := range a.opts.Steps {
		if c.Before != "" {
			opts = append(opts, rotation.WithStepBefore(c.Before, c.Step))
		} else {
			opts = append(opts, rotation.WithStepAfter(c.After, c.Step))
		}
	}
	r, err := rotation.New(plan.Steps(), opts...)
	if err != nil {
		return nil, err
	}
	return r.Steps(), nil
}

// step rebuilds the plan of in and returns its step named in.Step.
func (a *Activities) step(ctx context.Context, in StepInput) (rotation.Step, error) {
	idp, rp, err := a.opts.Orgs(ctx, in.Org)
	if err != nil {
		return nil, err
	}
	opts, err := rotation.OrgOptionsFrom(&rotation.State{Plan: &in.Plan})
	if err != nil {
		return nil, err
	}
	plan, err := rotation.NewOrgPlan(idp, rp, append(opts, rotation.WithOrgLogger(a.opts.Logger))...)
	if err != nil {
		return nil, err
	}
	steps, err := a.steps(plan)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		if s.Name() == in.Step {
			if a.wrap != nil {
				s = a.wrap(s)
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("temporal: the plan has no step %q: %w", in.Step, rotation.ErrInvalidInput)
}

// Step runs a step's Apply (or, with in.Rollback, its Rollback) on the
// State. A manual action the step asks for is returned as a Gate, for the
// workflow to wait on.
func (a *Activities) Step(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, false)
}

// Settle runs the step again after its gate was answered: the change was
// made, so the step finds it done, or asks again and its Wait confirms the
// change within the activity's deadline.
func (a *Activities) Settle(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, true)
}

func (a *Activities) run(ctx context.Context, in StepInput, settle bool) (StepOutput, error) {
	st, err := a.step(ctx, in)
	if err != nil {
		return StepOutput{}, appError(err)
	}
	var s rotation.State
	if err := json.Unmarshal(in.State, &s); err != nil {
		return StepOutput{}, appError(fmt.Errorf("temporal: state: %w: %w", err, rotation.ErrInvalidInput))
	}
	attempt := int(activity.GetInfo(ctx).Attempt)
	ev := rotation.Event{RotationID: in.RotationID, Step: in.Step, Rollback: in.Rollback, Attempt: attempt}
	if !in.Rollback && !settle {
		a.emit(ctx, ev, rotation.EventStepStarted, nil)
	}
	fn := st.Apply
	if in.Rollback {
		fn = st.Rollback
	}
	err = call(ctx, in.Step, func(ctx context.Context) error { return fn(ctx, &s) })
	var mae *rotation.ManualActionError
	if errors.As(err, &mae) {
		if !settle {
			b, merr := json.Marshal(&s)
			if merr != nil {
				return StepOutput{}, appError(merr)
			}
			return StepOutput{State: b, Gate: &Gate{Step: in.Step, Action: mae.Action, Instructions: mae.Instructions,
				Changes: mae.AppChanges(), Rollback: in.Rollback}}, nil
		}
		err = waitFor(ctx, in.Step, mae, err)
	}
	b, merr := json.Marshal(&s)
	if merr != nil {
		return StepOutput{}, appError(merr)
	}
	if err != nil {
		retry := rotation.ShouldRetryStep(err)
		typ := rotation.EventStepFailed
		switch {
		case in.Rollback:
			typ = rotation.EventRollbackFailed
		case retry:
			typ = rotation.EventStepRetrying
		}
		a.emit(ctx, ev, typ, err)
		if retry {
			return StepOutput{}, sdktemporal.NewApplicationErrorWithCause(err.Error(), ErrTypeStep, err, StepOutput{State: b})
		}
		return StepOutput{}, sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrTypeStep, err, StepOutput{State: b})
	}
	if in.Rollback {
		a.emit(ctx, ev, rotation.EventStepRolledBack, nil)
	} else {
		a.emit(ctx, ev, rotation.EventStepSucceeded, nil)
	}
	return StepOutput{State: b}, nil
}

// waitFor waits, within ctx, for the change a manual action asked for.
func waitFor(ctx context.Context, step string, mae *rotation.ManualActionError, cause error) error {
	if mae.Wait == nil {
		return fmt.Errorf("temporal: the gate of step %s was answered, but the step still asks: %w", step, cause)
	}
	return call(ctx, step, mae.Wait)
}

// call runs fn, turning a panic into a *rotation.PanicError.
func call(ctx context.Context, step string, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &rotation.PanicError{Step: step, Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// EventRecord is an event the workflow sends to the observer through the
// Emit activity.
type EventRecord struct {
	Type       rotation.EventType      `json:"type"`
	RotationID string                  `json:"rotationId"`
	Step       string                  `json:"step,omitempty"`
	Rollback   bool                    `json:"rollback,omitempty"`
	Message    string                  `json:"message,omitempty"`
	Error      string                  `json:"error,omitempty"`
	Manual     *rotation.ManualRequest `json:"manual,omitempty"`
}

// Emit hands an event of the workflow to the observer.
func (a *Activities) Emit(ctx context.Context, e EventRecord) error {
	var err error
	if e.Error != "" {
		err = errors.New(e.Error)
	}
	a.emit(ctx, rotation.Event{RotationID: e.RotationID, Step: e.Step, Rollback: e.Rollback, Message: e.Message, Manual: e.Manual}, e.Type, err)
	return nil
}

func (a *Activities) emit(ctx context.Context, e rotation.Event, typ rotation.EventType, err error) {
	if a.opts.Observer == nil {
		return
	}
	e.Type, e.Err, e.Time = typ, err, time.Now().UTC()
	a.opts.Observer.Observe(ctx, e)
}

// appError turns an error of the activities' own work into an application
// error: bad input and a held lock are not retried.
func appError(err error) error {
	switch {
	case errors.Is(err, rotation.ErrLocked):
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrTypeLocked, err)
	case errors.Is(err, rotation.ErrInvalidInput):
		return sdktemporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalid, err)
	}
	return err
}
