package aws_test

import (
	"errors"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

// TestIAMErrorsToTypedErrors injects each IAM error code on the wire and
// follows it through the real SDK (with its retryer) to the backend's
// classified *APIError.
func TestIAMErrorsToTypedErrors(t *testing.T) {
	cases := []struct {
		code      string
		op        string // the IAM action faulted
		attempts  int    // calls that reach IAM: the SDK retries 5xx and throttling
		transient bool
		is        error
		status    int
	}{
		{code: "NoSuchEntity", op: "GetSAMLProvider", attempts: 1, is: rotation.ErrNotFound, status: http.StatusNotFound},
		{code: "InvalidInput", op: "UpdateSAMLProvider", attempts: 1, is: rotation.ErrInvalidInput, status: http.StatusBadRequest},
		{code: "LimitExceeded", op: "UpdateSAMLProvider", attempts: 1, status: http.StatusConflict},
		{code: "EntityAlreadyExists", op: "UpdateSAMLProvider", attempts: 1, status: http.StatusConflict},
		{code: "ConcurrentModification", op: "UpdateSAMLProvider", attempts: 6, transient: true, status: http.StatusConflict},
		{code: "ServiceFailure", op: "GetSAMLProvider", attempts: sdkTry, transient: true, status: http.StatusInternalServerError},
		{code: "Throttling", op: "GetSAMLProvider", attempts: sdkTry, transient: true, status: http.StatusBadRequest},
		{code: "ServiceUnavailable", op: "UpdateSAMLProvider", attempts: sdkTry, transient: true, status: http.StatusServiceUnavailable},
		{code: "AccessDenied", op: "GetSAMLProvider", attempts: 1, status: http.StatusForbidden},
		{code: "InvalidClientTokenId", op: "GetSAMLProvider", attempts: 1, status: http.StatusForbidden},
		{code: "SignatureDoesNotMatch", op: "UpdateSAMLProvider", attempts: 1, status: http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			e := newEnv(t)
			before := e.srv.Snapshot()
			e.srv.InjectFault(tc.op, iamtest.Fault{Code: tc.code, Message: "injected " + tc.code}, 100)
			err := e.rp.SetTrust(t.Context(), e.ref, doc(0, 1))
			require.Error(t, err)

			var ae *aws.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, tc.op, ae.Op)
			assert.Equal(t, acct, ae.Account)
			assert.Equal(t, e.ref.ARN, ae.ARN)
			assert.Equal(t, "injected "+tc.code, ae.Message)
			assert.Equal(t, tc.status, ae.StatusCode)
			assert.NotEmpty(t, ae.RequestID)
			assert.Contains(t, err.Error(), acct, "the message names the account")
			assert.Contains(t, err.Error(), e.ref.ARN, "the message names the ARN")
			assert.Equal(t, tc.transient, rotation.IsTransient(err))
			var perm *rotation.PermanentError
			assert.Equal(t, !tc.transient, errors.As(err, &perm))
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Equal(t, tc.attempts, e.srv.CallCount(tc.op))
			assert.Equal(t, before, e.srv.Snapshot(), "a failed call changed nothing")
		})
	}
}

func TestUnreachableIAMIsTransient(t *testing.T) {
	e := newEnv(t)
	e.srv.Close()
	_, err := e.rp.Trust(t.Context(), e.ref)
	require.Error(t, err)
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Empty(t, ae.Code)
	assert.True(t, rotation.IsTransient(err))
	assert.Contains(t, err.Error(), e.ref.ARN)
}

func TestUnknownCredentials(t *testing.T) {
	e := newEnv(t)
	cfg := sdkConfigWithEndpoint(e.srv, acct)
	cfg.Credentials = staticCreds("AKIAUNKNOWN000000000", "secret")
	rp := aws.New(cfg, fast)
	_, err := rp.Trust(t.Context(), e.ref)
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "InvalidClientTokenId", ae.Code, "from iamtest's own signature check, not an injected fault")
	assert.False(t, rotation.IsTransient(err))
}

// TestRetryMaxAttemptsFromConfig checks that the SDK retryer's attempts are
// set through the aws.Config given to New, as the package documents.
func TestRetryMaxAttemptsFromConfig(t *testing.T) {
	for _, attempts := range []int{1, 2, 4} {
		e := newEnv(t)
		keyID, secret := e.srv.AddAccount(acct)
		cfg := awssdk.Config{
			Region:           "us-east-1",
			BaseEndpoint:     awssdk.String(e.srv.URL()),
			Credentials:      staticCreds(keyID, secret),
			RetryMaxAttempts: attempts,
		}
		e.srv.InjectFault("GetSAMLProvider", iamtest.Fault{Code: "ServiceFailure"}, 100)
		_, err := aws.New(cfg).Trust(t.Context(), e.ref)
		require.True(t, rotation.IsTransient(err))
		assert.Equal(t, attempts, e.srv.CallCount("GetSAMLProvider"), "RetryMaxAttempts=%d", attempts)
	}
}

func TestInvalidAccount(t *testing.T) {
	e := newEnv(t)
	rp := aws.NewFromClient(client(e.srv, acct), "12345")
	_, err := rp.Trust(t.Context(), e.ref)
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
	assert.Empty(t, e.srv.Calls())
}
