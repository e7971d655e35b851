package sftest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"html"
)

// XML Encryption algorithm URIs (W3C XML Encryption Syntax and Processing).
const (
	nsXMLEnc         = "http://www.w3.org/2001/04/xmlenc#"
	xmlencElement    = nsXMLEnc + "Element"
	xmlencAES128CBC  = nsXMLEnc + "aes128-cbc"
	xmlencAES256CBC  = nsXMLEnc + "aes256-cbc"
	xmlencTripleDES  = nsXMLEnc + "tripledes-cbc"
	xmlencRSAOAEP    = nsXMLEnc + "rsa-oaep-mgf1p"
	xmldsigSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
	nsSAMLAssertion  = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsXMLDSig        = "http://www.w3.org/2000/09/xmldsig#"
	encryptedElement = "EncryptedAssertion"
)

// blockCipher is one SamlEncryptionType: its xmlenc URI, key size and
// block cipher.
type blockCipher struct {
	uri     string
	keySize int
	block   func(key []byte) (cipher.Block, error)
}

// encryptionTypes maps samlConfig.encryptionType to the block cipher
// (facts.go).
var encryptionTypes = map[string]blockCipher{
	"AES_128":    {xmlencAES128CBC, 16, aes.NewCipher},
	"AES_256":    {xmlencAES256CBC, 32, aes.NewCipher},
	"Triple_Des": {xmlencTripleDES, 24, des.NewTripleDESCipher},
}

// assertionEncrypter returns the function that turns a signed Assertion
// into the saml:EncryptedAssertion a real org sends to an app with an
// encryption certificate and type: the Assertion encrypted with a fresh
// key in CBC mode (IV first, xmlenc padding), the key encrypted with
// RSA-OAEP (MGF1 with SHA-1) for the certificate's public key, which
// KeyInfo names.
func assertionEncrypter(certPEM, encType string) (func([]byte) ([]byte, error), error) {
	bc, ok := encryptionTypes[encType]
	if !ok {
		return nil, fmt.Errorf("encryption type %q is not one of AES_128, AES_256, Triple_Des", encType)
	}
	blk, _ := pem.Decode([]byte(certPEM))
	if blk == nil {
		return nil, fmt.Errorf("the encryption certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the encryption certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the encryption certificate's key is %T, not RSA", cert.PublicKey)
	}
	return func(plain []byte) ([]byte, error) {
		key := make([]byte, bc.keySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		b, err := bc.block(key)
		if err != nil {
			return nil, err
		}
		data := make([]byte, b.BlockSize(), b.BlockSize()+len(plain)+b.BlockSize())
		if _, err := rand.Read(data); err != nil { // the IV
			return nil, err
		}
		pad := b.BlockSize() - len(plain)%b.BlockSize()
		padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
		ct := make([]byte, len(padded))
		cipher.NewCBCEncrypter(b, data[:b.BlockSize()]).CryptBlocks(ct, padded)
		data = append(data, ct...)
		wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, key, nil)
		if err != nil {
			return nil, err
		}
		return fmt.Appendf(nil, `<saml:%s xmlns:saml="%s">`+
			`<xenc:EncryptedData xmlns:xenc="%s" Type="%s"><xenc:EncryptionMethod Algorithm="%s"/>`+
			`<ds:KeyInfo xmlns:ds="%s"><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="%s"><ds:DigestMethod Algorithm="%s"/></xenc:EncryptionMethod>`+
			`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`+
			`<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>`+
			`<xenc:CipherData><xenc:CipherValue>%s</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:%s>`,
			encryptedElement, nsSAMLAssertion, nsXMLEnc, xmlencElement, html.EscapeString(bc.uri), nsXMLDSig, xmlencRSAOAEP, xmldsigSHA1,
			base64.StdEncoding.EncodeToString(cert.Raw), base64.StdEncoding.EncodeToString(wrapped),
			base64.StdEncoding.EncodeToString(data), encryptedElement), nil
	}, nil
}
