package samlmeta

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignAndVerify(t *testing.T) {
	old, nw := testKey(t, "sig-old", 2048), testKey(t, "sig-new", 2048)
	doc := buildTestMetadata(t, old.cert, nw.cert)
	signed, err := Sign(doc, nw.key, nw.cert)
	require.NoError(t, err)

	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(signed))
	root := d.Root()
	first := root.ChildElements()[0]
	assert.Equal(t, "Signature", first.Tag, "signature is the first child")
	id := root.SelectAttrValue("ID", "")
	require.NotEmpty(t, id)
	assert.Contains(t, string(signed), `URI="#`+id+`"`)
	assert.Contains(t, string(signed), `Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"`)
	assert.Contains(t, string(signed), `Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"`)
	// The rest of the document is as built: Sign only adds the ID and the Signature.
	sigStart := bytes.Index(signed, []byte("<ds:Signature"))
	sigEnd := bytes.Index(signed, []byte("</ds:Signature>")) + len("</ds:Signature>")
	withoutSig := string(signed[:sigStart]) + string(signed[sigEnd:])
	assert.Equal(t, strings.Replace(string(doc), `xmlns:ds="http://www.w3.org/2000/09/xmldsig#">`, `xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="`+id+`">`, 1), withoutSig)

	again, err := Sign(doc, nw.key, nw.cert)
	require.NoError(t, err)
	assert.Equal(t, signed, again, "deterministic")

	got, err := VerifySignature(signed, []*Cert{old.cert, nw.cert}, WithClock(testClock))
	require.NoError(t, err)
	assert.Equal(t, nw.cert.SHA256, got.SHA256)

	// Re-signing replaces the signature and keeps the ID.
	resigned, err := Sign(signed, old.key, old.cert)
	require.NoError(t, err)
	assert.Equal(t, 1, bytes.Count(resigned, []byte("<ds:Signature ")))
	assert.Contains(t, string(resigned), `ID="`+id+`"`)
	got, err = VerifySignature(resigned, []*Cert{old.cert, nw.cert}, WithClock(testClock))
	require.NoError(t, err)
	assert.Equal(t, old.cert.SHA256, got.SHA256)
}

func TestSignRefusals(t *testing.T) {
	a, b := testKey(t, "sig-old", 2048), testKey(t, "sig-new", 2048)
	doc := buildTestMetadata(t, a.cert)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, err = Sign(doc, b.key, a.cert)
	assert.ErrorIs(t, err, ErrInvalidSpec, "key does not match certificate")
	_, err = Sign(doc, ec, a.cert)
	assert.ErrorIs(t, err, ErrUnsupportedKey)
	_, err = Sign(doc, nil, a.cert)
	assert.ErrorIs(t, err, ErrInvalidSpec)
	_, err = Sign(doc, a.key, nil)
	assert.ErrorIs(t, err, ErrInvalidSpec)
	_, err = Sign(append([]byte("<!DOCTYPE x>"), doc...), a.key, a.cert)
	assert.ErrorIs(t, err, ErrDOCTYPE)
}

