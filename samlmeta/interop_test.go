package samlmeta

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// skipFataler is the part of testing.TB that requireInterop uses.
type skipFataler interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// requireInterop reports a missing external tool: the test is skipped,
// unless VOICECERT_REQUIRE_INTEROP=1, in which case it fails.
func requireInterop(t skipFataler, what string) {
	t.Helper()
	if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
		t.Fatalf("interop tool missing: %s (VOICECERT_REQUIRE_INTEROP=1)", what)
		return
	}
	t.Skipf("interop tool missing: %s", what)
}

type interopRecorder struct{ fatal, skip string }

func (r *interopRecorder) Helper()                           {}
func (r *interopRecorder) Fatalf(format string, args ...any) { r.fatal = format }
func (r *interopRecorder) Skipf(format string, args ...any)  { r.skip = format }

func TestRequireInterop(t *testing.T) {
	t.Setenv("VOICECERT_REQUIRE_INTEROP", "1")
	var r interopRecorder
	requireInterop(&r, "xmlsec1")
	assert.NotEmpty(t, r.fatal, "fails when interop is required")
	assert.Empty(t, r.skip)

	t.Setenv("VOICECERT_REQUIRE_INTEROP", "")
	r = interopRecorder{}
	requireInterop(&r, "xmlsec1")
	assert.Empty(t, r.fatal)
	assert.NotEmpty(t, r.skip, "skips otherwise")
}

func lookTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		requireInterop(t, name)
	}
	return p
}

// metadataSchema finds saml-schema-metadata-2.0.xsd of python3-onelogin-saml2.
func metadataSchema(t *testing.T) string {
	t.Helper()
	return onelogin(t, "saml-schema-metadata-2.0.xsd")
}

func onelogin(t *testing.T, file string) string {
	t.Helper()
	var dirs []string
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import onelogin.saml2,os; print(os.path.dirname(onelogin.saml2.__file__))").Output()
		if err == nil {
			dirs = append(dirs, filepath.Join(strings.TrimSpace(string(out)), "schemas"))
		}
	}
	globbed, _ := filepath.Glob("/usr/lib/python3*/dist-packages/onelogin/saml2/schemas")
	dirs = append(dirs, globbed...)
	for _, d := range dirs {
		p := filepath.Join(d, file)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	requireInterop(t, "python3-onelogin-saml2 schemas ("+file+")")
	return ""
}

// run runs a tool and returns its combined output and whether it exited 0.
func run(t *testing.T, name string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s timed out", name)
	}
	return string(out), err == nil
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}

func keyPEM(t *testing.T, kp keyPair) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(kp.key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// interopKeys returns two keys whose certificates are valid now (xmlsec1
// checks trusted certificates against the real clock).
func interopKeys(t *testing.T) (old, nw keyPair) {
	now := time.Now().Truncate(24 * time.Hour)
	return testKeyValid(t, "interop-old", 2048, now.Add(-48*time.Hour), now.Add(365*24*time.Hour)),
		testKeyValid(t, "interop-new", 2048, now.Add(-48*time.Hour), now.Add(365*24*time.Hour))
}

const mdIDAttr = "--id-attr:ID"
const mdIDNode = "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"

func TestInteropXmlsecVerifiesSamlmetaSigned(t *testing.T) {
	xmlsec := lookTool(t, "xmlsec1")
	old, nw := interopKeys(t)
	dir := t.TempDir()
	oldPEM := writeFile(t, dir, "old.crt", old.cert.PEM())
	newPEM := writeFile(t, dir, "new.crt", nw.cert.PEM())
	pinned := func(certFile, doc string) bool {
		_, ok := run(t, xmlsec, "--verify", "--pubkey-cert-pem", certFile, "--enabled-key-data", "key-name",
			"--enabled-reference-uris", "same-doc", mdIDAttr, mdIDNode, doc)
		return ok
	}
	either := func(doc string) (string, bool) {
		return run(t, xmlsec, "--verify", "--trusted-pem", oldPEM, "--trusted-pem", newPEM, mdIDAttr, mdIDNode, doc)
	}
	for _, tc := range []struct {
		name  string
		certs []*Cert
	}{
		{"one cert", []*Cert{old.cert}},
		{"two certs", []*Cert{old.cert, nw.cert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := Sign(buildTestMetadata(t, tc.certs...), nw.key, nw.cert)
			require.NoError(t, err)
			f := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "")+".xml", signed)
			assert.True(t, pinned(newPEM, f), "pinned to the signing cert")
			assert.False(t, pinned(oldPEM, f), "pinned to the other cert must fail")
			out, ok := either(f)
			assert.True(t, ok, "either-cert form: %s", out)

			tampered := bytes.Replace(signed, []byte("/idp/endpoint/HttpPost"), []byte("/evil/HttpPost"), 1)
			require.NotEqual(t, signed, tampered)
			tf := writeFile(t, dir, "tampered.xml", tampered)
			assert.False(t, pinned(newPEM, tf), "xmlsec1 must refuse a tampered Location")
			_, err = VerifySignature(tampered, []*Cert{old.cert, nw.cert})
			assert.ErrorIs(t, err, ErrSignature)
		})
	}
}

