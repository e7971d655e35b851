package sftest

import (
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

// spEncryptionKey is a service provider's key pair for assertion
// encryption, as AWS IAM holds one for a provider with encryption.
func spEncryptionKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, cert := clientKey(t)
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

var cipherValues = regexp.MustCompile(`<xenc:CipherValue>([^<]*)</xenc:CipherValue>`)
var dataMethod = regexp.MustCompile(`<xenc:EncryptedData [^>]*><xenc:EncryptionMethod Algorithm="([^"]*)"/>`)

// decryptAssertion undoes the fake's xmlenc as a service provider would:
// RSA-OAEP for the key, CBC for the data, the last byte the padding length.
func decryptAssertion(t *testing.T, key *rsa.PrivateKey, resp string) []byte {
	t.Helper()
	cv := cipherValues.FindAllStringSubmatch(resp, -1)
	require.Len(t, cv, 2, "the key's and the data's CipherValue")
	wrapped, err := base64.StdEncoding.DecodeString(cv[0][1])
	require.NoError(t, err)
	k, err := rsa.DecryptOAEP(sha1.New(), nil, key, wrapped, nil)
	require.NoError(t, err)
	data, err := base64.StdEncoding.DecodeString(cv[1][1])
	require.NoError(t, err)
	m := dataMethod.FindStringSubmatch(resp)
	require.NotNil(t, m)
	var bc blockCipher
	for _, c := range encryptionTypes {
		if c.uri == m[1] {
			bc = c
		}
	}
	require.NotEmpty(t, bc.uri, m[1])
	require.Len(t, k, bc.keySize)
	b, err := bc.block(k)
	require.NoError(t, err)
	n := b.BlockSize()
	plain := make([]byte, len(data)-n)
	cipher.NewCBCDecrypter(b, data[:n]).CryptBlocks(plain, data[n:])
	return plain[:len(plain)-int(plain[len(plain)-1])]
}

func TestEncryptedResponse(t *testing.T) {
	o, loginID := shapeOrg(t)
	md := metadataOf(t, o.MetadataURL("Gamma_Connected_App"))
	parsed, err := samlmeta.Parse(md)
	require.NoError(t, err)
	idpCerts, err := parsed.SigningCertificates()
	require.NoError(t, err)
	clock := samlmeta.WithClock(func() time.Time { return fixedNow })
	spKey, spCert := spEncryptionKey(t)
	setSAMLField(t, o, "Gamma_Connected_App", "encryptionCertificate", spCert)

	_, resp := ssoLogin(t, o, loginID)
	assert.NotContains(t, decoded(t, resp), "EncryptedAssertion", "a certificate without a type: plaintext")

	for _, typ := range []string{"AES_128", "AES_256", "Triple_Des"} {
		t.Run(typ, func(t *testing.T) {
			setSAMLField(t, o, "Gamma_Connected_App", "encryptionType", typ)
			_, resp := ssoLogin(t, o, loginID)
			x := decoded(t, resp)
			require.NotContains(t, x, "<saml:Assertion")

			_, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock)
			require.ErrorIs(t, err, samlmeta.ErrEncryptedAssertion)
			a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock, samlmeta.AllowEncryptedAssertion())
			require.NoError(t, err)
			assert.True(t, a.Encrypted)
			assert.Equal(t, o.URL(), a.Issuer)

			plain := decryptAssertion(t, spKey, x)
			assert.Contains(t, string(plain), samlmeta.AttrRoleSessionName)
			c, err := samlmeta.VerifySignature(plain, idpCerts, clock)
			require.NoError(t, err, "the decrypted Assertion carries its own signature")
			assert.Equal(t, idpCerts[0].SHA256, c.SHA256)
		})
	}

	setSAMLField(t, o, "Gamma_Connected_App", "encryptionType", "Blowfish")
	status, _ := idpLoginStatus(t, o, loginID)
	assert.Equal(t, 500, status)
}
