package rotation

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/voicecert/voicecert/samlmeta"
)

// The local check of a Response whose assertion is encrypted. The
// relying party decrypts it with a key only it holds (an IAM SAML
// provider's private key, AssertionEncryptionMode Required), so
// verification can check only what is outside: the Response's own
// signature and Issuer. The relying party's verdict is the one that counts
// for the assertion (see SignInJudge). This adapter stands apart so that
// it can give way to samlmeta's own handling of EncryptedAssertion.

// encryptedOuter is what is read of an encrypted Response: its Issuer and
// how many assertions it carries, in the clear and encrypted.
type encryptedOuter struct {
	XMLName   xml.Name   `xml:"urn:oasis:names:tc:SAML:2.0:protocol Response"`
	Issuer    string     `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
	Plain     []xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	Encrypted []xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:assertion EncryptedAssertion"`
}

// encryptedResponse returns the XML of resp (base64 or XML) when it
// carries an EncryptedAssertion.
func encryptedResponse(resp []byte) ([]byte, bool) {
	raw := bytes.TrimSpace(resp)
	if !bytes.HasPrefix(raw, []byte("<")) {
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
		if err != nil {
			return nil, false
		}
		raw = dec
	}
	if !bytes.Contains(raw, []byte("EncryptedAssertion")) {
		return nil, false
	}
	return raw, true
}

// verifyEncrypted checks an encrypted Response against the document: its
// root signed by one of the document's signing certificates, exactly one
// EncryptedAssertion and no plain Assertion, its Issuer the document's
// entityID.
func (t trustDoc) verifyEncrypted(raw []byte, opts ...samlmeta.VerifyOption) (*samlmeta.Assertion, error) {
	if t.err != nil {
		return nil, t.err
	}
	c, err := samlmeta.VerifySignature(raw, t.certs, opts...)
	if err != nil {
		return nil, fmt.Errorf("the encrypted Response's own signature: %w", err)
	}
	var o encryptedOuter
	if err := xml.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("%w: %v", samlmeta.ErrInvalidResponse, err)
	}
	if len(o.Encrypted) != 1 || len(o.Plain) != 0 {
		return nil, fmt.Errorf("%w: %d EncryptedAssertion and %d Assertion elements, want exactly one EncryptedAssertion", samlmeta.ErrInvalidResponse, len(o.Encrypted), len(o.Plain))
	}
	if issuer := strings.TrimSpace(o.Issuer); issuer != t.entityID {
		return nil, fmt.Errorf("%w: issuer %q is not the metadata's entityID %q", samlmeta.ErrInvalidResponse, issuer, t.entityID)
	}
	return &samlmeta.Assertion{Issuer: t.entityID, SignedBy: c, ResponseSigned: true}, nil
}
