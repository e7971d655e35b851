package samlmeta

import (
	"crypto"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func issue(t testing.TB, kp keyPair, mutate func(*ResponseSpec)) []byte {
	t.Helper()
	spec := awsResponseSpec(testNow)
	if mutate != nil {
		mutate(&spec)
	}
	resp, err := IssueResponse(spec, kp.key, kp.cert)
	require.NoError(t, err)
	return resp
}

func TestIssueAndVerifyResponse(t *testing.T) {
	old, nw := testKey(t, "resp-old", 2048), testKey(t, "resp-new", 2048)
	md := buildTestMetadata(t, old.cert, nw.cert)
	for _, tc := range []struct {
		name            string
		resp, assertion bool
	}{
		{"default", false, false},
		{"assertion", false, true},
		{"response", true, false},
		{"both", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := issue(t, nw, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = tc.resp, tc.assertion })
			b64 := base64.StdEncoding.EncodeToString(resp)
			for _, in := range [][]byte{resp, []byte(b64), []byte(wrap76(b64))} {
				a, err := VerifyResponseWithMetadata(in, md, WithClock(testClock), WithAudience("https://signin.aws.amazon.com/saml"))
				require.NoError(t, err)
				assert.Equal(t, "https://example.my.salesforce.com", a.Issuer)
				assert.Equal(t, "agent@example.com", a.NameID)
				assert.Equal(t, NameIDFormatPersistent, a.NameIDFormat)
				assert.Equal(t, "https://signin.aws.amazon.com/saml", a.Audience)
				assert.Equal(t, "https://signin.aws.amazon.com/saml", a.Destination)
				assert.Equal(t, "https://signin.aws.amazon.com/saml", a.Recipient)
				assert.Equal(t, []string{testRoleARN + "," + testProviderARN}, a.Roles)
				assert.Equal(t, "agent@example.com", a.RoleSessionName)
				assert.Equal(t, testNow, a.NotBefore)
				assert.Equal(t, testNow.Add(DefaultResponseValidity), a.NotOnOrAfter)
				assert.Equal(t, nw.cert.SHA256, a.SignedBy.SHA256)
				assert.Equal(t, tc.resp, a.ResponseSigned)
				assert.Equal(t, tc.assertion || !tc.resp, a.AssertionSigned)
				assert.NotEmpty(t, a.ID)
			}
		})
	}
}

func wrap76(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 76 {
		b.WriteString(s[i:min(i+76, len(s))])
		b.WriteString("\r\n")
	}
	return b.String()
}

func TestIssueResponseDefaultsAndErrors(t *testing.T) {
	kp := testKey(t, "resp-new", 2048)
	resp, err := IssueResponse(ResponseSpec{Issuer: "i", NameID: "n"}, kp.key, kp.cert)
	require.NoError(t, err)
	a, err := VerifyResponse(resp, []*Cert{kp.cert})
	require.NoError(t, err, "defaults: now, 5 minutes, assertion signed")
	assert.Equal(t, NameIDFormatUnspecified, a.NameIDFormat)
	assert.Empty(t, a.Destination)
	assert.Empty(t, a.Audience)
	assert.WithinDuration(t, time.Now().Add(DefaultResponseValidity), a.NotOnOrAfter, time.Minute)

	spec := awsResponseSpec(testNow)
	spec.Recipient = "https://eu-west-1.signin.aws.amazon.com/saml"
	spec.Validity = time.Hour
	resp, err = IssueResponse(spec, kp.key, kp.cert)
	require.NoError(t, err)
	a, err = VerifyResponse(resp, []*Cert{kp.cert}, WithClock(func() time.Time { return testNow.Add(50 * time.Minute) }))
	require.NoError(t, err)
	assert.Equal(t, "https://eu-west-1.signin.aws.amazon.com/saml", a.Recipient)
	assert.Equal(t, a.Recipient, a.Destination, "assertion-only: Destination is the signed Recipient")

	_, err = IssueResponse(ResponseSpec{Issuer: "i"}, kp.key, kp.cert)
	assert.ErrorIs(t, err, ErrInvalidSpec)
	_, err = IssueResponse(ResponseSpec{Issuer: "i", NameID: "n"}, nil, kp.cert)
	assert.ErrorIs(t, err, ErrInvalidSpec)
}

