package iamtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // RSA-OAEP with SHA-1 is XML Encryption's rsa-oaep-mgf1p.
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strings"

	"github.com/beevik/etree"
)

// XML Encryption algorithms the fake decrypts. [C] W3C XML Encryption 1.0
// and 1.1 identifiers; [U] which of them IAM accepts (it documents none):
// the fake takes the key transports and block ciphers SAML IdPs commonly
// use (Salesforce offers AES-128/256 in CBC and GCM).
const (
	nsXMLEnc    = "http://www.w3.org/2001/04/xmlenc#"
	algOAEP     = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algOAEP11   = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	algAES128   = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algAES256   = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	algAES128GC = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algAES256GC = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	algSHA256   = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// decryptAssertion decrypts an EncryptedAssertion with one of the
// provider's private keys and returns the Assertion, parsed in the
// namespace context of ea.
func decryptAssertion(ea *etree.Element, keys []privateKey) (*etree.Element, *Fault) {
	fail := invalidToken(msgCannotDecrypt)
	data := childNS(ea, nsXMLEnc, "EncryptedData")
	if data == nil || len(keys) == 0 {
		return nil, fail
	}
	method := attrOf(childNS(data, nsXMLEnc, "EncryptionMethod"), "Algorithm")
	var ek *etree.Element
	if ki := childNS(data, nsDSig, "KeyInfo"); ki != nil {
		ek = childNS(ki, nsXMLEnc, "EncryptedKey")
	}
	if ek == nil {
		ek = childNS(ea, nsXMLEnc, "EncryptedKey")
	}
	ct, ok := cipherValue(data)
	wrapped, ok2 := cipherValue(ek)
	if !ok || !ok2 {
		return nil, fail
	}
	var plain []byte
	for _, k := range keys {
		cek, err := unwrapKey(ek, wrapped, k.key)
		if err != nil {
			continue
		}
		if plain, err = decryptData(method, cek, ct); err == nil {
			break
		}
	}
	if plain == nil {
		return nil, fail
	}
	// The plaintext is an Assertion element that may use prefixes declared
	// around the EncryptedAssertion: parse it inside a wrapper declaring them.
	wrapper := withInScopeNamespaces(ea)
	wrapper.Child = nil
	var b strings.Builder
	b.WriteString("<w")
	for _, at := range wrapper.Attr {
		if at.Space == "xmlns" || (at.Space == "" && at.Key == "xmlns") {
			b.WriteString(" " + at.FullKey() + `="` + escapeAttr(at.Value) + `"`)
		}
	}
	b.WriteString(">" + string(plain) + "</w>")
	d := etree.NewDocument()
	if err := d.ReadFromString(b.String()); err != nil || strings.Contains(string(plain), "<!DOCTYPE") {
		return nil, fail
	}
	as := childrenNS(d.Root(), nsAssertion, "Assertion")
	if len(as) != 1 || len(d.Root().ChildElements()) != 1 {
		return nil, fail
	}
	return as[0], nil
}

func cipherValue(el *etree.Element) ([]byte, bool) {
	cv := childNS(childNS(el, nsXMLEnc, "CipherData"), nsXMLEnc, "CipherValue")
	if cv == nil {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(cv.Text()), ""))
	return b, err == nil
}

func unwrapKey(ek *etree.Element, wrapped []byte, key *rsa.PrivateKey) ([]byte, error) {
	m := childNS(ek, nsXMLEnc, "EncryptionMethod")
	var h hash.Hash = sha1.New()
	switch attrOf(m, "Algorithm") {
	case algOAEP:
	case algOAEP11:
		if attrOf(childNS(m, nsDSig, "DigestMethod"), "Algorithm") == algSHA256 {
			h = sha256.New()
		}
	default:
		return nil, errUnsupported
	}
	return rsa.DecryptOAEP(h, nil, key, wrapped, nil)
}

func decryptData(alg string, cek, ct []byte) ([]byte, error) {
	want := map[string]int{algAES128: 16, algAES256: 32, algAES128GC: 16, algAES256GC: 32}[alg]
	if want == 0 || len(cek) != want {
		return nil, errUnsupported
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	if alg == algAES128GC || alg == algAES256GC {
		gcm, err := cipher.NewGCM(block)
		if err != nil || len(ct) < gcm.NonceSize()+gcm.Overhead() {
			return nil, errUnsupported
		}
		return gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], nil)
	}
	if len(ct) < 2*aes.BlockSize || len(ct)%aes.BlockSize != 0 {
		return nil, errUnsupported
	}
	out := make([]byte, len(ct)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, ct[:aes.BlockSize]).CryptBlocks(out, ct[aes.BlockSize:])
	pad := int(out[len(out)-1])
	if pad < 1 || pad > aes.BlockSize {
		return nil, errUnsupported
	}
	return out[:len(out)-pad], nil
}

type unsupportedError struct{}

func (unsupportedError) Error() string { return "iamtest: unsupported or undecryptable XML encryption" }

var errUnsupported error = unsupportedError{}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;").Replace(s)
}

// attrOf returns el's attribute key, or "" (also when el is nil).
func attrOf(el *etree.Element, key string) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue(key, "")
}
