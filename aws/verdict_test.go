package aws_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

const signInAWS = "https://signin.aws.amazon.com/saml"

// samlFor returns a base64 Response signed with cached key k naming role
// and provider, as Salesforce issues it for an SCV contact center.
func samlFor(t testing.TB, k int, role, provider, sessionName string) string {
	t.Helper()
	key := testmeta.RSA(k)
	cert, err := samlmeta.ParseCertDER(key.DER())
	require.NoError(t, err)
	raw, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{
		Issuer: idp, Destination: signInAWS, Audience: "ContactCenter01", NameID: "agent@example.com",
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: []string{role + "," + provider}},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{sessionName}},
		},
		SignResponse: true, SignAssertion: true,
	}, key.Private, cert)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

type verdictEnv struct {
	srv  *iamtest.Server
	rp   *aws.RelyingParty
	ref  rotation.TrustRef
	role string
	logs *bytes.Buffer
}

// newVerdictEnv builds the relying party with aws.New from a config that
// names the endpoints only through AWS_ENDPOINT_URL_IAM and
// AWS_ENDPOINT_URL_STS, as a user of the sandbox would.
func newVerdictEnv(t *testing.T) *verdictEnv {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn := srv.AddProvider(acct, aws.DefaultProviderName, doc(0))
	role := srv.AddRole(acct, "ContactCenter01-SAMLRole", trustPolicy(arn, scvPolicy))
	keyID, secret := srv.AddAccount(acct)
	t.Setenv("AWS_ENDPOINT_URL_IAM", srv.URL())
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.STSURL())
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(staticCreds(keyID, secret)), config.WithRetryMaxAttempts(sdkTry),
		config.WithRetryer(sdkConfig(srv, acct).Retryer))
	require.NoError(t, err)
	logs := &bytes.Buffer{}
	rp := aws.New(cfg, fast, func(o *aws.Options) {
		o.Account = acct
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	return &verdictEnv{srv: srv, rp: rp, ref: rotation.TrustRef{Account: acct, ARN: arn}, role: role, logs: logs}
}

func TestJudgeSignInAccepts(t *testing.T) {
	e := newVerdictEnv(t)
	resp := samlFor(t, 0, e.role, e.ref.ARN, "agent@example.com")
	require.NoError(t, e.rp.JudgeSignIn(t.Context(), e.ref, e.role, resp))

	calls := e.srv.Calls()
	require.Len(t, calls, 1)
	assert.Equal(t, "AssumeRoleWithSAML", calls[0].Op)
	assert.Empty(t, calls[0].Account, "the call is unsigned")
	issued := e.srv.Issued()
	require.Len(t, issued, 1)
	assert.WithinDuration(t, time.Now().Add(15*time.Minute), issued[0].Expiration, time.Minute, "the shortest session")

	logged := e.logs.String()
	for _, want := range []string{"account=" + acct, "trust=" + e.ref.ARN, "role=" + e.role, "outcome=accepted"} {
		assert.Contains(t, logged, want)
	}
	assertNoSecrets(t, e.srv, logged, resp)
}

func TestJudgeSignInRejects(t *testing.T) {
	cases := map[string]struct {
		resp func(e *verdictEnv) string
		code string
	}{
		"signed by a key the provider does not trust": {func(e *verdictEnv) string { return samlFor(t, 1, e.role, e.ref.ARN, "agent") }, "InvalidIdentityToken"},
		"RoleSessionName with a space":                {func(e *verdictEnv) string { return samlFor(t, 0, e.role, e.ref.ARN, "agent one") }, "InvalidIdentityToken"},
		"Role attribute naming another provider": {func(e *verdictEnv) string {
			return samlFor(t, 0, e.role, "arn:aws:iam::"+acct+":saml-provider/Other", "agent")
		}, "AccessDenied"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newVerdictEnv(t)
			resp := tc.resp(e)
			err := e.rp.JudgeSignIn(t.Context(), e.ref, e.role, resp)
			require.ErrorIs(t, err, rotation.ErrSignInRejected)
			var re *aws.SignInRejectedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, aws.SignInRejectedError{Account: acct, Trust: e.ref.ARN, Role: e.role, Code: tc.code, Message: re.Message}, *re)
			assert.Contains(t, err.Error(), tc.code)
			assert.False(t, rotation.IsTransient(err))
			assert.Contains(t, e.logs.String(), "outcome=rejected")
			assert.Contains(t, e.logs.String(), "code="+tc.code)
			assertNoSecrets(t, e.srv, e.logs.String()+err.Error(), resp)
		})
	}

	t.Run("a replayed Response", func(t *testing.T) {
		e := newVerdictEnv(t)
		resp := samlFor(t, 0, e.role, e.ref.ARN, "agent")
		require.NoError(t, e.rp.JudgeSignIn(t.Context(), e.ref, e.role, resp))
		err := e.rp.JudgeSignIn(t.Context(), e.ref, e.role, resp)
		var re *aws.SignInRejectedError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "InvalidIdentityToken", re.Code)
		assertNoSecrets(t, e.srv, e.logs.String()+err.Error(), resp)
	})
}

