package sftest

import (
	"encoding/xml"
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

// appUpdate is a complete ConnectedApp component for updateMetadata, with
// extra inserted before samlConfig's closing tag.
func appUpdate(name, samlExtra string) string {
	return `<metadata xsi:type="ConnectedApp"><fullName>` + name + `</fullName>` +
		`<attributes><formula>'arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/P'</formula>` +
		`<key>https://aws.amazon.com/SAML/Attributes/Role</key></attributes>` +
		`<contactEmail>ops@example.com</contactEmail><label>ACME Voice Connected App</label>` +
		`<samlConfig><acsUrl>https://signin.aws.amazon.com/saml</acsUrl><entityUrl>ACME Voice</entityUrl>` +
		samlExtra + `<samlSubjectType>PersistentId</samlSubjectType></samlConfig></metadata>`
}

func TestSchemaViolationsAreFaults(t *testing.T) {
	o := seededOrg(t)
	cases := map[string]struct{ body, want string }{
		"element order": {
			body: `<updateMetadata><metadata xsi:type="ConnectedApp"><fullName>ACME_Voice_Connected_App</fullName>` +
				`<label>L</label><contactEmail>a@b.c</contactEmail></metadata></updateMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}contactEmail invalid at this location in type ConnectedApp",
		},
		"valid update (control)": {
			body: `<updateMetadata>` + appUpdate("ACME_Voice_Connected_App", "") + `</updateMetadata>`,
			want: "",
		},
		"unknown element": {
			body: `<updateMetadata>` + strings.Replace(appUpdate("ACME_Voice_Connected_App", ""), "<label>",
				"<idpCertificate>IdP_Cert_2025</idpCertificate><label>", 1) + `</updateMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}idpCertificate invalid at this location in type ConnectedApp",
		},
		"unknown nested element": {
			body: `<updateMetadata>` + appUpdate("ACME_Voice_Connected_App", "<idpCertificate>X</idpCertificate>") +
				`</updateMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}idpCertificate invalid at this location in type ConnectedAppSamlConfig",
		},
		"nested order": {
			body: `<updateMetadata>` + strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
				`<acsUrl>https://signin.aws.amazon.com/saml</acsUrl><entityUrl>ACME Voice</entityUrl>`,
				`<entityUrl>ACME Voice</entityUrl><acsUrl>https://signin.aws.amazon.com/saml</acsUrl>`, 1) +
				`</updateMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}acsUrl invalid at this location in type ConnectedAppSamlConfig",
		},
		"repeated single element": {
			body: `<updateMetadata><metadata xsi:type="IdentityProviderSettings"><fullName>IdentityProvider</fullName>` +
				`<certificateName>A</certificateName><certificateName>B</certificateName>` +
				`<enableIdentityProvider>true</enableIdentityProvider></metadata></updateMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}certificateName invalid at this location in type IdentityProviderSettings",
		},
		"bad enum": {
			body: `<updateMetadata>` + strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
				"PersistentId", "Persistent", 1) + `</updateMetadata>`,
			want: "'Persistent' is not a valid value for the enum 'SamlSubjectType'",
		},
		"bad boolean": {
			body: `<updateMetadata><metadata xsi:type="IdentityProviderSettings"><fullName>IdentityProvider</fullName>` +
				`<certificateName>IdP_Cert_2025</certificateName><enableIdentityProvider>yes</enableIdentityProvider>` +
				`</metadata></updateMetadata>`,
			want: "'yes' is not a valid value for the type xsd:boolean",
		},
		"operation element": {
			body: `<readMetadata><fullNames>X</fullNames><type>ConnectedApp</type></readMetadata>`,
			want: "Element {http://soap.sforce.com/2006/04/metadata}type invalid at this location in type readMetadata",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := o.Snapshot()
			a := soap(t, o, tc.body)
			if tc.want == "" { // the valid control case
				assert.True(t, a.results(t, "updateMetadata")[0].Success, a.body)
				return
			}
			f := a.fault(t)
			assert.Equal(t, "soapenv:Client", f.Code)
			assert.Equal(t, tc.want, f.String)
			assert.Equal(t, before, o.Snapshot(), "a faulted request changes nothing")
		})
	}
}

