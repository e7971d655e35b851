package samlmeta

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// padTo pads doc with a comment of multi-byte characters before the root's
// end so that it has exactly n characters.
func padTo(t *testing.T, doc []byte, n int) []byte {
	t.Helper()
	s := string(doc)
	i := strings.LastIndex(s, "</md:EntityDescriptor>")
	require.Positive(t, i)
	base := utf8.RuneCountInString(s) + len("<!---->")
	require.LessOrEqual(t, base, n)
	return []byte(s[:i] + "<!--" + strings.Repeat("é", n-base) + "-->" + s[i:])
}

// minimalCert is a certificate without names or extensions for pub, signed
// by signer.
func minimalCert(t *testing.T, pub any, signer keyPair) *Cert {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer.key)
	require.NoError(t, err)
	c, err := ParseCertDER(der)
	require.NoError(t, err)
	return c
}

// weakCert carries a 512-bit RSA public key (Go refuses to generate one, so
// the modulus is just a 512-bit odd number; only its length matters here).
func weakCert(t *testing.T, signer keyPair) *Cert {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), 511)
	n.Add(n, big.NewInt(12345))
	c := minimalCert(t, &rsa.PublicKey{N: n, E: 65537}, signer)
	require.Equal(t, 512, c.KeyBits)
	return c
}

func ecdsaCert(t *testing.T) *Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ec"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := ParseCertDER(der)
	require.NoError(t, err)
	return c
}

