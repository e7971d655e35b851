package sftest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

func createCert(name, keySize string) string {
	ks := ""
	if keySize != "" {
		ks = `<keySize>` + keySize + `</keySize>`
	}
	return `<metadata xsi:type="Certificate"><fullName>` + name + `</fullName><caSigned>false</caSigned>` + ks +
		`<masterLabel>` + name + ` label</masterLabel><privateKeyExportable>true</privateKeyExportable></metadata>`
}

func readCert(t *testing.T, o *Org, name string) record {
	t.Helper()
	recs := soap(t, o, `<readMetadata><type>Certificate</type><fullNames>`+name+`</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 1)
	return recs[0]
}

// certFromContent decodes a readMetadata content element: base64 of PEM.
func certFromContent(t *testing.T, content string) *x509.Certificate {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(content)
	require.NoError(t, err)
	blk, rest := pem.Decode(raw)
	require.NotNil(t, blk, "content is base64 of PEM text")
	assert.Empty(t, strings.TrimSpace(string(rest)))
	c, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	return c
}

func TestCreateCertificateSubjectAndLifetime(t *testing.T) {
	o := newOrg(t, WithOrgID("00D5g000004ABCD"))
	cases := []struct {
		keySize string
		bits    int
		years   int
	}{
		{"", 2048, 1}, // keySize omitted: 2048
		{"2048", 2048, 1},
		{"4096", 4096, 2},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(tc.bits, "-", tc.keySize), func(t *testing.T) {
			name := fmt.Sprintf("Voice_%d", i)
			res := soap(t, o, `<createMetadata>`+createCert(name, tc.keySize)+`</createMetadata>`).results(t, "createMetadata")
			require.Len(t, res, 1)
			require.True(t, res[0].Success, "%+v", res[0])

			rec := readCert(t, o, name)
			assertWSDLOrder(t, "Certificate", rec.names())
			c := certFromContent(t, rec.field("content"))
			assert.Equal(t, "CN=SelfSignedCert_05Jun2026_142312,OU=00D5g000004ABCD,O=Salesforce.com,"+
				"L=San Francisco,ST=CA,C=USA", c.Subject.String())
			assert.Equal(t, []string{"USA"}, c.Subject.Country)
			assert.Equal(t, c.Subject.String(), c.Issuer.String(), "self-signed")
			require.NoError(t, c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature))
			assert.Equal(t, x509.SHA256WithRSA, c.SignatureAlgorithm)
			assert.Equal(t, tc.bits, c.PublicKey.(*rsa.PublicKey).N.BitLen())
			assert.Equal(t, fixedNow, c.NotBefore)
			assert.Equal(t, fixedNow.AddDate(tc.years, 0, 0), c.NotAfter)
			assert.Equal(t, fixedNow.AddDate(tc.years, 0, 0).Format("2006-01-02T15:04:05.000Z"), rec.field("expirationDate"))
			assert.Equal(t, fmt.Sprint(tc.bits), rec.field("keySize"))
			assert.Equal(t, name+" label", rec.field("masterLabel"))
			assert.Equal(t, "false", rec.field("caSigned"))
			assert.Equal(t, samlmeta.Fingerprint(c.Raw), o.Snapshot().Certificates[name])
		})
	}
}

func TestCreateCertificateRefusals(t *testing.T) {
	o := seededOrg(t)
	cases := map[string]struct {
		comp, code string
		fields     []string
	}{
		"key size 3072": {createCert("K3072", "3072"), "FIELD_INTEGRITY_EXCEPTION", []string{"keySize"}},
		"key size 1024": {createCert("K1024", "1024"), "FIELD_INTEGRITY_EXCEPTION", []string{"keySize"}},
		"duplicate":     {createCert("IdP_Cert_2025", "2048"), "DUPLICATE_VALUE", []string{"fullName"}},
		"bad name":      {createCert("2bad__name", "2048"), "FIELD_INTEGRITY_EXCEPTION", []string{"fullName"}},
		"ca signed": {strings.Replace(createCert("CA", "2048"), "<caSigned>false", "<caSigned>true", 1),
			"FIELD_INTEGRITY_EXCEPTION", []string{"caSigned"}},
		"no label": {`<metadata xsi:type="Certificate"><fullName>NoLabel</fullName><caSigned>false</caSigned>` +
			`</metadata>`, "REQUIRED_FIELD_MISSING", []string{"masterLabel"}},
		"no name": {`<metadata xsi:type="Certificate"><caSigned>false</caSigned><masterLabel>x</masterLabel>` +
			`</metadata>`, "REQUIRED_FIELD_MISSING", []string{"fullName"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := o.Snapshot()
			res := soap(t, o, `<createMetadata>`+tc.comp+`</createMetadata>`).results(t, "createMetadata")
			require.Len(t, res, 1)
			assert.False(t, res[0].Success)
			require.Len(t, res[0].Errors, 1)
			assert.Equal(t, tc.code, res[0].Errors[0].StatusCode, res[0].Errors[0].Message)
			assert.Equal(t, tc.fields, res[0].Errors[0].Fields)
			assert.Equal(t, before, o.Snapshot())
		})
	}
}

func TestCreateIsPartialUnlessAllOrNone(t *testing.T) {
	o := seededOrg(t)
	two := `<createMetadata>` + createCert("Good_One", "2048") + createCert("Bad_One", "1024") + `</createMetadata>`

	allOrNone := strings.Replace(envelope(o.AccessToken(), two), "</SessionHeader>",
		"</SessionHeader><AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader>", 1)
	res := postSOAP(t, o, allOrNone).results(t, "createMetadata")
	require.Len(t, res, 2)
	assert.False(t, res[0].Success)
	assert.Equal(t, "ALL_OR_NONE_OPERATION_ROLLED_BACK", res[0].Errors[0].StatusCode)
	assert.NotContains(t, o.Snapshot().Certificates, "Good_One")

	res = soap(t, o, two).results(t, "createMetadata")
	require.Len(t, res, 2)
	assert.True(t, res[0].Success)
	assert.False(t, res[1].Success)
	assert.Contains(t, o.Snapshot().Certificates, "Good_One")
	assert.NotContains(t, o.Snapshot().Certificates, "Bad_One")
}

func TestDeleteCertificate(t *testing.T) {
	o := seededOrg(t)
	o.AddCertificate("Pinned_Cert", 2048)
	o.AddCertificate("Unused", 2048)
	require.NoError(t, o.SetAppCertificate("ACME_Voice_Connected_App", "Pinned_Cert"))

	del := func(name string) wireResult {
		res := soap(t, o, `<deleteMetadata><type>Certificate</type><fullNames>`+name+`</fullNames></deleteMetadata>`).
			results(t, "deleteMetadata")
		require.Len(t, res, 1)
		return res[0]
	}
	for _, inUse := range []string{"IdP_Cert_2025", "Pinned_Cert"} {
		r := del(inUse)
		assert.False(t, r.Success, inUse)
		require.Len(t, r.Errors, 1)
		assert.Equal(t, "DELETE_FAILED", r.Errors[0].StatusCode)
		assert.Contains(t, o.Snapshot().Certificates, inUse)
	}
	r := del("Nope")
	assert.False(t, r.Success)
	assert.Equal(t, "INVALID_CROSS_REFERENCE_KEY", r.Errors[0].StatusCode)

	assert.True(t, del("Unused").Success)
	assert.NotContains(t, o.Snapshot().Certificates, "Unused")
	assert.Equal(t, "true", readCert(t, o, "Unused").Nil)

	// Once the admin unpins, the app follows the default and the cert is free.
	require.NoError(t, o.FollowDefault("ACME_Voice_Connected_App"))
	assert.True(t, del("Pinned_Cert").Success)
}

func TestUpdateCertificateLabel(t *testing.T) {
	o := seededOrg(t)
	body := `<updateMetadata><metadata xsi:type="Certificate"><fullName>IdP_Cert_2025</fullName><caSigned>false` +
		`</caSigned><keySize>2048</keySize><masterLabel>Renamed</masterLabel></metadata></updateMetadata>`
	res := soap(t, o, body).results(t, "updateMetadata")
	require.True(t, res[0].Success, "%+v", res)
	assert.Equal(t, "Renamed", readCert(t, o, "IdP_Cert_2025").field("masterLabel"))

	res = soap(t, o, strings.Replace(body, "2048", "4096", 1)).results(t, "updateMetadata")
	assert.False(t, res[0].Success)
	assert.Equal(t, "FIELD_INTEGRITY_EXCEPTION", res[0].Errors[0].StatusCode)
}

// TestStatusCodesAreWSDLValues checks every statusCode the fake can put in a
// SaveResult or DeleteResult against the WSDL's StatusCode enumeration.
func TestStatusCodesAreWSDLValues(t *testing.T) {
	b, err := os.ReadFile("testdata/wsdl/metadata-66.0-fragments.xml")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?s)<xsd:simpleType name="StatusCode">(.*?)</xsd:simpleType>`).FindSubmatch(b)
	require.NotNil(t, m)
	var values []string
	for _, v := range regexp.MustCompile(`value="([A-Z_]+)"`).FindAllSubmatch(m[1], -1) {
		values = append(values, string(v[1]))
	}
	require.Greater(t, len(values), 100)
	for _, c := range savedStatusCodes {
		assert.True(t, slices.Contains(values, c), "%s is not a WSDL StatusCode", c)
	}
}

func TestKeysAreNotReusedWithinAnOrg(t *testing.T) {
	o := newOrg(t)
	for _, n := range []string{"A", "B", "C"} {
		o.AddCertificate(n, 2048)
	}
	keys := map[string]bool{}
	o.mu.Lock()
	for _, c := range o.st.certs {
		keys[c.key.N.String()] = true
	}
	o.mu.Unlock()
	assert.Len(t, keys, 3)

	fresh := 0
	o2 := newOrg(t, WithKeyGenerator(func(bits int) (*rsa.PrivateKey, error) {
		fresh++
		return rsa.GenerateKey(rand.Reader, bits)
	}))
	o2.AddCertificate("X", 2048)
	assert.Equal(t, 1, fresh)
}
