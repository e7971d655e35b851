package samlmeta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signRootWith signs doc's root with signer through goxmldsig (hash as
// given), placing the Signature where the schemas want it.
func signRootWith(t *testing.T, doc []byte, signer crypto.Signer, certDER []byte, hash crypto.Hash, strip bool) []byte {
	t.Helper()
	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(doc))
	root := d.Root()
	if strip {
		root.RemoveChild(root.FindElement("./Signature"))
	}
	ctx, err := dsig.NewSigningContext(signer, [][]byte{certDER})
	require.NoError(t, err)
	ctx.Canonicalizer = detachingCanonicalizer{dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")}
	ctx.Hash = hash
	if root.SelectAttrValue("ID", "") == "" {
		root.CreateAttr("ID", "_root1")
	}
	sig, err := ctx.ConstructSignature(root, true)
	require.NoError(t, err)
	at := 0
	if iss := root.FindElement("./Issuer"); iss != nil {
		at = iss.Index() + 1
	}
	root.InsertChildAt(at, sig)
	out, err := d.WriteToBytes()
	require.NoError(t, err)
	return out
}

// addAlgorithmDecoys declares xmlns:Algorithm on SignatureMethod and
// DigestMethod with the SHA-256 URIs; exclusive C14N drops the unused
// declarations, so the SHA-1 signature stays valid for libxmlsec1.
func addAlgorithmDecoys(t *testing.T, doc []byte) []byte {
	t.Helper()
	s := string(doc)
	require.Contains(t, s, `SignatureMethod Algorithm="`+dsig.RSASHA1SignatureMethod)
	s = strings.Replace(s, `SignatureMethod Algorithm=`, `SignatureMethod xmlns:Algorithm="`+dsig.RSASHA256SignatureMethod+`" Algorithm=`, -1)
	s = strings.Replace(s, `DigestMethod Algorithm=`, `DigestMethod xmlns:Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" Algorithm=`, -1)
	return []byte(s)
}

func TestAttackSHA1PolicyDecoy(t *testing.T) {
	kp := testKey(t, "sha1-decoy", 2048)
	trusted := []*Cert{kp.cert}
	md := signRootWith(t, buildTestMetadata(t, kp.cert), kp.key, kp.cert.DER, crypto.SHA1, false)
	resp := sha1Response(t, kp)

	_, err := VerifySignature(md, trusted, WithClock(testClock))
	require.ErrorIs(t, err, ErrSHA1, "a plain SHA-1 signature is refused")
	_, err = VerifySignature(md, trusted, WithClock(testClock), AllowSHA1())
	require.NoError(t, err, "and accepted when allowed")

	decoyed := addAlgorithmDecoys(t, md)
	_, err = VerifySignature(decoyed, trusted, WithClock(testClock))
	require.Error(t, err)
	assert.True(t, errorsIsAny(err, ErrDecoy, ErrSHA1), "%v", err)
	_, _, err = VerifyMetadata(decoyed, trusted, WithClock(testClock))
	assert.True(t, errorsIsAny(err, ErrDecoy, ErrSHA1), "%v", err)
	_, err = VerifyResponse(addAlgorithmDecoys(t, resp), trusted, WithClock(testClock))
	assert.True(t, errorsIsAny(err, ErrDecoy, ErrSHA1), "%v", err)
}

// The policy reads the algorithm from the SignedInfo that is
// canonicalised: a SignedInfo whose SignatureMethod says SHA-256 while the
// value was computed with SHA-1 does not verify.
func TestAlgorithmPolicyUsesTheVerifiedSignedInfo(t *testing.T) {
	kp := testKey(t, "sha1-swap", 2048)
	md := signRootWith(t, buildTestMetadata(t, kp.cert), kp.key, kp.cert.DER, crypto.SHA1, false)
	swapped := strings.Replace(string(md), `Algorithm="`+dsig.RSASHA1SignatureMethod, `Algorithm="`+dsig.RSASHA256SignatureMethod, 1)
	swapped = strings.Replace(swapped, `Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"`, `Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"`, 1)
	_, err := VerifySignature([]byte(swapped), []*Cert{kp.cert}, WithClock(testClock))
	require.ErrorIs(t, err, ErrSignature)
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// ecdsaSigner returns a P-256 key with a self-signed certificate.
func ecdsaSigner(t *testing.T) (*ecdsa.PrivateKey, *Cert) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ec"},
		NotBefore: testNow.Add(-24 * time.Hour), NotAfter: testNow.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := ParseCertDER(der)
	require.NoError(t, err)
	return key, c
}