// xmlsecTemplate adds ID="_md1" and a signature template as the root's
// first child, in the shape xmlsec1 --sign fills in.
func xmlsecTemplate(t *testing.T, doc []byte, sigMethod, digest, c14n string, keyInfo bool) []byte {
	t.Helper()
	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(doc))
	root := d.Root()
	root.CreateAttr("ID", "_md1")
	ki := ""
	if keyInfo {
		ki = `<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>`
	}
	tmpl := `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>` +
		`<ds:CanonicalizationMethod Algorithm="` + c14n + `"/><ds:SignatureMethod Algorithm="` + sigMethod + `"/>` +
		`<ds:Reference URI="#_md1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>` +
		`<ds:Transform Algorithm="` + c14n + `"/></ds:Transforms><ds:DigestMethod Algorithm="` + digest + `"/>` +
		`<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>` + ki + `</ds:Signature>`
	sd := etree.NewDocument()
	require.NoError(t, sd.ReadFromString(tmpl))
	root.InsertChildAt(0, sd.Root())
	out, err := d.WriteToBytes()
	require.NoError(t, err)
	return out
}

const (
	excC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	c14n11    = "http://www.w3.org/2006/12/xml-c14n11"
	rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	rsaSHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	digSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	digSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
)

func xmlsecSign(t *testing.T, xmlsec string, kp keyPair, tmpl []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	keyFile := writeFile(t, dir, "k.pem", keyPEM(t, kp))
	crtFile := writeFile(t, dir, "k.crt", kp.cert.PEM())
	in := writeFile(t, dir, "tmpl.xml", tmpl)
	outFile := filepath.Join(dir, "signed.xml")
	out, ok := run(t, xmlsec, "--sign", "--privkey-pem", keyFile+","+crtFile, mdIDAttr, mdIDNode, "--output", outFile, in)
	require.True(t, ok, "xmlsec1 --sign: %s", out)
	signed, err := os.ReadFile(outFile)
	require.NoError(t, err)
	return signed
}

