package rotation

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrLocked is returned when another rotation holds the lock on a target.
	ErrLocked = errors.New("rotation: target is locked by another rotation")
	// ErrManualAction matches a *ManualActionError: a change only a person can make.
	ErrManualAction = errors.New("rotation: manual action required")
	// ErrNotFound is returned by providers for a missing object.
	ErrNotFound = errors.New("rotation: not found")
	// ErrNotPropagated is returned when a relying party accepted a change but
	// does not serve it within the allowed time.
	ErrNotPropagated = errors.New("rotation: change not propagated")
	// ErrInvalidInput marks input refused before any change was made.
	ErrInvalidInput = errors.New("rotation: invalid input")
)

// TransientError marks an error of a request worth retrying: throttling, a
// 5xx, a concurrent modification. The backend that sent the request retries
// it; by the time a step returns one, those retries are spent, so the
// engine does not run the step again for it (see [ShouldRetryStep]).
type TransientError struct {
	Err error
	// RetryAfter, when positive, is the least time to wait before retrying.
	RetryAfter time.Duration
}

func (e *TransientError) Error() string { return "transient: " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// PermanentError marks an error that retrying cannot fix.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Transient wraps err as a *TransientError. It returns nil for a nil err.
func Transient(err error) error {
	if err == nil {
		return nil
	}
	return &TransientError{Err: err}
}

// Permanent wraps err as a *PermanentError. It returns nil for a nil err.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsTransient reports whether err is worth retrying: some error in its tree is
// a *TransientError and none is a *PermanentError. Context cancellation and
// deadlines are never transient.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var p *PermanentError
	if errors.As(err, &p) {
		return false
	}
	var t *TransientError
	return errors.As(err, &t)
}

// ManualActionError reports a change that only a person can make. The engine
// emits an EventWaiting, asks the caller's confirmation callback (if any), then
// calls Wait (if any) until the change is observed, each bounded by a timeout.
type ManualActionError struct {
	// Action is a short summary ("set the IdP certificate of app X").
	Action string
	// Instructions tell the person exactly what to do.
	Instructions string
	// App and Certificate, when set, say which app must be set to which
	// certificate, so that a program (a test, a sandbox) can play the person.
	App         AppRef
	Certificate string
	// Changes lists every app change the action asks for when there are
	// several (App and Certificate then name the first).
	Changes []AppChange
	// Wait, when set, blocks until the change is observed or ctx ends.
	Wait func(ctx context.Context) error
	// Timeout, when positive, bounds the whole wait for this action,
	// overriding the engine's default.
	Timeout time.Duration
}

// AppChange is one app that a person must set to one certificate.
type AppChange struct {
	App         AppRef `json:"app"`
	Certificate string `json:"certificate"`
}

// AppChanges returns every app change the action asks for.
func (e *ManualActionError) AppChanges() []AppChange {
	if len(e.Changes) > 0 || e.App.IsZero() {
		return e.Changes
	}
	return []AppChange{{App: e.App, Certificate: e.Certificate}}
}

func (e *ManualActionError) Error() string {
	return "manual action required: " + e.Action
}

// Is makes errors.Is(err, ErrManualAction) true.
func (e *ManualActionError) Is(target error) bool { return target == ErrManualAction }
