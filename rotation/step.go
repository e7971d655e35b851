package rotation

import "context"

// Step is one reversible change of a rotation. Apply makes the change;
// Rollback undoes it using what Apply recorded in the State. Both must be
// idempotent: after a crash the engine may run either again.
type Step interface {
	// Name identifies the step in plans, journals, events and hooks. Names
	// are unique within a plan.
	Name() string
	// Describe says, for a plan, what Apply will do. It must not call any
	// provider's mutating method.
	Describe() string
	// Apply makes the change.
	Apply(ctx context.Context, s *State) error
	// Rollback undoes the change made by Apply.
	Rollback(ctx context.Context, s *State) error
}

// StepFunc builds a Step from functions. A nil rollback does nothing.
func StepFunc(name, description string, apply, rollback func(ctx context.Context, s *State) error) Step {
	return funcStep{name: name, desc: description, apply: apply, rollback: rollback}
}

type funcStep struct {
	name, desc      string
	apply, rollback func(ctx context.Context, s *State) error
}

func (f funcStep) Name() string     { return f.name }
func (f funcStep) Describe() string { return f.desc }
func (f funcStep) Apply(ctx context.Context, s *State) error {
	if f.apply == nil {
		return nil
	}
	return f.apply(ctx, s)
}
func (f funcStep) Rollback(ctx context.Context, s *State) error {
	if f.rollback == nil {
		return nil
	}
	return f.rollback(ctx, s)
}