func TestJudgeSignInNoVerdict(t *testing.T) {
	for name, f := range map[string]iamtest.Fault{
		"throttled":         {Code: "Throttling"},
		"5xx, unknown code": {Code: "InternalError", Status: 503},
	} {
		t.Run(name, func(t *testing.T) {
			e := newVerdictEnv(t)
			e.srv.InjectFault("AssumeRoleWithSAML", f, sdkTry)
			err := e.rp.JudgeSignIn(t.Context(), e.ref, e.role, samlFor(t, 0, e.role, e.ref.ARN, "agent"))
			require.Error(t, err)
			assert.True(t, rotation.IsTransient(err), "%v", err)
			assert.NotErrorIs(t, err, rotation.ErrSignInRejected)
			var ae *aws.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, f.Code, ae.Code)
			assert.Equal(t, sdkTry, e.srv.CallCount("AssumeRoleWithSAML"), "the SDK's retryer retried")
			assert.Contains(t, e.logs.String(), "outcome=\"no verdict\"")
		})
	}
	t.Run("a malformed role ARN", func(t *testing.T) {
		e := newVerdictEnv(t)
		err := e.rp.JudgeSignIn(t.Context(), e.ref, "arn:aws:iam::"+acct2+":role/x", "PHNhbWw+")
		require.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.Empty(t, e.srv.Calls(), "nothing sent")
	})
	t.Run("no STS client", func(t *testing.T) {
		e := newEnv(t)
		err := e.rp.JudgeSignIn(t.Context(), e.ref, "arn:aws:iam::"+acct+":role/x", "PHNhbWw+")
		require.Error(t, err)
		assert.False(t, rotation.IsTransient(err))
	})
}

func TestMultiJudgeSignIn(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	var rps []*aws.RelyingParty
	refs := map[string]rotation.TrustRef{}
	for _, a := range []string{acct, acct2} {
		arn := srv.AddProvider(a, aws.DefaultProviderName, doc(0))
		srv.AddRole(a, "cc-SAMLRole", trustPolicy(arn, scvPolicy))
		rps = append(rps, aws.New(sdkConfigWithEndpoint(srv, a), fast, func(o *aws.Options) { o.Account = a }))
		refs[a] = rotation.TrustRef{ARN: arn}
	}
	m, err := aws.NewMulti(rps...)
	require.NoError(t, err)
	role2 := "arn:aws:iam::" + acct2 + ":role/cc-SAMLRole"
	require.NoError(t, m.JudgeSignIn(t.Context(), refs[acct2], role2, samlFor(t, 0, role2, refs[acct2].ARN, "agent")))
	issued := srv.Issued()
	require.Len(t, issued, 1)
	assert.Equal(t, role2, issued[0].RoleARN)
	err = m.JudgeSignIn(t.Context(), rotation.TrustRef{ARN: "arn:aws:iam::999999999999:saml-provider/X"}, role2, "PHNhbWw+")
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

// assertNoSecrets fails if text holds any credential the fake STS issued
// or the Response itself.
func assertNoSecrets(t *testing.T, srv *iamtest.Server, text, resp string) {
	t.Helper()
	for _, c := range srv.Issued() {
		assert.NotContains(t, text, c.SecretAccessKey)
		assert.NotContains(t, text, c.SessionToken)
		assert.NotContains(t, text, c.AccessKeyID)
	}
	assert.False(t, strings.Contains(text, resp[:40]), "the Response is not logged")
}
