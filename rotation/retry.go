package rotation

import (
	"context"
	"errors"
)

// One retry layer. A request that fails with throttling, a 5xx answer or a
// transport error is retried by the backend that sent it (the salesforce
// client, the AWS SDK's retryer), which knows the request and how often it
// may repeat it. The engine does not run a step again for such an error:
// that would multiply the backend's attempts by the step's (and by every
// request the step sends before the failing one). It runs a step again only
// for an error that says a step retry helps: a state that no single request
// can settle but that may settle between attempts, such as a change a
// relying party does not serve yet ([ErrNotPropagated]) or a verification
// that disagrees while caches expire ([VerifyError]). Backends and custom
// steps mark such an error with [RetryStep] or by implementing
// [StepRetrier]; the engine asks [ShouldRetryStep].

// StepRetrier is implemented by an error that says whether running the
// failed step again may help.
type StepRetrier interface {
	error
	RetryStep() bool
}

// RetryStep marks err as an error after which running the step again may
// help (see [ShouldRetryStep]). It returns nil for a nil err.
func RetryStep(err error) error {
	if err == nil {
		return nil
	}
	return &stepRetryError{err: err}
}

type stepRetryError struct{ err error }

func (e *stepRetryError) Error() string   { return e.err.Error() }
func (e *stepRetryError) Unwrap() error   { return e.err }
func (e *stepRetryError) RetryStep() bool { return true }

// ShouldRetryStep reports whether the engine runs a step again after it
// failed with err: some error in err's tree is a [StepRetrier] that says so
// or matches [ErrNotPropagated], none is a *[PermanentError], and err is
// not a context cancellation or deadline. A [TransientError] alone is not
// enough: its request was already retried by the backend.
func ShouldRetryStep(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if _, permanent := errors.AsType[*PermanentError](err); permanent {
		return false
	}
	if sr, ok := errors.AsType[StepRetrier](err); ok && sr.RetryStep() {
		return true
	}
	return errors.Is(err, ErrNotPropagated)
}

// RetryStep makes a verification disagreement worth a step retry: what it
// reads (metadata caches, IAM's view of a trust) may settle.
func (e *VerifyError) RetryStep() bool { return true }
