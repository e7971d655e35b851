package samlmeta

import (
	"regexp"
	"strings"
	"testing"
	"time"

	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An app configured SHA1 has its Responses accepted; SHA-1 stays refused
// for every other app and by default.
func TestWithSigningAlgorithm(t *testing.T) {
	kp := testKey(t, "alg", 2048)
	clock := WithClock(func() time.Time { return testNow })
	sha1 := issue(t, kp, func(s *ResponseSpec) { s.SigningAlgorithm, s.SignResponse, s.SignAssertion = SigningSHA1, true, true })
	sha256 := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, true })
	require.Equal(t, 2, strings.Count(string(sha1), dsig.RSASHA1SignatureMethod))
	require.Equal(t, 2, strings.Count(string(sha1), `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>`))

	a, err := VerifyResponse(sha1, []*Cert{kp.cert}, clock, WithSigningAlgorithm(SigningSHA1))
	require.NoError(t, err)
	assert.Equal(t, dsig.RSASHA1SignatureMethod, a.SignatureMethod)
	assert.True(t, a.ResponseSigned && a.AssertionSigned)

	for name, opts := range map[string][]VerifyOption{
		"default":                {clock},
		"app SHA256":             {clock, WithSigningAlgorithm(SigningSHA256)},
		"app SHA256, AllowSHA1":  {clock, AllowSHA1(), WithSigningAlgorithm(SigningSHA256)},
		"AllowSHA1, app SHA256 ": {clock, WithSigningAlgorithm(SigningSHA256), AllowSHA1()},
	} {
		_, err := VerifyResponse(sha1, []*Cert{kp.cert}, opts...)
		require.ErrorIs(t, err, ErrSHA1, name)
	}
	_, err = VerifyResponse(sha1, []*Cert{kp.cert}, clock, WithSigningAlgorithm("MD5"), AllowSHA1())
	require.NoError(t, err, "an unknown value keeps the default policy, here AllowSHA1")

	for _, alg := range []SigningAlgorithm{SigningSHA1, SigningSHA256, ""} {
		a, err := VerifyResponse(sha256, []*Cert{kp.cert}, clock, WithSigningAlgorithm(alg))
		require.NoError(t, err, alg)
		assert.Equal(t, dsig.RSASHA256SignatureMethod, a.SignatureMethod)
	}
}

// IssueResponse writes what a real Salesforce Response carries.
func TestIssueResponseSalesforceShape(t *testing.T) {
	kp := testKey(t, "alg", 2048)
	resp := string(issue(t, kp, func(s *ResponseSpec) {
		s.SignResponse, s.SignAssertion = true, true
		s.NotBefore = testNow.Add(-30 * time.Second)
		s.Attributes = append(s.Attributes, Attribute{Name: "userId", Values: []string{"005000000000001"}, Type: "xs:anyType"})
	}))
	assert.Contains(t, resp, `PrefixList="ds saml samlp xs xsi"`)
	assert.Contains(t, resp, `PrefixList="ds saml xs xsi"`)
	assert.Contains(t, resp, `NotBefore="`+formatDateTime(testNow.Add(-30*time.Second))+`"`)
	assert.Contains(t, resp, `xsi:type="xs:anyType">005000000000001<`)
	for _, tag := range []string{"SignatureValue", "X509Certificate"} {
		ms := regexp.MustCompile(`(?s)<ds:`+tag+`>(.*?)</ds:`+tag+`>`).FindAllStringSubmatch(resp, -1)
		require.Len(t, ms, 2, tag)
		for _, m := range ms {
			lines := strings.Split(strings.Trim(m[1], "\n"), "\n")
			require.Greater(t, len(lines), 1, tag)
			for i, l := range lines {
				if i < len(lines)-1 {
					assert.Len(t, l, 76, tag)
				} else {
					assert.LessOrEqual(t, len(l), 76, tag)
				}
			}
		}
	}
	_, err := VerifyResponse([]byte(resp), []*Cert{kp.cert}, WithClock(func() time.Time { return testNow }))
	require.NoError(t, err)
}