func TestInteropSamlmetaVerifiesXmlsecSigned(t *testing.T) {
	xmlsec := lookTool(t, "xmlsec1")
	old, nw := interopKeys(t)
	trusted := []*Cert{old.cert, nw.cert}
	for _, tc := range []struct {
		name    string
		certs   []*Cert
		sig     string
		digest  string
		c14n    string
		keyInfo bool
		opts    []VerifyOption
		wantErr error
	}{
		{name: "one cert", certs: []*Cert{nw.cert}, sig: rsaSHA256, digest: digSHA256, c14n: excC14N, keyInfo: true},
		{name: "two certs", certs: []*Cert{old.cert, nw.cert}, sig: rsaSHA256, digest: digSHA256, c14n: excC14N, keyInfo: true},
		{name: "two certs no KeyInfo", certs: []*Cert{old.cert, nw.cert}, sig: rsaSHA256, digest: digSHA256, c14n: excC14N},
		{name: "c14n 1.1", certs: []*Cert{old.cert, nw.cert}, sig: rsaSHA256, digest: digSHA256, c14n: c14n11, keyInfo: true},
		{name: "sha1 refused", certs: []*Cert{nw.cert}, sig: rsaSHA1, digest: digSHA1, c14n: excC14N, keyInfo: true, wantErr: ErrSHA1},
		{name: "sha1 allowed", certs: []*Cert{nw.cert}, sig: rsaSHA1, digest: digSHA1, c14n: excC14N, keyInfo: true, opts: []VerifyOption{AllowSHA1()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := xmlsecTemplate(t, buildTestMetadata(t, tc.certs...), tc.sig, tc.digest, tc.c14n, tc.keyInfo)
			signed := xmlsecSign(t, xmlsec, nw, tmpl)
			got, err := VerifySignature(signed, trusted, tc.opts...)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, nw.cert.SHA256, got.SHA256)
			// Only the old key trusted: must fail.
			_, err = VerifySignature(signed, []*Cert{old.cert}, tc.opts...)
			assert.ErrorIs(t, err, ErrSignature)
			// The document parses and lists the certificates it was built with.
			m, err := Parse(signed)
			require.NoError(t, err)
			certs, err := m.SigningCertificates()
			require.NoError(t, err)
			assert.Len(t, certs, len(tc.certs))
		})
	}
}

func TestInteropSchemaValidatesBuiltMetadata(t *testing.T) {
	xmllint := lookTool(t, "xmllint")
	schema := metadataSchema(t)
	old, nw := interopKeys(t)
	dir := t.TempDir()
	valid := func(doc []byte) (string, bool) {
		f := writeFile(t, dir, "doc.xml", doc)
		return run(t, xmllint, "--noout", "--nonet", "--schema", schema, f)
	}
	one := buildTestMetadata(t, old.cert)
	two := buildTestMetadata(t, old.cert, nw.cert)
	signedTwo, err := Sign(two, nw.key, nw.cert)
	require.NoError(t, err)
	m, err := Parse(signedTwo)
	require.NoError(t, err)
	require.NoError(t, m.RemoveSigningCertificate(old.cert.SHA256))
	resigned, err := Sign(m.Bytes(), nw.key, nw.cert)
	require.NoError(t, err)
	for name, doc := range map[string][]byte{
		"one cert": one, "two certs": two, "signed": signedTwo, "edited": m.Bytes(), "edited and re-signed": resigned,
	} {
		out, ok := valid(doc)
		assert.True(t, ok, "%s: %s", name, out)
	}
	// The check can fail: SingleSignOnService is required by the schema.
	broken := bytes.ReplaceAll(one, []byte("md:SingleSignOnService"), []byte("md:Unknown"))
	_, ok := valid(broken)
	assert.False(t, ok, "schema must refuse metadata without SingleSignOnService")
}

