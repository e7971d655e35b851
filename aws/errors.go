package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// APIError is an IAM call that failed, after the SDK's retries. It is
// returned marked with rotation.Transient or rotation.Permanent (see the
// classification in this package's facts); NoSuchEntity also matches
// rotation.ErrNotFound and InvalidInput rotation.ErrInvalidInput.
type APIError struct {
	// Account and ARN say where the call went; ARN is empty for list calls.
	Account, ARN string
	// Op is the IAM action ("UpdateSAMLProvider").
	Op string
	// Code is IAM's error code; empty when no answer came (network error).
	Code string
	// Message is IAM's error message.
	Message string
	// StatusCode and RequestID come from the HTTP response, when there was one.
	StatusCode int
	RequestID  string
	// Err is the SDK's error.
	Err error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "aws: account %s: %s", orUnknown(e.Account), e.Op)
	if e.ARN != "" {
		b.WriteString(" " + e.ARN)
	}
	switch {
	case e.Code != "":
		fmt.Fprintf(&b, ": %s: %s", e.Code, e.Message)
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Unwrap returns the SDK's error and, for NoSuchEntity and InvalidInput,
// the matching rotation sentinel.
func (e *APIError) Unwrap() []error {
	errs := []error{e.Err}
	switch e.Code {
	case codeNoSuchEntity:
		errs = append(errs, rotation.ErrNotFound)
	case codeInvalidInput:
		errs = append(errs, rotation.ErrInvalidInput)
	}
	return errs
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// mapError turns an SDK error into a classified *APIError.
func mapError(err error, account, op, arn string) error {
	if err == nil {
		return nil
	}
	e := &APIError{Account: account, ARN: arn, Op: op, Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.StatusCode, e.RequestID = re.HTTPStatusCode(), re.ServiceRequestID()
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return e
	case e.Code == "" || transientCodes[e.Code]:
		return rotation.Transient(e)
	default:
		return rotation.Permanent(e)
	}
}

// isCode reports whether err is an IAM error with code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// ChangeRefusedError is a SetTrust the backend refused before sending it:
// the document fails IAM's rules, or it changes more than signing keys. It
// matches rotation.ErrInvalidInput and, through Err, the samlmeta sentinel of
// a failed rule.
type ChangeRefusedError struct {
	Account, ARN string
	// Reason says what is wrong.
	Reason string
	// Changes is the difference from the stored document, when the refusal
	// comes from comparing them.
	Changes samlmeta.Changes
	// Err is the validation error, when the refusal comes from IAM's rules.
	Err error
}

func (e *ChangeRefusedError) Error() string {
	return fmt.Sprintf("aws: account %s: refusing to update %s: %s", orUnknown(e.Account), e.ARN, e.Reason)
}

// Unwrap returns rotation.ErrInvalidInput and the validation error.
func (e *ChangeRefusedError) Unwrap() []error {
	if e.Err == nil {
		return []error{rotation.ErrInvalidInput}
	}
	return []error{rotation.ErrInvalidInput, e.Err}
}

// NotPropagatedError is a SetTrust whose update IAM accepted but whose
// document GetSAMLProvider did not serve within Options.PropagationTimeout.
// It matches rotation.ErrNotPropagated.
type NotPropagatedError struct {
	Account, ARN string
	// Want are the SHA-256 fingerprints the new document holds; Got those
	// of the last document read (nil if no read succeeded).
	Want, Got []string
	// Polls counts GetSAMLProvider calls; Waited is the time spent.
	Polls  int
	Waited time.Duration
	// Last is the error of the last poll, if it failed.
	Last error
}

func (e *NotPropagatedError) Error() string {
	msg := fmt.Sprintf("aws: account %s: %s does not serve the new document after %s (%d reads): want keys %s, got %s",
		orUnknown(e.Account), e.ARN, e.Waited.Round(time.Millisecond), e.Polls, strings.Join(e.Want, ", "), strings.Join(e.Got, ", "))
	if e.Last != nil {
		msg += "; last read: " + e.Last.Error()
	}
	return msg
}

// Is makes errors.Is(err, rotation.ErrNotPropagated) true.
func (e *NotPropagatedError) Is(target error) bool { return target == rotation.ErrNotPropagated }

// Unwrap returns the last poll's error.
func (e *NotPropagatedError) Unwrap() error { return e.Last }
