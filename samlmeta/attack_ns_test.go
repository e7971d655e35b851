package samlmeta

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Attacks of the security review that read attributes by local name: each
// document below is read differently by a namespace-aware reader (libxml2,
// encoding/xml) and by a local-name reader, so it is refused.

const (
	goodEntity = `entityID="https://example.my.salesforce.com"`
	goodPost   = `Location="https://example.my.salesforce.com/idp/endpoint/HttpPost"`
)

// mutate replaces the first old in doc with new, failing when absent.
func mutate(t *testing.T, doc []byte, old, new string) []byte {
	t.Helper()
	s := string(doc)
	require.Contains(t, s, old)
	return []byte(strings.Replace(s, old, new, 1))
}

func TestAttackDecoyAttributesRefused(t *testing.T) {
	base := buildTestMetadata(t, testKey(t, "decoy", 2048).cert)
	for name, doc := range map[string][]byte{
		"xmlns:entityID": mutate(t, base, goodEntity, `xmlns:entityID="https://example.my.salesforce.com" entityID="https://evil.example.com"`),
		"x:entityID":     mutate(t, base, goodEntity, `xmlns:x="urn:x" x:entityID="https://example.my.salesforce.com" entityID="https://evil.example.com"`),
		"xmlns:Location": mutate(t, base, goodPost, `xmlns:Location="https://example.my.salesforce.com/idp/endpoint/HttpPost" Location="https://evil.example.com/sso"`),
		"x:Location":     mutate(t, base, goodPost, `xmlns:x="urn:x" x:Location="https://example.my.salesforce.com/idp/endpoint/HttpPost" Location="https://evil.example.com/sso"`),
		"x:Binding":      mutate(t, base, `Binding=`, `xmlns:x="urn:x" x:Binding="urn:x" Binding=`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(doc)
			require.ErrorIs(t, err, ErrDecoy)
			require.ErrorIs(t, ValidateIAM(doc, testNow), ErrDecoy)
		})
	}
	// Prefixed attributes SAML does not define stay allowed.
	ok := mutate(t, base, goodEntity, `xmlns:x="urn:x" x:note="kept" `+goodEntity)
	m, err := Parse(ok)
	require.NoError(t, err)
	assert.Equal(t, "https://example.my.salesforce.com", m.EntityID())
}

// A KeyDescriptor whose use is prefixed has no use to a namespace-aware
// reader, so it is a signing key there; a local-name reader took it for an
// encryption key and kept it through a rotation.
func TestAttackHiddenSigningKeyRefused(t *testing.T) {
	good, evil := testKey(t, "hidden-good", 2048), testKey(t, "hidden-evil", 2048)
	base := buildTestMetadata(t, good.cert)
	hidden := `<md:KeyDescriptor xmlns:x="urn:x" x:use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
		evil.cert.Base64() + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`
	doc := mutate(t, base, `<md:NameIDFormat>`, hidden)
	_, err := Parse(doc)
	require.ErrorIs(t, err, ErrDecoy)
	require.ErrorIs(t, ValidateIAM(doc, testNow), ErrDecoy)
}

func TestAttackKeyUseVariantsRefused(t *testing.T) {
	base := buildTestMetadata(t, testKey(t, "use", 2048).cert)
	for _, use := range []string{"Signing", "SIGNING", " signing ", "", "both", "signing encryption"} {
		doc := mutate(t, base, `use="signing"`, `use="`+use+`"`)
		_, err := Parse(doc)
		require.ErrorIs(t, err, ErrKeyUse, "use=%q", use)
	}
	for _, use := range []string{"signing", "encryption"} {
		_, err := Parse(mutate(t, base, `use="signing"`, `use="`+use+`"`))
		require.NoError(t, err, "use=%q", use)
	}
}

// A signing KeyDescriptor that carries only a KeyValue is a signing key no
// certificate fingerprint names.
func TestAttackKeyValueOnlySigningKey(t *testing.T) {
	kp := testKey(t, "keyvalue", 2048)
	base := buildTestMetadata(t, kp.cert)
	kv := `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus>` +
		`<ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`
	doc := mutate(t, base, `<md:NameIDFormat>`, kv)

	require.ErrorIs(t, ValidateIAM(doc, testNow), ErrKeyInfo, "IAM use needs one X509Certificate per KeyInfo")

	old, err := Parse(base)
	require.NoError(t, err)
	m, err := Parse(doc)
	require.NoError(t, err)
	c := Diff(old, m)
	assert.False(t, c.OnlyKeys(), "%v", c)
	require.NotEmpty(t, c.Other)
	assert.Contains(t, c.Other[0].String(), "KeyDescriptor")

	require.NoError(t, m.SetSigningCertificates(kp.cert))
	assert.NotContains(t, string(m.Bytes()), "KeyValue", "SetSigningCertificates leaves no other signing-capable key")
	assert.True(t, Diff(old, m).Empty(), "%v", Diff(old, m))
}