func TestValidateIAM(t *testing.T) {
	k2048 := testKey(t, "iam-2048", 2048)
	k1024 := testKey(t, "iam-1024", 1024)
	k512 := weakCert(t, k2048)
	good := buildTestMetadata(t, k2048.cert)
	require.NoError(t, ValidateIAM(good, testNow))
	require.NoError(t, ValidateIAM(buildTestMetadata(t, k1024.cert), testNow), "1024 bits is the minimum")

	eleven := make([]*Cert, 11)
	for i := range eleven {
		eleven[i] = k1024.cert
	}
	noValidUntil, err := Build(BuildSpec{EntityID: "https://e.example.com", SSOServices: []Endpoint{{BindingHTTPPost, "https://e.example.com/sso"}},
		Certificates: []*Cert{k2048.cert, k1024.cert}})
	require.NoError(t, err)
	require.NoError(t, ValidateIAM(noValidUntil, testNow.AddDate(100, 0, 0)), "no validUntil never expires")

	for _, tc := range []struct {
		name string
		doc  []byte
		want []error
	}{
		{"bom", append([]byte("\xef\xbb\xbf"), good...), []error{ErrBOM}},
		{"not utf-8", append(append([]byte{}, good[:len(good)-2]...), 0xff, '>'), []error{ErrNotUTF8}},
		{"999 characters", []byte(strings.Repeat("x", 999)), []error{ErrTooShort}},
		{"weak key", buildTestMetadata(t, k512), []error{ErrWeakKey}},
		{"ecdsa key", buildTestMetadata(t, ecdsaCert(t)), []error{ErrUnsupportedKey}},
		{"eleven keys", buildTestMetadata(t, eleven...), []error{ErrTooManyKeys}},
		{"expired", good, nil},
		{"doctype", append([]byte("<!DOCTYPE x>"), good...), []error{ErrDOCTYPE}},
		{"entity id missing and no IDP", padTo(t, []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"></md:EntityDescriptor>`), 1200), []error{ErrNotMetadata, ErrNoSigningKey}},
		{"bad validUntil", []byte(strings.Replace(string(good), `validUntil="2036`, `validUntil="x2036`, 1)), []error{ErrNotMetadata}},
		{"bad certificate", []byte(strings.Replace(string(good), "<ds:X509Certificate>MII", "<ds:X509Certificate>!!!", 1)), []error{ErrUnsupportedKey, ErrNoSigningKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.name {
			case "expired":
				err := ValidateIAM(tc.doc, testNow.AddDate(20, 0, 0))
				require.ErrorIs(t, err, ErrExpired)
				return
			}
			err := ValidateIAM(tc.doc, testNow)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
		})
	}
}

// Length is counted in characters: 1,000 characters pass even though they
// take more bytes, 999 do not; 10,000,000 pass and one more does not.
func TestValidateIAMLengthInCharacters(t *testing.T) {
	k := testKey(t, "iam-1024", 1024)
	small := minimalCert(t, &k.key.PublicKey, k)
	doc := []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><md:IDPSSODescriptor protocolSupportEnumeration="p">` +
		`<md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` + small.Base64() +
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`)
	require.Less(t, utf8.RuneCount(doc), IAMMinChars, "fixture must start below the minimum")
	exact := padTo(t, doc, IAMMinChars)
	assert.Equal(t, IAMMinChars, utf8.RuneCount(exact))
	assert.Greater(t, len(exact), IAMMinChars, "more bytes than characters")
	require.NoError(t, ValidateIAM(exact, testNow))
	require.ErrorIs(t, ValidateIAM(padTo(t, doc, IAMMinChars-1), testNow), ErrTooShort)

	large := padTo(t, doc, IAMMaxChars)
	require.NoError(t, ValidateIAM(large, testNow))
	require.ErrorIs(t, ValidateIAM(padTo(t, doc, IAMMaxChars+1), testNow), ErrTooLarge)
}

func TestDiff(t *testing.T) {
	a, b := testKey(t, "diff-a", 2048), testKey(t, "diff-b", 2048)
	base := buildTestMetadata(t, a.cert)
	old, err := Parse(base)
	require.NoError(t, err)

	same, _ := Parse(base)
	d := Diff(old, same)
	assert.True(t, d.Empty())
	assert.True(t, d.OnlyKeys())
	assert.Equal(t, "no changes", d.String())

	rotated := old.Clone()
	require.NoError(t, rotated.SetSigningCertificates(b.cert))
	d = Diff(old, rotated)
	assert.True(t, d.OnlyKeys())
	assert.False(t, d.Empty())
	assert.Equal(t, []string{b.cert.SHA256}, d.KeysAdded)
	assert.Equal(t, []string{a.cert.SHA256}, d.KeysRemoved)
	assert.Contains(t, d.String(), b.cert.SHA256)

	other, err := Build(BuildSpec{
		EntityID:      "https://other.example.com",
		SSOServices:   []Endpoint{{BindingHTTPPost, "https://evil.example.com/sso"}},
		NameIDFormats: []string{NameIDFormatPersistent},
		Certificates:  []*Cert{a.cert},
		ValidUntil:    testNow,
	})
	require.NoError(t, err)
	om, err := Parse(other)
	require.NoError(t, err)
	d = Diff(old, om)
	assert.True(t, d.EntityID)
	assert.True(t, d.ValidUntil)
	assert.False(t, d.OnlyKeys())
	assert.Empty(t, d.KeysAdded)
	assert.Empty(t, d.KeysRemoved)
	assert.ElementsMatch(t, []string{
		"SingleSignOnService removed: " + BindingHTTPPost + " https://example.my.salesforce.com/idp/endpoint/HttpPost",
		"SingleSignOnService removed: " + BindingHTTPRedirect + " https://example.my.salesforce.com/idp/endpoint/HttpRedirect",
		"SingleSignOnService added: " + BindingHTTPPost + " https://evil.example.com/sso",
		"NameIDFormat removed: " + NameIDFormatUnspecified,
		"NameIDFormat added: " + NameIDFormatPersistent,
	}, d.Endpoints)

	slo := parseTestdata(t, "handwritten.xml")
	noSLO := []byte(strings.Replace(string(readTestdata(t, "handwritten.xml")), `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://legacy.example.com/slo"/>`, "", 1))
	nm, err := Parse(noSLO)
	require.NoError(t, err)
	d = Diff(slo, nm)
	assert.Equal(t, []string{"SingleLogoutService removed: " + BindingHTTPRedirect + " https://legacy.example.com/slo"}, d.Endpoints)
}

func TestBuild(t *testing.T) {
	a := testKey(t, "build-a", 2048)
	doc := buildTestMetadata(t, a.cert)
	s := string(doc)
	assert.True(t, strings.HasPrefix(s, `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://example.my.salesforce.com" validUntil="2036-05-29T12:00:00.000Z" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">`+"\n"+
		`   <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`+"\n"+
		`      <md:KeyDescriptor use="signing">`+"\n"+
		`         <ds:KeyInfo>`+"\n"+
		`            <ds:X509Data>`+"\n"+
		`               <ds:X509Certificate>`+a.cert.Base64()+`</ds:X509Certificate>`), s)
	assert.Contains(t, s, "\n      <md:NameIDFormat>"+NameIDFormatUnspecified+"</md:NameIDFormat>\n      <md:SingleSignOnService")
	again := buildTestMetadata(t, a.cert)
	assert.Equal(t, doc, again, "deterministic")
	m, err := Parse(doc)
	require.NoError(t, err)
	reparsed, err := Parse(freshBytes(m))
	require.NoError(t, err)
	assert.True(t, Diff(m, reparsed).Empty(), "a fresh serialisation reads the same")

	for name, spec := range map[string]BuildSpec{
		"no entity":    {SSOServices: []Endpoint{{"b", "l"}}, Certificates: []*Cert{a.cert}},
		"no sso":       {EntityID: "e", Certificates: []*Cert{a.cert}},
		"bad sso":      {EntityID: "e", SSOServices: []Endpoint{{"", "l"}}, Certificates: []*Cert{a.cert}},
		"nil cert":     {EntityID: "e", SSOServices: []Endpoint{{"b", "l"}}, Certificates: []*Cert{nil}},
		"no cert":      {EntityID: "e", SSOServices: []Endpoint{{"b", "l"}}},
		"blank entity": {EntityID: "  ", SSOServices: []Endpoint{{"b", "l"}}, Certificates: []*Cert{a.cert}},
	} {
		_, err := Build(spec)
		assert.Error(t, err, name)
		assert.True(t, errors.Is(err, ErrInvalidSpec) || errors.Is(err, ErrNoSigningKey), name)
	}
	// Escaping.
	esc, err := Build(BuildSpec{EntityID: `https://e.example.com/?a=1&b="2"`, SSOServices: []Endpoint{{"b", "https://x/<y>"}}, Certificates: []*Cert{a.cert}})
	require.NoError(t, err)
	em, err := Parse(esc)
	require.NoError(t, err)
	assert.Equal(t, `https://e.example.com/?a=1&b="2"`, em.EntityID())
	assert.Equal(t, "https://x/<y>", em.SSOServices()[0].Location)
}

func TestCertParsing(t *testing.T) {
	a := testKey(t, "cert-a", 2048)
	fromPEM, err := ParseCertPEM(append([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), a.cert.PEM()...))
	require.NoError(t, err)
	assert.Equal(t, a.cert.SHA256, fromPEM.SHA256)
	wrapped := ""
	b64 := a.cert.Base64()
	for i := 0; i < len(b64); i += 64 {
		wrapped += "\n\t  " + b64[i:min(i+64, len(b64))]
	}
	fromB64, err := ParseCertBase64(wrapped + "\r\n")
	require.NoError(t, err)
	assert.Equal(t, a.cert.DER, fromB64.DER)
	assert.Equal(t, Fingerprint(a.cert.DER), a.cert.SHA256)
	assert.Equal(t, a.cert.SHA256, NormalizeFingerprint(strings.ToLower(strings.ReplaceAll(a.cert.SHA256, ":", " "))))
	assert.Equal(t, "ZZ", NormalizeFingerprint("zz"), "not hex: upper-cased as is")
	assert.True(t, a.cert.ValidAt(testNow))
	assert.False(t, a.cert.ValidAt(testNow.AddDate(2, 0, 0)))
	assert.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, a.cert.SHA256)

	ec := ecdsaCert(t)
	assert.Equal(t, "ECDSA", ec.KeyAlgorithm)
	assert.Equal(t, 256, ec.KeyBits)

	_, err = ParseCertPEM([]byte("nothing"))
	assert.ErrorIs(t, err, ErrUnsupportedKey)
	_, err = ParseCertBase64("###")
	assert.ErrorIs(t, err, ErrUnsupportedKey)
	_, err = ParseCertDER([]byte{1, 2, 3})
	assert.ErrorIs(t, err, ErrUnsupportedKey)
}
