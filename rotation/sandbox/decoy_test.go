package sandbox_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// A KeyDescriptor whose use is prefixed (x:use="encryption") has no use to
// a namespace-aware reader such as libxml2, so it is a signing key there.
// Planted in an IAM provider, it must stop the rotation in preflight,
// naming the trust and the decoy, before anything changes.
func TestPlantedDecoyKeyStopsTheRotation(t *testing.T) {
	w := start(t, sandbox.Options{})
	cc := w.ContactCenters[0]
	stored := string(w.IAM.Document(cc.ProviderARN))
	require.Contains(t, stored, "<md:NameIDFormat")
	decoy := `<md:KeyDescriptor xmlns:x="urn:x" x:use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
		`<ds:X509Data><ds:X509Certificate>` + attackerCert(t) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
	planted := strings.Replace(stored, "<md:NameIDFormat", decoy+"<md:NameIDFormat", 1)
	w.IAM.AddProvider(cc.Account, cc.ProviderARN[strings.LastIndex(cc.ProviderARN, "/")+1:], []byte(planted))
	if n, ok := libxml2SigningKeys(t, planted); ok {
		was, _ := libxml2SigningKeys(t, stored)
		assert.Equal(t, was+1, n, "libxml2 counts the decoy as a signing key")
	}

	before := w.Snapshot()
	_, err := rotate(t, w, rotation.StrategyOverlap)
	require.Error(t, err)
	assert.Contains(t, err.Error(), cc.ProviderARN, "the error names the trust")
	assert.Contains(t, err.Error(), "decoy", "and the decoy")
	assert.Zero(t, w.IAM.CallCount("UpdateSAMLProvider"), "no IAM provider was updated")
	assert.Equal(t, before, w.Snapshot(), "nothing changed in the org or in IAM")
}

func attackerCert(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(666), Subject: pkix.Name{CommonName: "attacker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(der)
}

// libxml2SigningKeys counts the signing-capable certificates of doc's
// IDPSSODescriptors with xmllint, when it is installed.
func libxml2SigningKeys(t *testing.T, doc string) (int, bool) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
			t.Fatal("xmllint missing (VOICECERT_REQUIRE_INTEROP=1)")
		}
		return 0, false
	}
	file := filepath.Join(t.TempDir(), "planted.xml")
	require.NoError(t, os.WriteFile(file, []byte(doc), 0o600))
	const md, ds = "urn:oasis:names:tc:SAML:2.0:metadata", "http://www.w3.org/2000/09/xmldsig#"
	xpath := `count(/*[local-name()='EntityDescriptor' and namespace-uri()='` + md + `']` +
		`/*[local-name()='IDPSSODescriptor' and namespace-uri()='` + md + `']` +
		`/*[local-name()='KeyDescriptor' and namespace-uri()='` + md + `'][not(@use) or @use='signing']` +
		`/*[local-name()='KeyInfo' and namespace-uri()='` + ds + `']/*[local-name()='X509Data']/*[local-name()='X509Certificate'])`
	out, err := exec.Command(xmllint, "--nonet", "--xpath", xpath, file).Output()
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	require.NoError(t, err)
	return n, true
}
