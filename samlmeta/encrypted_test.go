package samlmeta

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opaqueEncryption stands for xmlenc: samlmeta never decrypts, so the
// content of the EncryptedAssertion only has to be well-formed.
func opaqueEncryption(plain []byte) ([]byte, error) {
	return []byte(`<saml:EncryptedAssertion xmlns:saml="` + NSAssertion + `"><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element"><xenc:CipherData><xenc:CipherValue>` +
		strings.Repeat("QUJD", len(plain)/3) + `</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>`), nil
}

func TestEncryptedAssertion(t *testing.T) {
	kp, other := testKey(t, "enc", 2048), testKey(t, "enc-other", 2048)
	clock := WithClock(func() time.Time { return testNow })
	resp := issue(t, kp, func(s *ResponseSpec) {
		s.SignResponse, s.SignAssertion, s.EncryptAssertion = true, true, opaqueEncryption
	})
	require.NotContains(t, string(resp), "<saml:Assertion")

	_, err := VerifyResponse(resp, []*Cert{kp.cert}, clock)
	require.ErrorIs(t, err, ErrEncryptedAssertion, "refused unless allowed")

	a, err := VerifyResponse(resp, []*Cert{kp.cert}, clock, AllowEncryptedAssertion(), RequireAWSSignIn(testProviderARN, ""), WithAudience("x"))
	require.NoError(t, err)
	assert.True(t, a.Encrypted, "the result says the assertion's checks could not run")
	assert.True(t, a.ResponseSigned)
	assert.False(t, a.AssertionSigned)
	assert.Equal(t, "https://example.my.salesforce.com", a.Issuer)
	assert.Equal(t, AWSSignInURL, a.Destination)
	assert.Empty(t, a.NameID)

	_, err = VerifyResponse(resp, []*Cert{other.cert}, clock, AllowEncryptedAssertion())
	require.ErrorIs(t, err, ErrSignature, "the outer signature is checked")

	tampered := strings.Replace(string(resp), "QUJD", "QUJE", 1)
	_, err = VerifyResponse([]byte(tampered), []*Cert{kp.cert}, clock, AllowEncryptedAssertion())
	require.ErrorIs(t, err, ErrSignature, "the encrypted content is covered by the Response signature")

	unsigned := issue(t, kp, func(s *ResponseSpec) {
		s.SignResponse, s.SignAssertion, s.EncryptAssertion = false, true, opaqueEncryption
	})
	_, err = VerifyResponse(unsigned, []*Cert{kp.cert}, clock, AllowEncryptedAssertion())
	require.ErrorIs(t, err, ErrUnsigned)

	two := strings.Replace(string(unsigned), "</samlp:Response>", "", 1)
	i := strings.Index(two, "<saml:EncryptedAssertion")
	two = two + two[i:] + "</samlp:Response>"
	_, err = VerifyResponse([]byte(two), []*Cert{kp.cert}, clock, AllowEncryptedAssertion())
	require.ErrorIs(t, err, ErrEncryptedAssertion)
}