func TestInteropResponses(t *testing.T) {
	xmlsec := lookTool(t, "xmlsec1")
	xmllint := lookTool(t, "xmllint")
	schema := onelogin(t, "saml-schema-protocol-2.0.xsd")
	old, nw := interopKeys(t)
	dir := t.TempDir()
	newPEM := writeFile(t, dir, "new.crt", nw.cert.PEM())
	oldPEM := writeFile(t, dir, "old.crt", old.cert.PEM())
	for _, tc := range []struct {
		name            string
		resp, assertion bool
		idNode          string
	}{
		{"assertion signed", false, true, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"},
		{"response signed", true, false, "urn:oasis:names:tc:SAML:2.0:protocol:Response"},
		{"both signed", true, true, "urn:oasis:names:tc:SAML:2.0:protocol:Response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := awsResponseSpec(time.Now())
			spec.SignResponse, spec.SignAssertion = tc.resp, tc.assertion
			doc, err := IssueResponse(spec, nw.key, nw.cert)
			require.NoError(t, err)
			f := writeFile(t, dir, "resp.xml", doc)
			out, ok := run(t, xmllint, "--noout", "--nonet", "--schema", schema, f)
			assert.True(t, ok, "schema: %s", out)
			verify := func(cert string) (string, bool) {
				return run(t, xmlsec, "--verify", "--pubkey-cert-pem", cert, "--enabled-key-data", "key-name",
					"--enabled-reference-uris", "same-doc", mdIDAttr, tc.idNode, f)
			}
			out, ok = verify(newPEM)
			assert.True(t, ok, "xmlsec1: %s", out)
			_, ok = verify(oldPEM)
			assert.False(t, ok, "xmlsec1 with the wrong key must fail")
		})
	}
}

// A Response whose Assertion xmlsec1 signed the way Salesforce does
// (exc-c14n with an InclusiveNamespaces PrefixList, KeyInfo with the
// certificate) verifies with VerifyResponse.
func TestInteropSamlmetaVerifiesXmlsecSignedResponse(t *testing.T) {
	xmlsec := lookTool(t, "xmlsec1")
	old, nw := interopKeys(t)
	spec := awsResponseSpec(time.Now())
	spec.SignResponse, spec.SignAssertion = true, false
	raw, err := IssueResponse(spec, nw.key, nw.cert)
	require.NoError(t, err)
	d := mustDoc(t, raw)
	r := d.Root()
	r.RemoveChild(r.FindElement("./Signature"))
	a := r.FindElement("./Assertion")
	a.CreateAttr("ID", "_a1")
	tmpl := mustDoc(t, []byte(`<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>`+
		`<ds:CanonicalizationMethod Algorithm="`+excC14N+`"/><ds:SignatureMethod Algorithm="`+rsaSHA256+`"/>`+
		`<ds:Reference URI="#_a1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>`+
		`<ds:Transform Algorithm="`+excC14N+`"><ec:InclusiveNamespaces xmlns:ec="`+excC14N+`" PrefixList="ds saml samlp xs xsi"/></ds:Transform>`+
		`</ds:Transforms><ds:DigestMethod Algorithm="`+digSHA256+`"/><ds:DigestValue/></ds:Reference></ds:SignedInfo>`+
		`<ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>`))
	a.InsertChildAt(a.FindElement("./Issuer").Index()+1, tmpl.Root())

	dir := t.TempDir()
	in := writeFile(t, dir, "tmpl.xml", docBytes(t, d))
	keyFile := writeFile(t, dir, "k.pem", keyPEM(t, nw))
	crtFile := writeFile(t, dir, "k.crt", nw.cert.PEM())
	outFile := filepath.Join(dir, "signed.xml")
	out, ok := run(t, xmlsec, "--sign", "--privkey-pem", keyFile+","+crtFile,
		mdIDAttr, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", "--output", outFile, in)
	require.True(t, ok, "xmlsec1 --sign: %s", out)
	signed, err := os.ReadFile(outFile)
	require.NoError(t, err)

	got, err := VerifyResponse(signed, []*Cert{old.cert, nw.cert})
	require.NoError(t, err)
	assert.True(t, got.AssertionSigned)
	assert.False(t, got.ResponseSigned)
	assert.Equal(t, nw.cert.SHA256, got.SignedBy.SHA256)
	assert.Equal(t, "agent@example.com", got.NameID)
	_, err = VerifyResponse(signed, []*Cert{old.cert})
	assert.ErrorIs(t, err, ErrUntrustedCert)
}
