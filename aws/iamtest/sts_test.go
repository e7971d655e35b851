package iamtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/samlmeta"
)

// trustPolicyFor is the SCV role's trust policy for provider with aud as
// its SAML:aud condition.
func trustPolicyFor(provider, aud string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",` +
		`"Principal":{"Federated":"` + provider + `"},"Condition":{"StringEquals":{"SAML:aud":"` + aud + `"}}}]}`
}

// stsWorld is a fake with one provider trusting keys 0 and 2 and the SCV
// role trusting it.
func stsWorld(t *testing.T) *iamtest.Server {
	t.Helper()
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	srv.AddProvider(acct, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(0).DER(), testmeta.RSA(2).DER()))
	srv.AddRole(acct, roleName, trustPolicyFor(providerOf(acct), signInAWS))
	return srv
}

// stsClient is the real SDK client, anonymous (the call is unsigned), at
// the fake's STS endpoint, without retries.
func stsClient(srv *iamtest.Server) *sts.Client {
	return sts.NewFromConfig(awssdk.Config{
		Region:      "us-east-1",
		Credentials: awssdk.AnonymousCredentials{},
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}, func(o *sts.Options) { o.BaseEndpoint = awssdk.String(srv.STSURL()) })
}

func assume(t *testing.T, c *sts.Client, assertion string, mod ...func(*sts.AssumeRoleWithSAMLInput)) (*sts.AssumeRoleWithSAMLOutput, error) {
	t.Helper()
	in := &sts.AssumeRoleWithSAMLInput{RoleArn: awssdk.String(roleOf(acct)), PrincipalArn: awssdk.String(providerOf(acct)),
		SAMLAssertion: awssdk.String(assertion)}
	for _, m := range mod {
		m(in)
	}
	return c.AssumeRoleWithSAML(t.Context(), in)
}

func TestAssumeRoleWithSAMLAccepts(t *testing.T) {
	srv := stsWorld(t)
	c := stsClient(srv)
	key := testmeta.RSA(0)
	cert, err := samlmeta.ParseCertDER(key.DER())
	require.NoError(t, err)
	issued, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{
		Issuer: idp, Destination: signInAWS, Audience: "ContactCenter01", NameID: "agent@example.com",
		NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: []string{roleOf(acct) + "," + providerOf(acct)}},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{sessionName}},
		},
		SignResponse: true, SignAssertion: true,
	}, key.Private, cert)
	require.NoError(t, err)
	encKey := testmeta.RSA(3).Private

	cases := map[string]string{
		"issued by samlmeta (both signed)":  encode(issued),
		"hand-built, Assertion signed":      respSpec{}.build(t),
		"Response signed, Assertion too":    respSpec{signResponse: true}.build(t),
		"signed by the second metadata key": respSpec{key: 2}.build(t),
		"Role pair in provider,role order":  respSpec{roles: []string{providerOf(acct) + "," + roleOf(acct)}}.build(t),
		"one of several roles":              respSpec{roles: []string{roleOf(other) + "," + providerOf(other), roleOf(acct) + "," + providerOf(acct)}}.build(t),
		"RoleSessionName of 64 characters":  respSpec{sessionNames: []string{strings.Repeat("a", 64)}}.build(t),
		"RoleSessionName of 2 characters":   respSpec{sessionNames: []string{"a-"}}.build(t),
		"encrypted while Allowed":           "",
	}
	keyIDs := srv.SetAssertionEncryption(providerOf(acct), "Allowed", encKey)
	require.Len(t, keyIDs, 1)
	cases["encrypted while Allowed"] = respSpec{encryptTo: &encKey.PublicKey}.build(t)

	seen := map[string]bool{}
	for name, assertion := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := assume(t, c, assertion)
			require.NoError(t, err)
			require.NotNil(t, out.Credentials)
			assert.True(t, strings.HasPrefix(awssdk.ToString(out.Credentials.AccessKeyId), "ASIA"))
			assert.NotEmpty(t, awssdk.ToString(out.Credentials.SecretAccessKey))
			assert.NotEmpty(t, awssdk.ToString(out.Credentials.SessionToken))
			assert.WithinDuration(t, time.Now().Add(time.Hour), awssdk.ToTime(out.Credentials.Expiration), time.Minute)
			assert.False(t, seen[*out.Credentials.SecretAccessKey], "credentials are random each time")
			seen[*out.Credentials.SecretAccessKey] = true
			assert.Equal(t, signInAWS, awssdk.ToString(out.Audience), "Audience is the Recipient")
			assert.Equal(t, idp, awssdk.ToString(out.Issuer))
			assert.Equal(t, "persistent", awssdk.ToString(out.SubjectType))
			assert.NotEmpty(t, awssdk.ToString(out.NameQualifier))
			assert.True(t, strings.HasPrefix(awssdk.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::"+acct+":assumed-role/"+roleName+"/"))
		})
	}
	assert.Len(t, srv.Issued(), len(cases))
	assert.Equal(t, len(cases), srv.CallCount("AssumeRoleWithSAML"))
	for _, call := range srv.Calls() {
		assert.Equal(t, roleOf(acct), call.Target)
		assert.Empty(t, call.Account, "unsigned")
	}
}