func TestMissingRequiredFieldIsASaveError(t *testing.T) {
	o := seededOrg(t)
	read := `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames></readMetadata>`
	before := soap(t, o, read).body
	cases := map[string]struct {
		body   string
		fields []string
	}{
		"top level": {
			body: strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
				"<contactEmail>ops@example.com</contactEmail>", "", 1),
			fields: []string{"contactEmail"},
		},
		"nested": {
			body: strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
				"<entityUrl>ACME Voice</entityUrl>", "", 1),
			fields: []string{"entityUrl"},
		},
		"settings": {
			body: `<metadata xsi:type="IdentityProviderSettings"><fullName>IdentityProvider</fullName>` +
				`<certificateName>IdP_Cert_2025</certificateName></metadata>`,
			fields: []string{"enableIdentityProvider"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := soap(t, o, `<updateMetadata>`+tc.body+`</updateMetadata>`).results(t, "updateMetadata")
			require.Len(t, res, 1)
			assert.False(t, res[0].Success)
			require.Len(t, res[0].Errors, 1)
			assert.Equal(t, "REQUIRED_FIELD_MISSING", res[0].Errors[0].StatusCode)
			assert.Equal(t, tc.fields, res[0].Errors[0].Fields)
		})
	}
	assert.Equal(t, before, soap(t, o, read).body, "failed updates change nothing")
}

func TestUpdateConnectedAppReplacesTheWholeComponent(t *testing.T) {
	o := seededOrg(t)
	o.AddCertificate("Other", 2048)
	require.NoError(t, o.SetAppCertificate("ACME_Voice_Connected_App", "Other"))

	// Prefixed xsi:type, as some clients write it.
	body := strings.Replace(appUpdate("ACME_Voice_Connected_App", "<issuer>me</issuer>"),
		`xsi:type="ConnectedApp"`, `xsi:type="met:ConnectedApp" xmlns:met="http://soap.sforce.com/2006/04/metadata"`, 1)
	res := soap(t, o, `<updateMetadata>`+body+`</updateMetadata>`).results(t, "updateMetadata")
	require.Len(t, res, 1)
	assert.True(t, res[0].Success, "%+v", res[0])
	assert.Equal(t, "ACME_Voice_Connected_App", res[0].FullName)

	recs := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames>`+
		`</readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, []string{"fullName", "attributes", "contactEmail", "label", "samlConfig"}, recs[0].names(),
		"fields left out (oauthConfig, the RoleSessionName attribute) are gone")
	assert.Equal(t, "ops@example.com", recs[0].field("contactEmail"))
	assert.Equal(t, "Other", o.Snapshot().AppCertificates["ACME_Voice_Connected_App"],
		"the IdP certificate is not part of the metadata and survives the update")
}

func TestUpdateErrors(t *testing.T) {
	o := seededOrg(t)
	cases := map[string]struct{ body, code string }{
		"missing app": {appUpdate("No_Such_App", ""), "INVALID_CROSS_REFERENCE_KEY"},
		"unknown certificate": {`<metadata xsi:type="IdentityProviderSettings"><fullName>IdentityProvider</fullName>` +
			`<certificateName>Nope</certificateName><enableIdentityProvider>true</enableIdentityProvider></metadata>`,
			"INVALID_CROSS_REFERENCE_KEY"},
		"wrong settings name": {`<metadata xsi:type="IdentityProviderSettings"><fullName>Security</fullName>` +
			`<certificateName>IdP_Cert_2025</certificateName><enableIdentityProvider>true</enableIdentityProvider>` +
			`</metadata>`, "INVALID_CROSS_REFERENCE_KEY"},
		"saml certificate not PEM": {strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
			"<entityUrl>", "<certificate>IdP_Cert_2025</certificate><entityUrl>", 1), "FIELD_INTEGRITY_EXCEPTION"},
		"encryption certificate not PEM": {strings.Replace(appUpdate("ACME_Voice_Connected_App", ""),
			"<entityUrl>", "<encryptionCertificate>IdP_Cert_2025</encryptionCertificate><entityUrl>", 1), "FIELD_INTEGRITY_EXCEPTION"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := o.Snapshot()
			res := soap(t, o, `<updateMetadata>`+tc.body+`</updateMetadata>`).results(t, "updateMetadata")
			require.Len(t, res, 1)
			assert.False(t, res[0].Success)
			require.NotEmpty(t, res[0].Errors)
			assert.Equal(t, tc.code, res[0].Errors[0].StatusCode, res[0].Errors[0].Message)
			assert.Equal(t, before, o.Snapshot())
		})
	}
}

