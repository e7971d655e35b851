package samlmeta

import (
	"os"
	"strings"
	"testing"
	"time"

	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realSalesforceResponse is a Response issued by a real org (provenance in
// testdata/salesforce-response.README.md) and the certificate that signed
// it.
func realSalesforceResponse(t *testing.T) ([]byte, *Cert) {
	t.Helper()
	resp, err := os.ReadFile("testdata/salesforce-response.b64")
	require.NoError(t, err)
	pem, err := os.ReadFile("testdata/salesforce-response-cert.pem")
	require.NoError(t, err)
	cert, err := ParseCertPEM(pem)
	require.NoError(t, err)
	return resp, cert
}

// realSalesforceIssued is the real Response's IssueInstant plus a minute:
// within its Conditions and its certificate's validity.
var realSalesforceIssued = time.Date(2017, 4, 30, 22, 9, 26, 0, time.UTC)

func TestRealSalesforceResponse(t *testing.T) {
	resp, cert := realSalesforceResponse(t)
	clock := WithClock(func() time.Time { return realSalesforceIssued })

	a, err := VerifyResponse(resp, []*Cert{cert}, clock, WithSigningAlgorithm(SigningSHA1), WithAudience("kolide"))
	require.NoError(t, err, "an app configured SHA1")
	assert.True(t, a.ResponseSigned && a.AssertionSigned, "both signatures verify")
	assert.Equal(t, dsig.RSASHA1SignatureMethod, a.SignatureMethod)
	assert.Equal(t, "https://kolide-dev-ed.my.salesforce.com", a.Issuer)
	assert.Equal(t, "john@kolide.co", a.NameID)
	assert.Equal(t, map[string][]string{"userId": {"0056A000000Q6Rl"}, "username": {"john@kolide.co"},
		"email": {"john@kolide.co"}, "is_portal_user": {"false"}}, a.Attributes)
	assert.False(t, a.HasAWSAudience())

	_, err = VerifyResponse(resp, []*Cert{cert}, clock, WithSigningAlgorithm(SigningSHA256))
	require.ErrorIs(t, err, ErrSHA1, "an app configured SHA256")
	_, err = VerifyResponse(resp, []*Cert{cert}, clock)
	require.ErrorIs(t, err, ErrSHA1, "no app configuration: SHA-1 refused")

	_, err = VerifyResponse(resp, []*Cert{cert}, WithSigningAlgorithm(SigningSHA1))
	require.Error(t, err, "at today's clock its times and its certificate have passed")

	raw, err := decodeResponse(resp, DefaultMaxSize)
	require.NoError(t, err)
	tampered := strings.Replace(string(raw), ">john@kolide.co</saml:NameID>", ">eve@kolide.co</saml:NameID>", 1)
	require.NotEqual(t, string(raw), tampered)
	_, err = VerifyResponse([]byte(tampered), []*Cert{cert}, clock, WithSigningAlgorithm(SigningSHA1))
	require.ErrorIs(t, err, ErrSignature, "a changed NameID")

	other := testKey(t, "not-salesforce", 2048)
	_, err = VerifyResponse(resp, []*Cert{other.cert}, clock, WithSigningAlgorithm(SigningSHA1))
	require.ErrorIs(t, err, ErrUntrustedCert)

	_, err = VerifyResponse(resp, []*Cert{cert}, clock, WithSigningAlgorithm(SigningSHA1), RequireAWSSignIn(testProviderARN, ""))
	require.ErrorIs(t, err, ErrRecipient, "issued for another service provider, not AWS")
}

// xmlsec1 agrees: both signatures of the real Response verify with its
// certificate, and not with another.
func TestInteropRealSalesforceResponse(t *testing.T) {
	xmlsec := lookTool(t, "xmlsec1")
	resp, cert := realSalesforceResponse(t)
	raw, err := decodeResponse(resp, DefaultMaxSize)
	require.NoError(t, err)
	x := string(raw)
	i, j := strings.Index(x, "<saml:Assertion "), strings.Index(x, "</saml:Assertion>")
	require.True(t, i > 0 && j > i)
	dir := t.TempDir()
	good := writeFile(t, dir, "sf.crt", cert.PEM())
	bad := writeFile(t, dir, "other.crt", testKey(t, "not-salesforce", 2048).cert.PEM())
	for doc, node := range map[string]string{
		x:                                 "urn:oasis:names:tc:SAML:2.0:protocol:Response",
		x[i : j+len("</saml:Assertion>")]: "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
	} {
		f := writeFile(t, dir, "doc.xml", []byte(doc))
		verify := func(cert string) (string, bool) {
			return run(t, xmlsec, "--verify", "--pubkey-cert-pem", cert, "--enabled-key-data", "key-name",
				"--enabled-reference-uris", "same-doc", mdIDAttr, node, f)
		}
		out, ok := verify(good)
		assert.True(t, ok, "%s: %s", node, out)
		_, ok = verify(bad)
		assert.False(t, ok, node)
	}
}
