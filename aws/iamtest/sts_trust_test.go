package iamtest_test

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/internal/testmeta"
)

// TestAssumeRoleWithSAMLJudgesByTheCurrentDocument: each Response is judged
// by the keys of the document the provider holds when it arrives, however
// many were judged before against an earlier one, and a signature's KeyInfo
// only orders the trusted keys, never adds one.
func TestAssumeRoleWithSAMLJudgesByTheCurrentDocument(t *testing.T) {
	srv := stsWorld(t) // keys 0 and 2
	c := stsClient(srv)
	refused := func(t *testing.T, assertion string) {
		t.Helper()
		_, err := assume(t, c, assertion)
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae), "want an API error, got %v", err)
		assert.Equal(t, "InvalidIdentityToken", ae.ErrorCode())
	}
	accepted := func(t *testing.T, assertion string) {
		t.Helper()
		_, err := assume(t, c, assertion)
		require.NoError(t, err)
	}
	two := 2
	accepted(t, respSpec{key: 0}.build(t))
	accepted(t, respSpec{key: 2}.build(t))
	accepted(t, respSpec{key: 2, signResponse: true}.build(t))
	// Signed with key 1, which the document does not hold, while KeyInfo
	// shows key 2's certificate, which it does.
	refused(t, respSpec{key: 1, keyInfo: &two}.build(t))
	refused(t, respSpec{key: 1, keyInfo: &two, signResponse: true}.build(t))

	srv.AddProvider(acct, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	refused(t, respSpec{key: 2}.build(t))
	accepted(t, respSpec{key: 0}.build(t))

	srv.AddProvider(acct, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(2).DER()))
	refused(t, respSpec{key: 0}.build(t))
	accepted(t, respSpec{key: 2}.build(t))
	refused(t, respSpec{key: 1, keyInfo: &two}.build(t))
}
