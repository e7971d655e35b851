package rotation

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrPlanMismatch is returned by [Rotator.Resume] when the Rotator's steps
// are not the steps of the journaled rotation. Match it with errors.Is; the
// error is a *[PlanMismatchError].
var ErrPlanMismatch = errors.New("rotation: plan does not match the journal")

// RotationError is the error of a rotation that failed: which step failed,
// why, and what rollback achieved. errors.Is and errors.As reach the cause,
// every rollback error and any journal error.
type RotationError struct {
	// Step is the step that failed (or was about to run when the context
	// ended or the journal failed).
	Step string
	// Err is the cause.
	Err error
	// RolledBack reports that every step that needed it was rolled back.
	RolledBack bool
	// Undone lists the steps rolled back, in the order they were.
	Undone []string
	// Remaining lists the steps whose Rollback failed; they are still
	// applied and the journal says so.
	Remaining []RollbackFailure
	// Journal is the error of a journal write during rollback, if any.
	Journal error
}

// RollbackFailure is one step whose Rollback failed.
type RollbackFailure struct {
	Step string
	Err  error
}

func (e *RotationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rotation: step %q failed: %v", e.Step, e.Err)
	switch {
	case e.RolledBack && len(e.Undone) == 0:
		b.WriteString("; nothing to roll back")
	case e.RolledBack:
		fmt.Fprintf(&b, "; rolled back completely (%s)", strings.Join(e.Undone, ", "))
	default:
		b.WriteString("; rollback incomplete:")
		for i, f := range e.Remaining {
			if i > 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " step %q: %v", f.Step, f.Err)
		}
	}
	if e.Journal != nil {
		fmt.Fprintf(&b, "; journal: %v", e.Journal)
	}
	return b.String()
}

// Unwrap returns the cause, then every rollback error, then the journal
// error.
func (e *RotationError) Unwrap() []error {
	errs := []error{e.Err}
	for _, f := range e.Remaining {
		errs = append(errs, f.Err)
	}
	if e.Journal != nil {
		errs = append(errs, e.Journal)
	}
	return errs
}

// PanicError is a panic recovered from a step's Apply or Rollback. The
// rotation treats it as a permanent failure of that step.
type PanicError struct {
	Step  string
	Value any
	// Stack is the goroutine's stack at the panic.
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("step %q panicked: %v", e.Step, e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ManualGateError is the failure of a manual gate: the confirmation was
// refused, the change was not observed, or the wait timed out (then it
// matches context.DeadlineExceeded). It matches [ErrManualAction] and
// errors.As finds the *[ManualActionError].
type ManualGateError struct {
	Step string
	// Manual is the action that was asked for.
	Manual *ManualActionError
	// Waiting says what was waited for: "confirmation" or "the change".
	Waiting string
	// Timeout is the gate's bound.
	Timeout time.Duration
	// TimedOut reports that the gate's own timeout ended the wait.
	TimedOut bool
	// Err is what the confirmation callback or Wait returned.
	Err error
}

func (e *ManualGateError) Error() string {
	if e.TimedOut {
		msg := fmt.Sprintf("step %q: timed out after %s waiting for %s of manual action %q",
			e.Step, e.Timeout, e.Waiting, e.Manual.Action)
		if e.Manual.Instructions != "" {
			msg += " (" + e.Manual.Instructions + ")"
		}
		return msg
	}
	return fmt.Sprintf("step %q: manual action %q: %s failed: %v", e.Step, e.Manual.Action, e.Waiting, e.Err)
}

// Unwrap returns the ManualActionError and the error of the wait.
func (e *ManualGateError) Unwrap() []error { return []error{e.Manual, e.Err} }

// PlanMismatchError reports that a journal records other steps than the
// Rotator's plan. It matches [ErrPlanMismatch].
type PlanMismatchError struct {
	Journal []string
	Plan    []string
	// Missing lists the journal's steps that [Resume] or [RollBack] needs
	// and was not given; Unknown the steps given that the journal does not
	// name.
	Missing, Unknown []string
}

func (e *PlanMismatchError) Error() string {
	msg := fmt.Sprintf("%v: journal has steps [%s], plan has [%s]", ErrPlanMismatch,
		strings.Join(e.Journal, " "), strings.Join(e.Plan, " "))
	if len(e.Missing) > 0 {
		msg += fmt.Sprintf("; steps the journal needs and were not given: %s (resume with the tool that added them)", strings.Join(e.Missing, ", "))
	}
	if len(e.Unknown) > 0 {
		msg += "; steps the journal does not name: " + strings.Join(e.Unknown, ", ")
	}
	return msg
}

// Is makes errors.Is(err, ErrPlanMismatch) true.
func (e *PlanMismatchError) Is(target error) bool { return target == ErrPlanMismatch }
