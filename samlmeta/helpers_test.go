package samlmeta

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func testClock() time.Time { return testNow }

type keyPair struct {
	key  *rsa.PrivateKey
	cert *Cert
}

var (
	keysMu sync.Mutex
	keys   = map[string]keyPair{}
)

// testKey returns a cached RSA key with a self-signed certificate valid
// around testNow. name distinguishes keys; bits is the modulus size.
func testKey(t testing.TB, name string, bits int) keyPair {
	t.Helper()
	return testKeyValid(t, name, bits, testNow.Add(-24*time.Hour), testNow.Add(365*24*time.Hour))
}

func testKeyValid(t testing.TB, name string, bits int, notBefore, notAfter time.Time) keyPair {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	id := name + "/" + notBefore.String() + "/" + notAfter.String() + "/" + big.NewInt(int64(bits)).String()
	if kp, ok := keys[id]; ok {
		return kp
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(keys) + 1000)),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"Salesforce.com"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		IsCA:         true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := ParseCertDER(der)
	require.NoError(t, err)
	kp := keyPair{key: key, cert: c}
	keys[id] = kp
	return kp
}

// buildTestMetadata builds Salesforce-shaped metadata for the certs.
func buildTestMetadata(t testing.TB, certs ...*Cert) []byte {
	t.Helper()
	doc, err := Build(BuildSpec{
		EntityID: "https://example.my.salesforce.com",
		SSOServices: []Endpoint{
			{Binding: BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"},
			{Binding: BindingHTTPRedirect, Location: "https://example.my.salesforce.com/idp/endpoint/HttpRedirect"},
		},
		Certificates: certs,
		ValidUntil:   testNow.Add(10 * 365 * 24 * time.Hour),
	})
	require.NoError(t, err)
	return doc
}

const testProviderARN = "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
const testRoleARN = "arn:aws:iam::123456789012:role/cc-SAMLRole"

// awsResponseSpec is a Response as Salesforce sends it to AWS sign-in.
func awsResponseSpec(issued time.Time) ResponseSpec {
	return ResponseSpec{
		Issuer:       "https://example.my.salesforce.com",
		Destination:  "https://signin.aws.amazon.com/saml",
		Audience:     "https://signin.aws.amazon.com/saml",
		NameID:       "agent@example.com",
		NameIDFormat: NameIDFormatPersistent,
		IssueInstant: issued,
		Attributes: []Attribute{
			{Name: AttrRole, Values: []string{testRoleARN + "," + testProviderARN}},
			{Name: AttrRoleSessionName, Values: []string{"agent@example.com"}},
		},
	}
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile("(?s)" + p) }

// forceSplice marks m edited with every element changed, so that Bytes goes
// through splicing alone.
func forceSplice(m *Metadata) bool {
	var walk func(n *node)
	walk = func(n *node) {
		n.dirty = true
		for c := n.first; c != nil; c = c.next {
			walk(c)
		}
	}
	walk(m.doc)
	m.edited = true
	return true
}

// freshBytes serialises m's tree without copying anything from the input.
func freshBytes(m *Metadata) []byte {
	var out []byte
	for n := m.doc.first; n != nil; n = n.next {
		out = writeFresh(out, n)
	}
	return out
}
