package iamtest_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/samlmeta"
)

// samlResponse returns a base64 SAMLResponse issued by idp, signed with
// cached key k, whose Role attribute holds roles.
func samlResponse(t *testing.T, issuer string, k int, issued time.Time, roles ...string) string {
	t.Helper()
	key := testmeta.RSA(k)
	cert, err := samlmeta.ParseCertDER(key.DER())
	require.NoError(t, err)
	raw, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{
		Issuer:       issuer,
		Destination:  "https://signin.aws.amazon.com/saml",
		Audience:     "https://signin.aws.amazon.com/saml",
		NameID:       "agent@example.com",
		IssueInstant: issued,
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: roles},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent@example.com"}},
		},
	}, key.Private, cert)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

func postSignIn(t *testing.T, srv *iamtest.Server, resp string) (int, string) {
	t.Helper()
	r, err := http.PostForm(srv.SignInURL(), url.Values{"SAMLResponse": {resp}, "RelayState": {"https://us-east-1.console.aws.amazon.com/connect/federate/x"}})
	require.NoError(t, err)
	return r.StatusCode, readAll(t, r)
}

func TestSignIn(t *testing.T) {
	srv, c, arn := setup(t)
	role := srv.AddRole(acct, "cc1-SAMLRole", trustPolicyFor(arn, signInAWS))
	now := time.Now()

	status, body := postSignIn(t, srv, samlResponse(t, idp, 0, now, role+","+arn))
	assert.Equal(t, http.StatusOK, status, body)

	cases := map[string]string{
		"signed by an untrusted key": samlResponse(t, idp, 1, now, role+","+arn),
		"other issuer":               samlResponse(t, "https://other.my.salesforce.com", 0, now, role+","+arn),
		"no Role attribute":          samlResponse(t, idp, 0, now),
		"other provider":             samlResponse(t, idp, 0, now, role+",arn:aws:iam::"+acct+":saml-provider/Other"),
		"expired":                    samlResponse(t, idp, 0, now.Add(-time.Hour), role+","+arn),
		"not base64":                 "%%%",
		"tampered": func() string {
			raw, _ := base64.StdEncoding.DecodeString(samlResponse(t, idp, 0, now, role+","+arn))
			return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "agent@example.com", "admin@example.com", 1)))
		}(),
		"empty":           "",
		"wrong Recipient": respSpec{recipient: ptr("https://evil.example/saml")}.build(t),
		"Recipient another AWS endpoint than the trust's": respSpec{recipient: ptr("https://eu-west-1.signin.aws.amazon.com/saml")}.build(t),
		"no Recipient":                                   respSpec{recipient: ptr("")}.build(t),
		"no NotOnOrAfter":                                respSpec{notOnOrAfter: ptr(time.Time{})}.build(t),
		"two SubjectConfirmations":                       respSpec{confirmations: 2}.build(t),
		"holder-of-key":                                  respSpec{method: "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"}.build(t),
		"no RoleSessionName":                             respSpec{noSessionName: true}.build(t),
		"RoleSessionName with a space":                   respSpec{sessionNames: []string{"agent one"}}.build(t),
		"RoleSessionName of 65 characters":               respSpec{sessionNames: []string{strings.Repeat("a", 65)}}.build(t),
		"plaintext to a provider whose mode is Required": "",
	}
	srv.AddProvider(acct, "Encrypted", testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	srv.AddRole(acct, "enc-SAMLRole", trustPolicyFor(providerOfName("Encrypted"), signInAWS))
	srv.SetAssertionEncryption(providerOfName("Encrypted"), "Required", testmeta.RSA(3).Private)
	cases["plaintext to a provider whose mode is Required"] = respSpec{roles: []string{roleOfName("enc-SAMLRole") + "," + providerOfName("Encrypted")}}.build(t)
	for name, resp := range cases {
		status, body := postSignIn(t, srv, resp)
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", name, body)
	}
	ok, failed := srv.SignIns()
	assert.Equal(t, 1, ok)
	assert.Equal(t, len(cases), failed)

	// Once the provider trusts key 1 too, its Responses are accepted; the
	// order of the Role pair does not matter.
	overlap := string(testmeta.Metadata(idp, testmeta.RSA(0).DER(), testmeta.RSA(1).DER()))
	_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: awssdk.String(overlap)})
	require.NoError(t, err)
	status, body = postSignIn(t, srv, samlResponse(t, idp, 1, now, arn+","+role))
	assert.Equal(t, http.StatusOK, status, body)

	// The role's trust policy must allow the provider.
	srv.AddRole(acct, "cc1-SAMLRole", "{}")
	status, body = postSignIn(t, srv, samlResponse(t, idp, 1, now, role+","+arn))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "AccessDenied")
	srv.AddRole(acct, "cc1-SAMLRole", trustPolicyFor(arn, signInAWS))
	status, _ = postSignIn(t, srv, samlResponse(t, idp, 1, now, role+","+arn))
	assert.Equal(t, http.StatusOK, status)
	// The fake's own URL stands for the AWS endpoint; an encrypted
	// Response to a provider that requires encryption signs in.
	status, body = postSignIn(t, srv, respSpec{recipient: ptr(srv.SignInURL())}.build(t))
	assert.Equal(t, http.StatusOK, status, body)
	status, body = postSignIn(t, srv, respSpec{encryptTo: &testmeta.RSA(3).Private.PublicKey,
		roles: []string{roleOfName("enc-SAMLRole") + "," + providerOfName("Encrypted")}}.build(t))
	assert.Equal(t, http.StatusOK, status, body)

	ok, failed = srv.SignIns()
	assert.Equal(t, 5, ok)
	assert.Equal(t, len(cases)+1, failed)
	for _, call := range srv.Calls() {
		assert.Equal(t, "UpdateSAMLProvider", call.Op, "sign-ins are not API calls")
	}
}

func TestSignInUsesServerClock(t *testing.T) {
	issued := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	now := issued.Add(time.Minute)
	srv := iamtest.New(iamtest.WithClock(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	arn := srv.AddProvider(acct, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	role := srv.AddRole(acct, "r", trustPolicyFor(arn, signInAWS))
	resp := samlResponse(t, idp, 0, issued, role+","+arn)
	status, body := postSignIn(t, srv, resp)
	assert.Equal(t, http.StatusOK, status, body)
	now = issued.Add(time.Hour)
	status, _ = postSignIn(t, srv, resp)
	assert.Equal(t, http.StatusForbidden, status)
}
