package sftest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seededOrg(t *testing.T, opts ...Option) *Org {
	t.Helper()
	o := newOrg(t, opts...)
	o.AddCertificate("IdP_Cert_2025", 2048)
	o.SetDefaultCertificate("IdP_Cert_2025")
	o.AddContactCenter(ContactCenterSeed{
		InternalName: "ACME_Voice", DisplayName: "ACME Voice", Telephony: TelephonyNative,
		RoleARN: "arn:aws:iam::123456789012:role/ACME-SAMLRole", ProviderARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp",
		InstanceID: "11111111-2222-3333-4444-555555555555", Region: "us-east-1",
	})
	return o
}

func TestReadMetadataReturnsComponentsInWSDLOrder(t *testing.T) {
	o := seededOrg(t)
	recs := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames>`+
		`<fullNames>Nope</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 2)
	app := recs[0]
	assert.Equal(t, "ConnectedApp", app.Type)
	assert.Equal(t, "ACME Voice Connected App", app.field("label"))
	assertWSDLOrder(t, "ConnectedApp", app.names())
	assert.Equal(t, "true", recs[1].Nil, "a missing name is a nil record, not a fault")
	assert.Empty(t, recs[1].Fields)
}

// assertWSDLOrder checks names against the WSDL sequence of typeName.
func assertWSDLOrder(t *testing.T, typeName string, names []string) {
	t.Helper()
	seq := WSDLSequence(typeName)
	i := 0
	for _, n := range names {
		for i < len(seq) && seq[i].Name != n {
			i++
		}
		require.Less(t, i, len(seq), "%s out of WSDL order in %v", n, names)
	}
}

func TestSOAPRejectsBadSessions(t *testing.T) {
	o := seededOrg(t, WithJWTAccessTokens())
	read := `<readMetadata><type>Certificate</type><fullNames>IdP_Cert_2025</fullNames></readMetadata>`
	jwtToken := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	for name, sid := range map[string]string{"unknown": "00D000000000001!nope", "empty": "", "jwt-format": jwtToken} {
		t.Run(name, func(t *testing.T) {
			f := postSOAP(t, o, envelope(sid, read)).fault(t)
			assert.Equal(t, "sf:INVALID_SESSION_ID", f.Code)
			assert.Equal(t, "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session", f.String)
		})
	}
	ok := soap(t, o, read)
	assert.Equal(t, http.StatusOK, ok.status, ok.body)
	assert.True(t, strings.Contains(ok.body, "<masterLabel>IdP_Cert_2025</masterLabel>"), ok.body)
}