// rawECDSAValue rewrites goxmldsig's ASN.1 ECDSA SignatureValue as the
// r||s form XML-DSig specifies (RFC 4050, what libxmlsec1 writes).
func rawECDSAValue(t *testing.T, doc []byte) []byte {
	t.Helper()
	s := string(doc)
	i := strings.Index(s, "<ds:SignatureValue>") + len("<ds:SignatureValue>")
	j := strings.Index(s, "</ds:SignatureValue>")
	der, err := base64.StdEncoding.DecodeString(s[i:j])
	require.NoError(t, err)
	var rs struct{ R, S *big.Int }
	_, err = asn1.Unmarshal(der, &rs)
	require.NoError(t, err)
	raw := make([]byte, 64)
	rs.R.FillBytes(raw[:32])
	rs.S.FillBytes(raw[32:])
	return []byte(s[:i] + base64.StdEncoding.EncodeToString(raw) + s[j:])
}

func TestAttackECDSAResponseRefusedByPolicy(t *testing.T) {
	kp := testKey(t, "ec-base", 2048)
	key, ec := ecdsaSigner(t)
	raw := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, false })
	resp := signRootWith(t, raw, key, ec.DER, crypto.SHA256, true)
	require.Contains(t, string(resp), "ecdsa-sha256")

	_, err := VerifyResponse(resp, []*Cert{ec}, WithClock(testClock))
	require.ErrorIs(t, err, ErrKeyPolicy)
	require.ErrorIs(t, err, ErrSignature)
	assert.Contains(t, err.Error(), "AllowECDSA")

	// Allowed, the XML-DSig r||s form verifies; the ASN.1 form does not.
	_, err = VerifyResponse(rawECDSAValue(t, resp), []*Cert{ec}, WithClock(testClock), AllowECDSA())
	require.NoError(t, err)
	_, err = VerifyResponse(resp, []*Cert{ec}, WithClock(testClock), AllowECDSA())
	require.ErrorIs(t, err, ErrSignature)
}

func TestAttackShortRSAKeyRefusedByPolicy(t *testing.T) {
	kp := testKey(t, "rsa-1024", 1024)
	resp := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, true })
	_, err := VerifyResponse(resp, []*Cert{kp.cert}, WithClock(testClock))
	require.ErrorIs(t, err, ErrKeyPolicy)
	assert.Contains(t, err.Error(), "1024-bit")
	_, err = VerifyResponse(resp, []*Cert{kp.cert}, WithClock(testClock), WithMinRSABits(1024))
	require.NoError(t, err)

	md, err := Sign(buildTestMetadata(t, kp.cert), kp.key, kp.cert)
	require.NoError(t, err)
	_, err = VerifySignature(md, []*Cert{kp.cert}, WithClock(testClock))
	require.ErrorIs(t, err, ErrKeyPolicy)
	_, err = VerifySignature(md, []*Cert{kp.cert}, WithClock(testClock), WithMinRSABits(1024))
	require.NoError(t, err)
}

// goxmldsig's validator stops after 1000 elements; verification no longer
// goes through it, so large signed documents verify and sign.
func TestLargeSignedDocumentsVerify(t *testing.T) {
	kp := testKey(t, "large", 2048)
	values := make([]string, 3000)
	for i := range values {
		values[i] = "v"
	}
	resp := issue(t, kp, func(s *ResponseSpec) {
		s.SignResponse, s.SignAssertion = true, true
		s.Attributes = append(s.Attributes, Attribute{Name: "many", Values: values})
	})
	a, err := VerifyResponse(resp, []*Cert{kp.cert}, WithClock(testClock))
	require.NoError(t, err)
	assert.Len(t, a.Attributes["many"], 3000)

	md := string(buildTestMetadata(t, kp.cert))
	many := strings.Repeat(`<md:NameIDFormat>urn:x</md:NameIDFormat>`, 3000)
	md = strings.Replace(md, "<md:NameIDFormat>", many+"<md:NameIDFormat>", 1)
	signed, err := Sign([]byte(md), kp.key, kp.cert)
	require.NoError(t, err)
	_, err = VerifySignature(signed, []*Cert{kp.cert}, WithClock(testClock))
	require.NoError(t, err)
}

// Should goxmldsig's element limit still be reached somewhere on the
// signing side, the error says which limit, as ErrTooLarge.
func TestTraversalLimitIsTyped(t *testing.T) {
	err := sigErr(fmt.Errorf("construct: %w", etreeutils.ErrTraversalLimit))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "1000 elements")
}
