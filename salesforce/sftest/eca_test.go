package sftest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

const ecaBody = `<metadata xsi:type="ExternalClientApplication"><fullName>Tableau_ECA</fullName>` +
	`<contactEmail>admin@example.com</contactEmail><distributionState>Local</distributionState><label>Tableau</label></metadata>`

func samlPolicy(name, app, inner string) string {
	return `<metadata xsi:type="ExtlClntAppSamlConfigurablePolicies"><fullName>` + name + `</fullName>` + inner +
		strings.Replace(`<externalClientApplication>APP</externalClientApplication>`, "APP", app, 1) + `</metadata>`
}

// policyFields are the elements before and after externalClientApplication
// of a valid SAML policies component.
const policyHead = `<acsUrl>https://tableau.example.com/saml/acs</acsUrl>` +
	`<customAttributes><formula>$User.Username</formula><key>user</key></customAttributes>` +
	`<entityUrl>https://tableau.example.com</entityUrl>`

func saveOne(t *testing.T, o *Org, op, comp string) wireResult {
	t.Helper()
	res := soap(t, o, `<`+op+`>`+comp+`</`+op+`>`).results(t, op)
	require.Len(t, res, 1)
	return res[0]
}

func errCode(r wireResult) string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].StatusCode
}

// An External Client App and its SAML policies are created, listed and read
// back through the Metadata API in WSDL order, under its rules.
func TestExternalClientAppMetadataRules(t *testing.T) {
	o := seededOrg(t)

	r := saveOne(t, o, "createMetadata", samlPolicy("Tableau_SAML", "Tableau_ECA", policyHead))
	assert.Equal(t, codeInvalidCrossRef, errCode(r), "policies of an app that does not exist")

	notLocal := strings.Replace(ecaBody, "<distributionState>Local</distributionState>", "<distributionState>Packaged</distributionState>", 1)
	require.True(t, saveOne(t, o, "createMetadata", notLocal).Success, r)
	r = saveOne(t, o, "createMetadata", samlPolicy("Tableau_SAML", "Tableau_ECA", policyHead))
	assert.Equal(t, codeFieldIntegrity, errCode(r), "SAML needs a Local app")
	require.True(t, saveOne(t, o, "updateMetadata", ecaBody).Success)

	r = saveOne(t, o, "createMetadata", samlPolicy("Tableau_SAML", "Tableau_ECA", `<acsUrl>https://tableau.example.com/saml/acs</acsUrl>`))
	assert.Equal(t, codeRequiredFieldMissing, errCode(r), "entityUrl is required")
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, []string{"entityUrl"}, r.Errors[0].Fields)

	outOfOrder := samlPolicy("Tableau_SAML", "Tableau_ECA",
		`<entityUrl>https://tableau.example.com</entityUrl><acsUrl>https://tableau.example.com/saml/acs</acsUrl>`)
	f := soap(t, o, `<createMetadata>`+outOfOrder+`</createMetadata>`).fault(t)
	assert.Contains(t, f.String, "invalid at this location in type ExtlClntAppSamlConfigurablePolicies")
	f = soap(t, o, `<createMetadata>`+samlPolicy("Tableau_SAML", "Tableau_ECA", policyHead+`<nameIdFormat>Opaque</nameIdFormat>`)+`</createMetadata>`).fault(t)
	assert.Contains(t, f.String, "ExtlClntAppNameIdFormatType")

	require.True(t, saveOne(t, o, "createMetadata", samlPolicy("Tableau_SAML", "Tableau_ECA", policyHead)).Success)
	assert.Equal(t, codeDuplicateValue, errCode(saveOne(t, o, "createMetadata", samlPolicy("Tableau_SAML2", "Tableau_ECA", policyHead))),
		"one SAML policies component per app")
	assert.Equal(t, codeFieldIntegrity, errCode(saveOne(t, o, "updateMetadata", notLocal)), "a SAML app stays Local")
	assert.Equal(t, codeFieldIntegrity,
		errCode(saveOne(t, o, "updateMetadata", samlPolicy("Tableau_SAML", "Other_ECA", policyHead))), "the app of policies is fixed")
	assert.Equal(t, codeFieldIntegrity, errCode(saveOne(t, o, "updateMetadata",
		samlPolicy("Tableau_SAML", "Tableau_ECA", `<acsUrl>https://tableau.example.com/saml/acs</acsUrl><certificate>not a PEM</certificate>`+
			`<entityUrl>https://tableau.example.com</entityUrl>`))))

	list := soap(t, o, `<listMetadata><queries><type>ExternalClientApplication</type></queries>`+
		`<queries><type>ExtlClntAppSamlConfigurablePolicies</type></queries><asOfVersion>66.0</asOfVersion></listMetadata>`)
	assert.Contains(t, list.body, "<fullName>Tableau_ECA</fullName>")
	assert.Contains(t, list.body, "extlClntAppSamlConfigurablePolicies/Tableau_SAML.ecaSamlPlcy")

	recs := soap(t, o, `<readMetadata><type>ExtlClntAppSamlConfigurablePolicies</type><fullNames>Tableau_SAML</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "ExtlClntAppSamlConfigurablePolicies", recs[0].Type)
	assert.Equal(t, []string{"fullName", "acsUrl", "customAttributes", "entityUrl", "externalClientApplication"}, recs[0].names())
	assert.Equal(t, "Tableau_ECA", recs[0].field("externalClientApplication"))

	// The app now has an IdP metadata endpoint that follows the default.
	md := metadataOf(t, o.MetadataURL("Tableau_ECA"))
	assert.Equal(t, metadataOf(t, o.OrgMetadataURL()), md)
	assert.Contains(t, o.Snapshot().AppCertificates, "Tableau_ECA")
}

// A contact center whose app is an External Client App signs in through it
// like a connected app's: the Response carries the policies' attributes and
// is signed with the app's certificate, pinned or not.
func TestExternalClientAppSignsIn(t *testing.T) {
	o := seededOrg(t)
	appID, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Gamma", DisplayName: "Gamma Voice", Telephony: TelephonyPartner,
		External: true, RoleARN: "arn:aws:iam::210987654321:role/Gamma-SAMLRole",
		ProviderARN: "arn:aws:iam::210987654321:saml-provider/SalesforceVoiceIdp_00D", Region: "eu-west-2"})
	assert.True(t, strings.HasPrefix(appID, prefixExternalApp), appID)
	recs := soap(t, o, `<readMetadata><type>ExternalClientApplication</type><fullNames>Gamma_Connected_App</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "Gamma Voice External Client App", recs[0].field("label"))
	recs = soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>Gamma_Connected_App</fullNames></readMetadata>`).records(t)
	assert.Equal(t, "true", recs[0].Nil, "not a connected app")

	clock := samlmeta.WithClock(func() time.Time { return fixedNow.Add(time.Minute) })
	appMD := metadataOf(t, o.MetadataURL("Gamma_Connected_App"))
	action, resp := ssoLogin(t, o, loginID)
	assert.Equal(t, DefaultSignInURL, action)
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), appMD, clock)
	require.NoError(t, err)
	assert.Equal(t, []string{"arn:aws:iam::210987654321:role/Gamma-SAMLRole,arn:aws:iam::210987654321:saml-provider/SalesforceVoiceIdp_00D"}, a.Roles)
	assert.Equal(t, samlmeta.NameIDFormatPersistent, a.NameIDFormat)

	o.AddCertificate("Gamma_Own", 2048)
	require.NoError(t, o.SetAppCertificate("Gamma_Connected_App", "Gamma_Own"))
	assert.True(t, slices.Contains(o.Snapshot().Pinned, "Gamma_Connected_App"))
	_, resp2 := ssoLogin(t, o, loginID)
	a2, err := samlmeta.VerifyResponseWithMetadata([]byte(resp2), metadataOf(t, o.MetadataURL("Gamma_Connected_App")), clock)
	require.NoError(t, err)
	assert.Equal(t, o.Snapshot().Certificates["Gamma_Own"], a2.SignedBy.SHA256)
	del := soap(t, o, `<deleteMetadata><type>Certificate</type><fullNames>Gamma_Own</fullNames></deleteMetadata>`).results(t, "deleteMetadata")
	require.Len(t, del, 1)
	assert.Equal(t, codeDeleteFailed, errCode(del[0]), "a pinned ECA's certificate is in use")
	require.NoError(t, o.FollowDefault("Gamma_Connected_App"))
	assert.Equal(t, appMD, metadataOf(t, o.MetadataURL("Gamma_Connected_App")))
}

// SAML apps of no contact center, connected or external, have their own
// Entity ID and ACS and sign with their own certificate when pinned.
func TestAddSAMLApp(t *testing.T) {
	o := seededOrg(t)
	_, oktaLogin := o.AddSAMLApp(SAMLAppSeed{Name: "Okta_Workforce"})
	o.AddSAMLApp(SAMLAppSeed{Name: "Tableau", External: true, Pinned: true, EntityID: "https://tableau.example.com/sp"})

	recs := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>Okta_Workforce</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "Okta Workforce", recs[0].field("label"))
	action, _ := ssoLogin(t, o, oktaLogin)
	assert.Equal(t, "https://okta-workforce.example.com/saml/acs", action)

	recs = soap(t, o, `<readMetadata><type>ExtlClntAppSamlConfigurablePolicies</type><fullNames>Tableau_SAML</fullNames></readMetadata>`).records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "https://tableau.example.com/sp", recs[0].field("entityUrl"))
	snap := o.Snapshot()
	assert.True(t, slices.Contains(snap.Pinned, "Tableau"))
	assert.False(t, slices.Contains(snap.Pinned, "Okta_Workforce"))
	assert.Equal(t, "IdP_Cert_2025", snap.AppCertificates["Tableau"], "pinned to the default of its seeding")
}