func TestVerifyResponseTime(t *testing.T) {
	kp := testKey(t, "resp-new", 2048)
	resp := issue(t, kp, nil)
	at := func(d time.Duration, opts ...VerifyOption) error {
		_, err := VerifyResponse(resp, []*Cert{kp.cert}, append([]VerifyOption{WithClock(func() time.Time { return testNow.Add(d) })}, opts...)...)
		return err
	}
	assert.NoError(t, at(0))
	assert.NoError(t, at(-2*time.Minute), "within the default skew before NotBefore")
	assert.ErrorIs(t, at(-4*time.Minute), ErrInvalidResponse)
	assert.NoError(t, at(7*time.Minute), "within the default skew after NotOnOrAfter")
	assert.ErrorIs(t, at(9*time.Minute), ErrInvalidResponse)
	assert.ErrorIs(t, at(5*time.Minute, WithClockSkew(0)), ErrInvalidResponse, "NotOnOrAfter is exclusive")
	assert.NoError(t, at(5*time.Minute-time.Millisecond, WithClockSkew(0)))
	assert.ErrorIs(t, at(-time.Millisecond, WithClockSkew(0)), ErrInvalidResponse)
	assert.NoError(t, at(0, WithClockSkew(-1)), "negative skew keeps the default")
}

func TestVerifyResponseContentRefusals(t *testing.T) {
	kp, other := testKey(t, "resp-new", 2048), testKey(t, "resp-old", 2048)
	good := issue(t, kp, nil)
	md := buildTestMetadata(t, kp.cert)
	check := func(name string, resp []byte, trusted []*Cert, want error, opts ...VerifyOption) {
		t.Helper()
		_, err := VerifyResponse(resp, trusted, append([]VerifyOption{WithClock(testClock)}, opts...)...)
		assert.ErrorIs(t, err, want, name)
	}
	check("wrong audience", good, []*Cert{kp.cert}, ErrInvalidResponse, WithAudience("urn:other"))
	check("untrusted signer", good, []*Cert{other.cert}, ErrUntrustedCert)
	check("not a response", buildTestMetadata(t, kp.cert), []*Cert{kp.cert}, ErrInvalidResponse)
	check("garbage", []byte("%%%not base64"), []*Cert{kp.cert}, ErrInvalidResponse)
	check("base64 of garbage", []byte(base64.StdEncoding.EncodeToString([]byte("<x"))), []*Cert{kp.cert}, ErrMalformed)
	check("oversize raw", good, []*Cert{kp.cert}, ErrTooLarge, WithMaxResponseSize(100))
	check("oversize base64", []byte(base64.StdEncoding.EncodeToString(good)), []*Cert{kp.cert}, ErrTooLarge, WithMaxResponseSize(100))
	check("doctype", append([]byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>`), good[len(`<?xml version="1.0" encoding="UTF-8"?>`):]...), []*Cert{kp.cert}, ErrDOCTYPE)
	check("sha1 assertion", sha1Response(t, kp), []*Cert{kp.cert}, ErrSHA1)
	_, err := VerifyResponse(sha1Response(t, kp), []*Cert{kp.cert}, WithClock(testClock), AllowSHA1())
	assert.NoError(t, err, "AllowSHA1")

	// Unsigned variants of the content are refused before reading.
	for name, edit := range map[string]func(*etree.Element){
		"failed status": func(r *etree.Element) {
			r.FindElement("./Status/StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Responder")
		},
		"no status": func(r *etree.Element) { r.RemoveChild(r.FindElement("./Status")) },
		"no issuer": func(r *etree.Element) { a := r.FindElement("./Assertion"); a.RemoveChild(a.FindElement("./Issuer")) },
		"no NameID": func(r *etree.Element) {
			s := r.FindElement("./Assertion/Subject")
			s.RemoveChild(s.FindElement("./NameID"))
		},
		"no conditions": func(r *etree.Element) {
			a := r.FindElement("./Assertion")
			a.RemoveChild(a.FindElement("./Conditions"))
		},
		"no NotOnOrAfter":  func(r *etree.Element) { r.FindElement("./Assertion/Conditions").RemoveAttr("NotOnOrAfter") },
		"bad NotBefore":    func(r *etree.Element) { r.FindElement("./Assertion/Conditions").CreateAttr("NotBefore", "soon") },
		"bad NotOnOrAfter": func(r *etree.Element) { r.FindElement("./Assertion/Conditions").CreateAttr("NotOnOrAfter", "later") },
		"encrypted": func(r *etree.Element) {
			r.FindElement("./Assertion").CreateElement("saml:EncryptedAssertion")
		},
	} {
		resp := resignedResponse(t, kp, edit)
		check(name, resp, []*Cert{kp.cert}, ErrInvalidResponse)
	}

	// Issuer must match the metadata's entityID.
	wrongIssuer := issue(t, kp, func(s *ResponseSpec) { s.Issuer = "https://other.my.salesforce.com" })
	_, err = VerifyResponseWithMetadata(wrongIssuer, md, WithClock(testClock))
	assert.ErrorIs(t, err, ErrInvalidResponse)
	_, err = VerifyResponseWithMetadata(good, []byte("<x/>"), WithClock(testClock))
	assert.ErrorIs(t, err, ErrNotMetadata)
	noCerts := []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor protocolSupportEnumeration="p"/></md:EntityDescriptor>`)
	_, err = VerifyResponseWithMetadata(good, noCerts, WithClock(testClock))
	assert.ErrorIs(t, err, ErrNoSigningKey)
	badCert := []byte(strings.Replace(string(md), "<ds:X509Certificate>MII", "<ds:X509Certificate>!!", 1))
	_, err = VerifyResponseWithMetadata(good, badCert, WithClock(testClock))
	assert.ErrorIs(t, err, ErrUnsupportedKey)
	_, err = VerifyResponseWithMetadata(sha1Response(t, kp), md, WithClock(testClock))
	assert.ErrorIs(t, err, ErrSHA1)
}

// resignedResponse issues a response, lets edit change the unsigned
// response tree, then signs the Assertion (which edit may have changed).
func resignedResponse(t *testing.T, kp keyPair, edit func(root *etree.Element)) []byte {
	t.Helper()
	spec := awsResponseSpec(testNow)
	spec.SignResponse, spec.SignAssertion = true, false // response signature removed below
	raw, err := IssueResponse(spec, kp.key, kp.cert)
	require.NoError(t, err)
	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(raw))
	root := d.Root()
	root.RemoveChild(root.FindElement("./Signature"))
	edit(root)
	a := root.FindElement("./Assertion")
	iss := a.FindElement("./Issuer")
	at := 0
	if iss != nil {
		at = iss.Index() + 1
	}
	require.NoError(t, signElement(a, at, kp.key, kp.cert))
	out, err := d.WriteToBytes()
	require.NoError(t, err)
	return out
}

// sha1Response is an assertion signed with rsa-sha1 and sha1 digests, as
// older Salesforce orgs sent.
func sha1Response(t *testing.T, kp keyPair) []byte {
	t.Helper()
	raw := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, false })
	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(raw))
	root := d.Root()
	root.RemoveChild(root.FindElement("./Signature"))
	a := root.FindElement("./Assertion")
	ctx, err := dsig.NewSigningContext(kp.key, [][]byte{kp.cert.DER})
	require.NoError(t, err)
	ctx.Canonicalizer = detachingCanonicalizer{dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")}
	ctx.Hash = crypto.SHA1
	sig, err := ctx.ConstructSignature(a, true)
	require.NoError(t, err)
	a.InsertChildAt(a.FindElement("./Issuer").Index()+1, sig)
	out, err := d.WriteToBytes()
	require.NoError(t, err)
	require.Contains(t, string(out), "rsa-sha1")
	return out
}