// SetSigningCertificates leaves no signing-capable key but the ones given,
// whatever their shape or role descriptor.
func TestSetSigningCertificatesLeavesOnlyTheGivenKeys(t *testing.T) {
	oldKey, newKey, other := testKey(t, "set-old", 2048), testKey(t, "set-new", 2048), testKey(t, "set-other", 2048)
	base := buildTestMetadata(t, oldKey.cert)
	extra := `<md:KeyDescriptor><ds:KeyInfo><ds:KeyName>k</ds:KeyName><ds:X509Data><ds:X509Certificate>` + newKey.cert.Base64() +
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
		`<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + other.cert.Base64() +
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`
	doc := mutate(t, base, `<md:NameIDFormat>`, extra)
	doc = mutate(t, doc, `</md:EntityDescriptor>`, `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`+
		`<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>`+other.cert.Base64()+
		`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`+
		`<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs" index="0"/>`+
		`</md:SPSSODescriptor></md:EntityDescriptor>`)
	m, err := Parse(doc)
	require.NoError(t, err)
	require.NoError(t, m.SetSigningCertificates(newKey.cert))
	out, err := Parse(m.Bytes())
	require.NoError(t, err)
	var signing []string
	for _, rd := range out.roleDescriptors() {
		for _, kd := range signingKDs(rd) {
			for _, xc := range x509CertElements(kd) {
				signing = append(signing, rd.local+" "+certFingerprint(xc))
			}
			assert.NotNil(t, plainKeyDescriptor(kd), "only plain signing keys remain")
		}
	}
	assert.Equal(t, []string{"IDPSSODescriptor " + newKey.cert.SHA256}, signing)
	assert.Contains(t, string(m.Bytes()), `use="encryption"`, "encryption keys are not signing keys and stay")
}

// Verifying and then parsing the same bytes must read what was signed: a
// decoy that exclusive C14N drops (an unused namespace declaration) is
// refused by both.
func TestAttackVerifySignatureThenParse(t *testing.T) {
	kp := testKey(t, "vtp", 2048)
	signed, err := Sign(buildTestMetadata(t, kp.cert), kp.key, kp.cert)
	require.NoError(t, err)
	for name, doc := range map[string][]byte{
		"entityID": mutate(t, signed, " "+goodEntity, ` xmlns:entityID="https://evil.example.com" `+goodEntity),
		"Location": mutate(t, signed, " "+goodPost, ` xmlns:Location="https://evil.example.com/sso" `+goodPost),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := VerifySignature(doc, []*Cert{kp.cert}, WithClock(testClock))
			require.ErrorIs(t, err, ErrDecoy)
			_, _, err = VerifyMetadata(doc, []*Cert{kp.cert}, WithClock(testClock))
			require.ErrorIs(t, err, ErrDecoy)
			_, err = Parse(doc)
			require.ErrorIs(t, err, ErrDecoy)
		})
	}
	// Unused declarations with other names stay harmless: the signature
	// verifies and the reads are the signed ones.
	doc := mutate(t, signed, " "+goodEntity, ` xmlns:unused="https://evil.example.com" `+goodEntity)
	m, _, err := VerifyMetadata(doc, []*Cert{kp.cert}, WithClock(testClock))
	require.NoError(t, err)
	assert.Equal(t, "https://example.my.salesforce.com", m.EntityID())
}

func TestAttackNamespaceDeclarationFlood(t *testing.T) {
	base := buildTestMetadata(t, testKey(t, "flood", 2048).cert)
	var decls strings.Builder
	for i := range DefaultMaxNamespaceDecls + 1 {
		decls.WriteString(` xmlns:n` + strings.Repeat("x", i%7) + strconv.Itoa(i) + `="urn:n"`)
	}
	doc := mutate(t, base, " "+goodEntity, decls.String()+" "+goodEntity)
	_, err := Parse(doc)
	require.ErrorIs(t, err, ErrTooManyNamespaces)
	m, err := Parse(doc, WithMaxNamespaceDecls(2*DefaultMaxNamespaceDecls))
	require.NoError(t, err)
	assert.Equal(t, "https://example.my.salesforce.com", m.EntityID())
}

// The same decoys in a Response: the signature would still verify
// (exclusive C14N drops an unused declaration), so they are refused.
func TestAttackResponseDecoysRefused(t *testing.T) {
	kp := testKey(t, "resp-decoy", 2048)
	resp := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, true })
	for name, doc := range map[string][]byte{
		"xmlns:Recipient":   mutate(t, resp, ` Recipient=`, ` xmlns:Recipient="https://evil.example.com" Recipient=`),
		"xmlns:Destination": mutate(t, resp, ` Destination=`, ` xmlns:Destination="https://evil.example.com" Destination=`),
		"x:Name":            mutate(t, resp, ` Name=`, ` xmlns:x="urn:x" x:Name="https://aws.amazon.com/SAML/Attributes/Role" Name=`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := VerifyResponse(doc, []*Cert{kp.cert}, WithClock(testClock))
			require.ErrorIs(t, err, ErrDecoy)
		})
	}
}