func TestAssumeRoleWithSAMLRefuses(t *testing.T) {
	now := time.Now()
	otherProvider := "arn:aws:iam::" + acct + ":saml-provider/Other"
	cases := []struct {
		name   string
		spec   respSpec
		mod    func(*sts.AssumeRoleWithSAMLInput)
		setup  func(*iamtest.Server)
		code   string
		status int
	}{
		{name: "tampered after signing", spec: respSpec{tamper: true}, code: "InvalidIdentityToken"},
		{name: "tampered, Response signed", spec: respSpec{tamper: true, signResponse: true}, code: "InvalidIdentityToken"},
		{name: "signed by an untrusted key", spec: respSpec{key: 1}, code: "InvalidIdentityToken"},
		{name: "unsigned", spec: respSpec{unsigned: true}, code: "InvalidIdentityToken"},
		{name: "another issuer", spec: respSpec{issuer: "https://other.my.salesforce.com"}, code: "InvalidIdentityToken"},
		{name: "expired NotOnOrAfter", spec: respSpec{notOnOrAfter: ptr(now.Add(-time.Second))}, code: "ExpiredTokenException"},
		{name: "no NotOnOrAfter", spec: respSpec{notOnOrAfter: ptr(time.Time{})}, code: "InvalidIdentityToken"},
		{name: "no Recipient", spec: respSpec{recipient: ptr("")}, code: "InvalidIdentityToken"},
		{name: "wrong Recipient", spec: respSpec{recipient: ptr("https://evil.example/saml")}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "regional Recipient, trust wants global", spec: respSpec{recipient: ptr("https://us-east-1.signin.aws.amazon.com/saml")}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "two SubjectConfirmations", spec: respSpec{confirmations: 2}, code: "InvalidIdentityToken"},
		{name: "holder-of-key", spec: respSpec{method: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"}, code: "InvalidIdentityToken"},
		{name: "no RoleSessionName", spec: respSpec{noSessionName: true}, code: "InvalidIdentityToken"},
		{name: "RoleSessionName with a space", spec: respSpec{sessionNames: []string{"agent one"}}, code: "InvalidIdentityToken"},
		{name: "RoleSessionName of 65 characters", spec: respSpec{sessionNames: []string{strings.Repeat("a", 65)}}, code: "InvalidIdentityToken"},
		{name: "RoleSessionName of 1 character", spec: respSpec{sessionNames: []string{"a"}}, code: "InvalidIdentityToken"},
		{name: "two RoleSessionNames", spec: respSpec{sessionNames: []string{"ab", "cd"}}, code: "InvalidIdentityToken"},
		{name: "SourceIdentity with aws: prefix", spec: respSpec{attrs: map[string][]string{"https://aws.amazon.com/SAML/Attributes/SourceIdentity": {"aws:x"}}}, code: "InvalidIdentityToken"},
		{name: "SessionDuration out of range", spec: respSpec{attrs: map[string][]string{"https://aws.amazon.com/SAML/Attributes/SessionDuration": {"60"}}}, code: "InvalidIdentityToken"},
		{name: "Role names another account's provider", spec: respSpec{roles: []string{roleOf(acct) + "," + providerOf(other)}}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "Status not Success", spec: respSpec{status: "urn:oasis:names:tc:SAML:2.0:status:Responder"}, code: "IDPRejectedClaim", status: http.StatusForbidden},
		{name: "role does not exist", spec: respSpec{roles: []string{"arn:aws:iam::" + acct + ":role/Gone," + providerOf(acct)}},
			mod: func(in *sts.AssumeRoleWithSAMLInput) {
				in.RoleArn = awssdk.String("arn:aws:iam::" + acct + ":role/Gone")
			}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "trust policy names another provider", setup: func(s *iamtest.Server) {
			s.AddRole(acct, roleName, trustPolicyFor(otherProvider, signInAWS))
		}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "trust policy without SAML:aud", setup: func(s *iamtest.Server) {
			s.AddRole(acct, roleName, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"`+providerOf(acct)+`"}}}`)
		}, code: "AccessDenied", status: http.StatusForbidden},
		{name: "provider does not exist", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.PrincipalArn = awssdk.String(otherProvider) }, code: "InvalidIdentityToken"},
		{name: "PrincipalArn not a provider ARN", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.PrincipalArn = awssdk.String(roleOf(acct)) }, code: "ValidationError"},
		{name: "RoleArn not a role ARN", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.RoleArn = awssdk.String(providerOf(acct)) }, code: "ValidationError"},
		{name: "SAMLAssertion over 100000 characters", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.SAMLAssertion = awssdk.String(strings.Repeat("A", 100_001)) }, code: "ValidationError"},
		{name: "SAMLAssertion of 3 characters", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.SAMLAssertion = awssdk.String("AAA") }, code: "ValidationError"},
		{name: "SAMLAssertion not base64", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.SAMLAssertion = awssdk.String("!!!!") }, code: "InvalidIdentityToken"},
		{name: "DurationSeconds below 900", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.DurationSeconds = awssdk.Int32(899) }, code: "ValidationError"},
		{name: "DurationSeconds above the role's maximum", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.DurationSeconds = awssdk.Int32(7200) }, code: "ValidationError"},
		{name: "Policy not JSON", mod: func(in *sts.AssumeRoleWithSAMLInput) { in.Policy = awssdk.String("{not json") }, code: "MalformedPolicyDocument"},
		{name: "plaintext while encryption Required", setup: func(s *iamtest.Server) {
			s.SetAssertionEncryption(providerOf(acct), "Required", testmeta.RSA(3).Private)
		}, code: "InvalidIdentityToken"},
		{name: "encrypted to a key the provider lacks", spec: respSpec{encryptTo: &testmeta.RSA(1).Private.PublicKey}, setup: func(s *iamtest.Server) {
			s.SetAssertionEncryption(providerOf(acct), "Required", testmeta.RSA(3).Private)
		}, code: "InvalidIdentityToken"},
		{name: "encrypted, provider has no key", spec: respSpec{encryptTo: &testmeta.RSA(3).Private.PublicKey}, code: "InvalidIdentityToken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := stsWorld(t)
			if tc.setup != nil {
				tc.setup(srv)
			}
			mods := []func(*sts.AssumeRoleWithSAMLInput){}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			_, err := assume(t, stsClient(srv), tc.spec.build(t), mods...)
			code, status := apiError(t, err)
			assert.Equal(t, tc.code, code, "%v", err)
			want := tc.status
			if want == 0 {
				want = http.StatusBadRequest
			}
			assert.Equal(t, want, status)
			assert.Empty(t, srv.Issued(), "a refusal issues nothing")
		})
	}
}

func TestAssumeRoleWithSAMLRequiredEncryptionAndReplay(t *testing.T) {
	srv := stsWorld(t)
	c := stsClient(srv)
	enc := testmeta.RSA(3).Private
	srv.SetAssertionEncryption(providerOf(acct), "Required", enc)
	genuine := respSpec{encryptTo: &enc.PublicKey, signResponse: true}.build(t)
	_, err := assume(t, c, genuine)
	require.NoError(t, err)
	_, err = assume(t, c, genuine)
	code, _ := apiError(t, err)
	assert.Equal(t, "InvalidIdentityToken", code, "a replayed assertion id is refused")

	// The console shares the validator and its replay memory.
	id := randID()
	first := respSpec{encryptTo: &enc.PublicKey, assertionID: id}.build(t)
	_, err = assume(t, c, first)
	require.NoError(t, err)
	status, body := postSignIn(t, srv, respSpec{encryptTo: &enc.PublicKey, assertionID: id}.build(t))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "InvalidIdentityToken")
}

func TestAssumeRoleWithSAMLRegionalAudience(t *testing.T) {
	srv := stsWorld(t)
	regional := "https://us-east-1.signin.aws.amazon.com/saml"
	srv.AddRole(acct, roleName, trustPolicyFor(providerOf(acct), regional))
	out, err := assume(t, stsClient(srv), respSpec{recipient: &regional}.build(t))
	require.NoError(t, err)
	assert.Equal(t, regional, awssdk.ToString(out.Audience))
}

func TestAssumeRoleWithSAMLThrottled(t *testing.T) {
	srv := stsWorld(t)
	srv.InjectFault("AssumeRoleWithSAML", iamtest.Fault{Code: "Throttling"}, 1)
	_, err := assume(t, stsClient(srv), respSpec{}.build(t))
	code, status := apiError(t, err)
	assert.Equal(t, "Throttling", code)
	assert.Equal(t, http.StatusBadRequest, status)
}

// TestSessionCredentials: what STS issued signs IAM requests only with its
// session token.
func TestSessionCredentials(t *testing.T) {
	srv := stsWorld(t)
	out, err := assume(t, stsClient(srv), respSpec{}.build(t))
	require.NoError(t, err)
	cr := out.Credentials
	arn := providerOf(acct)
	get := func(token string) error {
		c := newSessionClient(srv, *cr.AccessKeyId, *cr.SecretAccessKey, token)
		_, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
		return err
	}
	require.NoError(t, get(*cr.SessionToken))
	for name, tok := range map[string]string{"no token": "", "another token": *cr.SessionToken + "x"} {
		code, status := apiError(t, get(tok))
		assert.Equal(t, "InvalidClientTokenId", code, name)
		assert.Equal(t, http.StatusForbidden, status, name)
	}
	keyID, secret := srv.AddAccount(acct)
	code, _ := apiError(t, func() error {
		_, err := newSessionClient(srv, keyID, secret, "token").GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
		return err
	}())
	assert.Equal(t, "InvalidClientTokenId", code, "a long-term key with a token")
}