func TestVerifySignatureFailures(t *testing.T) {
	a, b := testKey(t, "sig-old", 2048), testKey(t, "sig-new", 2048)
	expired := testKeyValid(t, "sig-expired", 2048, testNow.AddDate(-2, 0, 0), testNow.AddDate(-1, 0, 0))
	doc := buildTestMetadata(t, a.cert, b.cert)
	signed, err := Sign(doc, a.key, a.cert)
	require.NoError(t, err)
	signedExpired, err := Sign(doc, expired.key, expired.cert)
	require.NoError(t, err)

	keyInfoName := []byte(regexpReplace(string(signed), `<ds:KeyInfo>.*?</ds:KeyInfo>`, `<ds:KeyInfo><ds:KeyName>a</ds:KeyName></ds:KeyInfo>`))
	require.NotEqual(t, signed, keyInfoName)
	noKeyInfo := []byte(regexpReplace(string(signed), `<ds:KeyInfo>.*?</ds:KeyInfo>`, ``))

	for _, tc := range []struct {
		name    string
		doc     []byte
		trusted []*Cert
		opts    []VerifyOption
		want    error // nil: must verify
	}{
		{"other cert only", signed, []*Cert{b.cert}, nil, ErrUntrustedCert},
		{"no trusted certs", signed, nil, nil, ErrUntrustedCert},
		{"nil trusted cert", signed, []*Cert{nil}, nil, ErrUntrustedCert},
		{"unsigned", doc, []*Cert{a.cert}, nil, ErrUnsigned},
		{"expired cert", signedExpired, []*Cert{expired.cert}, nil, ErrCertValidity},
		{"expired cert ignored", signedExpired, []*Cert{expired.cert}, []VerifyOption{IgnoreValidity()}, nil},
		{"not yet valid", signed, []*Cert{a.cert}, []VerifyOption{WithClock(func() time.Time { return testNow.AddDate(-1, 0, 0) })}, ErrCertValidity},
		{"KeyInfo without cert, two trusted", keyInfoName, []*Cert{b.cert, a.cert}, nil, nil},
		{"no KeyInfo, two trusted", noKeyInfo, []*Cert{b.cert, a.cert}, nil, nil},
		{"no KeyInfo, wrong cert", noKeyInfo, []*Cert{b.cert}, nil, ErrSignature},
		{"bad KeyInfo cert", []byte(strings.Replace(string(signed), "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>MII", "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>!!", 1)), []*Cert{a.cert}, nil, ErrSignature},
		{"not XML", []byte("nope"), []*Cert{a.cert}, nil, ErrMalformed},
		{"clock ok", signed, []*Cert{a.cert}, []VerifyOption{WithClock(nil), WithClock(testClock)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]VerifyOption{WithClock(testClock)}, tc.opts...)
			c, err := VerifySignature(tc.doc, tc.trusted, opts...)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.trusted[len(tc.trusted)-1].SHA256, c.SHA256)
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, c)
		})
	}
}

// regexpReplace replaces the first match of pattern.
func regexpReplace(s, pattern, repl string) string {
	loc := regexpMust(pattern).FindStringIndex(s)
	if loc == nil {
		return s
	}
	return s[:loc[0]] + repl + s[loc[1]:]
}

func TestVerifyMetadata(t *testing.T) {
	a, b := testKey(t, "sig-old", 2048), testKey(t, "sig-new", 2048)
	signed, err := Sign(buildTestMetadata(t, a.cert, b.cert), b.key, b.cert)
	require.NoError(t, err)
	// A comment in a signed value is not signed content: no read sees it.
	commented := strings.Replace(string(signed), "nameid-format:unspecified<", "nameid-format:<!-- x -->unspecified<", 1)
	require.NotEqual(t, string(signed), commented)
	m, c, err := VerifyMetadata([]byte(commented), []*Cert{a.cert, b.cert}, WithClock(testClock))
	require.NoError(t, err)
	assert.Equal(t, b.cert.SHA256, c.SHA256)
	assert.Equal(t, "https://example.my.salesforce.com", m.EntityID())
	assert.Equal(t, "https://example.my.salesforce.com/idp/endpoint/HttpPost", m.SSOServices()[0].Location)
	assert.Equal(t, []string{NameIDFormatUnspecified}, m.NameIDFormats())
	assert.True(t, m.Signed())
	assert.Equal(t, commented, string(m.Bytes()), "the verified value holds the document that was verified")
	certs, err := m.SigningCertificates()
	require.NoError(t, err)
	assert.Len(t, certs, 2)

	_, _, err = VerifyMetadata(signed, []*Cert{a.cert}, WithClock(testClock))
	assert.ErrorIs(t, err, ErrUntrustedCert)
	_, _, err = VerifyMetadata([]byte("<x"), []*Cert{a.cert})
	assert.ErrorIs(t, err, ErrMalformed)
	resp := issue(t, b, func(s *ResponseSpec) { s.SignResponse = true })
	_, _, err = VerifyMetadata(resp, []*Cert{b.cert}, WithClock(testClock))
	assert.ErrorIs(t, err, ErrNotMetadata, "a signed document that is not metadata")
}
