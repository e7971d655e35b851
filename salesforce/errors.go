package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// Status and fault codes the package acts on. Salesforce reports SOAP faults
// as "sf:<CODE>" and REST errors as {"errorCode": "<CODE>"}; both use these
// names.
const (
	CodeInvalidSession       = "INVALID_SESSION_ID"
	CodeRequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
	CodeServerUnavailable    = "SERVER_UNAVAILABLE"
	CodeUnknownException     = "UNKNOWN_EXCEPTION"
	CodeUnableToLockRow      = "UNABLE_TO_LOCK_ROW"
	CodeDuplicateValue       = "DUPLICATE_VALUE"
)

// transientCodes are the codes worth retrying: the call did not take effect
// or may safely be repeated.
var transientCodes = map[string]bool{
	CodeRequestLimitExceeded: true,
	CodeServerUnavailable:    true,
	CodeUnknownException:     true,
	CodeUnableToLockRow:      true,
}

// ErrJWTAccessToken is returned, before any SOAP call is made, when the token
// source yields a JWT-format access token. The Metadata API is a SOAP API and
// SOAP APIs reject such tokens with INVALID_SESSION_ID.
var ErrJWTAccessToken = errors.New("salesforce: the access token is a JWT-format token, which SOAP APIs (the Metadata API) reject; " +
	"in the connected app or external client app that issues it, turn off " +
	`"Issue JSON Web Token (JWT)-based access tokens" so that it issues opaque session ids`)

// SOAPFault is a SOAP fault returned by the Metadata API (HTTP 500 with
// soapenv:Fault).
type SOAPFault struct {
	// Code is the fault code without its namespace prefix
	// ("INVALID_SESSION_ID", "INVALID_TYPE", ...).
	Code string
	// Message is the faultstring.
	Message string
	// HTTPStatus is the HTTP status code of the response.
	HTTPStatus int
}

func (f *SOAPFault) Error() string {
	return fmt.Sprintf("salesforce: SOAP fault %s: %s", f.Code, f.Message)
}

// Temporary reports whether retrying the call may succeed.
func (f *SOAPFault) Temporary() bool { return transientCodes[f.Code] }

// SaveError is one failed component of a createMetadata, updateMetadata or
// deleteMetadata call (a SaveResult or DeleteResult with success=false).
type SaveError struct {
	// FullName is the component's full name.
	FullName string
	// StatusCode is Salesforce's status code ("DUPLICATE_VALUE", ...).
	StatusCode string
	// Message is Salesforce's message.
	Message string
	// Fields lists the fields the error is about, if any.
	Fields []string
}

func (e *SaveError) Error() string {
	s := fmt.Sprintf("salesforce: %s: %s: %s", e.FullName, e.StatusCode, e.Message)
	if len(e.Fields) > 0 {
		s += " (fields: " + strings.Join(e.Fields, ", ") + ")"
	}
	return s
}

// Temporary reports whether retrying the call may succeed.
func (e *SaveError) Temporary() bool { return transientCodes[e.StatusCode] }

// APIError is an error answer of a REST endpoint (a JSON array of
// {message, errorCode}) or any other non-success HTTP answer.
type APIError struct {
	// StatusCode is the HTTP status code.
	StatusCode int
	// ErrorCode is Salesforce's error code, empty when the body had none.
	ErrorCode string
	// Message is Salesforce's message, or the HTTP status text.
	Message string
	// RetryAfter is the server's Retry-After, when given.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	code := e.ErrorCode
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("salesforce: HTTP %d %s: %s", e.StatusCode, code, e.Message)
}

// Temporary reports whether retrying the call may succeed.
func (e *APIError) Temporary() bool {
	return transientCodes[e.ErrorCode] || e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
}

// isInvalidSession reports whether err says the session id is not (or no
// longer) valid.
func isInvalidSession(err error) bool {
	var f *SOAPFault
	if errors.As(err, &f) {
		return f.Code == CodeInvalidSession
	}
	var a *APIError
	if errors.As(err, &a) {
		return a.ErrorCode == CodeInvalidSession
	}
	return false
}

// retryable reports whether the client retries err itself: transport
// failures and answers whose code or status says the call may succeed later.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		var op *net.OpError
		return errors.As(ue.Err, &op) || errors.Is(ue.Err, io.EOF) || errors.Is(ue.Err, io.ErrUnexpectedEOF) || ue.Timeout()
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// classify marks err for the rotation engine: transient when retrying could
// help, permanent otherwise. Context errors and nil pass through unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var te *rotation.TransientError
	var pe *rotation.PermanentError
	if errors.As(err, &te) || errors.As(err, &pe) {
		return err
	}
	if retryable(err) {
		out := &rotation.TransientError{Err: err}
		var a *APIError
		if errors.As(err, &a) {
			out.RetryAfter = a.RetryAfter
		}
		return out
	}
	return rotation.Permanent(err)
}