func TestUpdateIdentityProviderSettings(t *testing.T) {
	o := seededOrg(t)
	o.AddCertificate("Next", 2048)
	res := soap(t, o, `<updateMetadata><metadata xsi:type="IdentityProviderSettings"><fullName>IdentityProvider`+
		`</fullName><certificateName>Next</certificateName><enableIdentityProvider>true</enableIdentityProvider>`+
		`</metadata></updateMetadata>`).results(t, "updateMetadata")
	require.Len(t, res, 1)
	assert.True(t, res[0].Success, "%+v", res)
	snap := o.Snapshot()
	assert.Equal(t, "Next", snap.DefaultCertificate)
	assert.Equal(t, "Next", snap.AppCertificates["ACME_Voice_Connected_App"], "the app follows the default")

	recs := soap(t, o, `<readMetadata><type>IdentityProviderSettings</type><fullNames>IdentityProvider</fullNames>`+
		`</readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "IdentityProviderSettings", recs[0].Type)
	assert.Equal(t, "Next", recs[0].field("certificateName"))
	assert.Equal(t, "true", recs[0].field("enableIdentityProvider"))
}

func TestCallLevelLimits(t *testing.T) {
	o := seededOrg(t)
	var names strings.Builder
	for range 11 {
		names.WriteString("<fullNames>X</fullNames>")
	}
	f := soap(t, o, `<readMetadata><type>Certificate</type>`+names.String()+`</readMetadata>`).fault(t)
	assert.Equal(t, "sf:EXCEEDED_ID_LIMIT", f.Code)

	mixed := `<updateMetadata>` + appUpdate("ACME_Voice_Connected_App", "") +
		`<metadata xsi:type="Certificate"><fullName>C</fullName><caSigned>false</caSigned><masterLabel>C</masterLabel>` +
		`</metadata></updateMetadata>`
	assert.Equal(t, "sf:INVALID_TYPE", soap(t, o, mixed).fault(t).Code)

	noType := `<updateMetadata><metadata><fullName>C</fullName></metadata></updateMetadata>`
	assert.Equal(t, "soapenv:Client", soap(t, o, noType).fault(t).Code)

	unknownType := `<readMetadata><type>ApexClass</type><fullNames>X</fullNames></readMetadata>`
	assert.Equal(t, "sf:INVALID_TYPE", soap(t, o, unknownType).fault(t).Code)
}

func TestUpsertIsRefused(t *testing.T) {
	o := seededOrg(t)
	before := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames>`+
		`</readMetadata>`).body
	f := soap(t, o, `<upsertMetadata>`+appUpdate("ACME_Voice_Connected_App", "")+`</upsertMetadata>`).fault(t)
	assert.Equal(t, "sf:INVALID_OPERATION", f.Code)
	assert.Contains(t, f.String, "updateMetadata")
	after := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames>`+
		`</readMetadata>`).body
	assert.Equal(t, before, after)
	assert.Equal(t, "upsertMetadata", o.Calls()[1].Op, "the refused call is recorded")
}

func TestTransportChecks(t *testing.T) {
	o := seededOrg(t)
	read := envelope(o.AccessToken(), `<readMetadata><type>Certificate</type><fullNames>X</fullNames></readMetadata>`)
	cases := map[string][]string{
		"content type":     {"Content-Type", "application/soap+xml"},
		"no SOAPAction":    {"SOAPAction", ""},
		"wrong SOAPAction": {"SOAPAction", "readMetadata"},
	}
	for name, hdr := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, "soapenv:Client", postSOAP(t, o, read, hdr...).fault(t).Code)
		})
	}
	t.Run("envelope namespace", func(t *testing.T) {
		bad := strings.ReplaceAll(read, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope")
		assert.Equal(t, "soapenv:Client", postSOAP(t, o, bad).fault(t).Code)
	})
	t.Run("doctype", func(t *testing.T) {
		bad := strings.Replace(read, "<soapenv:Envelope", `<!DOCTYPE x [<!ENTITY e "x">]><soapenv:Envelope`, 1)
		assert.Equal(t, "soapenv:Client", postSOAP(t, o, bad).fault(t).Code)
	})
	t.Run("control", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, postSOAP(t, o, read).status)
	})
}

func TestListMetadata(t *testing.T) {
	o := seededOrg(t)
	a := soap(t, o, `<listMetadata><queries><type>ConnectedApp</type></queries><queries><type>Certificate</type>`+
		`</queries><asOfVersion>66.0</asOfVersion></listMetadata>`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	var env struct {
		Results []struct {
			FullName string `xml:"fullName"`
			ID       string `xml:"id"`
			FileName string `xml:"fileName"`
			Type     string `xml:"type"`
		} `xml:"Body>listMetadataResponse>result"`
	}
	require.NoError(t, xml.Unmarshal([]byte(a.body), &env))
	require.Len(t, env.Results, 2)
	assert.Equal(t, "ACME_Voice_Connected_App", env.Results[0].FullName)
	assert.True(t, strings.HasPrefix(env.Results[0].ID, "0H4"), env.Results[0].ID)
	assert.Len(t, env.Results[0].ID, 18)
	assert.Equal(t, "connectedApps/ACME_Voice_Connected_App.connectedApp", env.Results[0].FileName)
	assert.Equal(t, "IdP_Cert_2025", env.Results[1].FullName)
	assert.Equal(t, "Certificate", env.Results[1].Type)
	assert.True(t, strings.HasPrefix(env.Results[1].ID, "0P1"))

	var four strings.Builder
	for range 4 {
		four.WriteString("<queries><type>Certificate</type></queries>")
	}
	assert.Equal(t, "sf:INVALID_OPERATION", soap(t, o, `<listMetadata>`+four.String()+`</listMetadata>`).fault(t).Code)
}
