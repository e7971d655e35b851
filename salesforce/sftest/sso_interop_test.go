package sftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

// xmlsec1 returns xmlsec1's path, skipping the test when it is not
// installed, or failing it when VOICECERT_REQUIRE_INTEROP=1.
func xmlsec1(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmlsec1")
	if err != nil {
		if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
			t.Fatal("xmlsec1 is not on PATH (VOICECERT_REQUIRE_INTEROP=1)")
		}
		t.Skip("xmlsec1 is not on PATH")
	}
	return path
}

// The Responses the fake issues verify with xmlsec1: the Response's
// signature, and the Assertion's on its own, for either algorithm.
func TestResponsesVerifyWithXmlsec1(t *testing.T) {
	xmlsec := xmlsec1(t)
	o, loginID := shapeOrg(t)
	md, err := samlmeta.Parse(metadataOf(t, o.MetadataURL("Gamma_Connected_App")))
	require.NoError(t, err)
	certs, err := md.SigningCertificates()
	require.NoError(t, err)
	dir := t.TempDir()
	certPEM := filepath.Join(dir, "idp.crt")
	require.NoError(t, os.WriteFile(certPEM, certs[0].PEM(), 0o600))
	_, wrongCert := spEncryptionKey(t)
	wrongPEM := filepath.Join(dir, "other.crt")
	require.NoError(t, os.WriteFile(wrongPEM, []byte(wrongCert), 0o600))

	verify := func(doc, node, cert string) (string, bool) {
		f := filepath.Join(dir, "doc.xml")
		require.NoError(t, os.WriteFile(f, []byte(doc), 0o600))
		out, err := exec.CommandContext(t.Context(), xmlsec, "--verify", "--pubkey-cert-pem", cert,
			"--enabled-key-data", "key-name", "--enabled-reference-uris", "same-doc",
			"--id-attr:ID", node, f).CombinedOutput()
		return string(out), err == nil
	}
	for _, alg := range []string{"SHA256", "SHA1"} {
		t.Run(alg, func(t *testing.T) {
			setSAMLField(t, o, "Gamma_Connected_App", "samlSigningAlgoType", alg)
			_, resp := ssoLogin(t, o, loginID)
			x := decoded(t, resp)
			out, ok := verify(x, "urn:oasis:names:tc:SAML:2.0:protocol:Response", certPEM)
			assert.True(t, ok, "the Response's signature: %s", out)
			_, ok = verify(x, "urn:oasis:names:tc:SAML:2.0:protocol:Response", wrongPEM)
			assert.False(t, ok, "with another key xmlsec1 must fail")

			i, j := strings.Index(x, "<saml:Assertion "), strings.Index(x, "</saml:Assertion>")
			require.True(t, i > 0 && j > i)
			assertion := x[i : j+len("</saml:Assertion>")]
			out, ok = verify(assertion, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", certPEM)
			assert.True(t, ok, "the Assertion's signature: %s", out)
			tampered := strings.Replace(assertion, "Gamma</saml:Audience>", "Other</saml:Audience>", 1)
			require.NotEqual(t, assertion, tampered)
			_, ok = verify(tampered, "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", certPEM)
			assert.False(t, ok, "a changed Audience must fail")
		})
	}
}
