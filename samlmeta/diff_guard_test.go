package samlmeta

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Diff is an inverse guard: everything but the signing keys must be equal.
// Each change below was invisible to the Diff that compared a list of
// named fields.
func TestDiffReportsEveryNonKeyChange(t *testing.T) {
	kp, enc := testKey(t, "guard", 2048), testKey(t, "guard-enc", 2048)
	base := buildTestMetadata(t, kp.cert)
	const sso = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ` + goodPost + `/>`
	const idp = `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`
	for _, tc := range []struct {
		name, old, new, where string
	}{
		{"ArtifactResolutionService", "<md:NameIDFormat>", `<md:ArtifactResolutionService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://evil.example.com/ars" index="0"/><md:NameIDFormat>`, "ArtifactResolutionService"},
		{"protocolSupportEnumeration", `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"`, `protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:evil"`, "protocolSupportEnumeration"},
		{"WantAuthnRequestsSigned", `WantAuthnRequestsSigned="false"`, `WantAuthnRequestsSigned="true"`, "WantAuthnRequestsSigned"},
		{"added SPSSODescriptor", "</md:EntityDescriptor>", `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://evil.example.com/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>`, "SPSSODescriptor"},
		{"ResponseLocation", goodPost, goodPost + ` ResponseLocation="https://evil.example.com/r"`, "ResponseLocation"},
		{"duplicate SingleSignOnService", sso, sso + sso, "SingleSignOnService"},
		{"SingleSignOnService inside Extensions", idp, idp + `<md:Extensions><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://evil.example.com/sso"/></md:Extensions>`, "Extensions"},
		{"EntityAttributes", idp, `<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"><saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="x"><saml:AttributeValue>evil</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>` + idp, "Extensions"},
		{"cacheDuration", " " + goodEntity, ` cacheDuration="PT1H" ` + goodEntity, "cacheDuration"},
		{"encryption KeyDescriptor", "<md:NameIDFormat>", `<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + enc.cert.Base64() + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`, "KeyDescriptor"},
		{"signing KeyDescriptor with a KeyName", "<md:NameIDFormat>", `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>k</ds:KeyName><ds:X509Data><ds:X509Certificate>` + enc.cert.Base64() + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`, "KeyDescriptor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := mutate(t, base, tc.old, tc.new)
			old, err := Parse(base)
			require.NoError(t, err)
			m, err := Parse(doc)
			require.NoError(t, err)
			c := Diff(old, m)
			require.False(t, c.OnlyKeys(), "%v", c)
			assert.Contains(t, c.String(), tc.where)
			back := Diff(m, old)
			require.False(t, back.OnlyKeys(), "the other way round too: %v", back)
		})
	}
	// EntityAttributes whose value changes is a difference with its path.
	withAttr := func(v string) *Metadata {
		m, err := Parse(mutate(t, base, idp, `<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"><saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="x"><saml:AttributeValue>`+v+`</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>`+idp))
		require.NoError(t, err)
		return m
	}
	c := Diff(withAttr("good"), withAttr("evil"))
	require.Len(t, c.Other, 1)
	assert.Equal(t, "/md:EntityDescriptor/md:Extensions[1]/mdattr:EntityAttributes[1]/saml:Attribute[1]/saml:AttributeValue[1]", c.Other[0].Path)
	assert.Equal(t, `text changed from "good" to "evil"`, c.Other[0].What)
}

// What may change without counting: signing keys, validUntil, prefixes,
// attribute order, comments and indentation between elements.
func TestDiffAcceptsKeyAndPresentationChanges(t *testing.T) {
	a, b := testKey(t, "guard-a", 2048), testKey(t, "guard-b", 2048)
	base := buildTestMetadata(t, a.cert)
	old, err := Parse(base)
	require.NoError(t, err)

	rotated := old.Clone()
	require.NoError(t, rotated.SetSigningCertificates(a.cert, b.cert))
	c := Diff(old, rotated)
	assert.True(t, c.OnlyKeys(), "%v", c)
	assert.Equal(t, []string{b.cert.SHA256}, c.KeysAdded)

	restyled := strings.NewReplacer(
		"md:", "m:", "xmlns:md=", "xmlns:m=",
		`WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"`,
		`protocolSupportEnumeration='urn:oasis:names:tc:SAML:2.0:protocol' WantAuthnRequestsSigned="false"`,
		"\n   <m:IDPSSODescriptor", "<!-- idp --><m:IDPSSODescriptor",
	).Replace(string(base))
	m, err := Parse([]byte(restyled))
	require.NoError(t, err)
	c = Diff(old, m)
	assert.True(t, c.Empty(), "%v", c)
}
