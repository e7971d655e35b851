package salesforce_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

const (
	ecaRole     = "arn:aws:iam::" + acct + ":role/Gamma-SAMLRole"
	ecaProvider = "arn:aws:iam::" + acct + ":saml-provider/SalesforceVoiceIdp_00D000000000001"
)

// ecaSandbox is newSandbox plus a native contact center signing in through
// an External Client App (found by its label), a partner one (found by
// reqConnectedAppId), an "Okta_Workforce" connected app following the
// default and a "Tableau" External Client App pinned to its own
// certificate, both of no contact center.
type ecaSandbox struct {
	*sandbox
	native, partner rotation.ContactCenter
	okta, tableau   rotation.AppRef
}

func newECASandbox(t *testing.T) ecaSandbox {
	t.Helper()
	sb := ecaSandbox{sandbox: newSandbox(t)}
	for _, seed := range []sftest.ContactCenterSeed{
		{InternalName: "Gamma_Voice", DisplayName: "Gamma Voice", Telephony: sftest.TelephonyNative, External: true, AppName: "Gamma_ECA",
			RoleARN: ecaRole, ProviderARN: ecaProvider, InstanceID: "22222222-3333-4444-5555-666666666666", Region: "eu-west-2"},
		{InternalName: "Delta_Voice", DisplayName: "Delta Voice", Telephony: sftest.TelephonyPartner, External: true, AppName: "Delta_ECA",
			RoleARN: ecaRole, ProviderARN: ecaProvider, InstanceID: "33333333-4444-5555-6666-777777777777", Region: "us-east-1"},
	} {
		id, login := sb.org.AddContactCenter(seed)
		tel := rotation.TelephonyNative
		if seed.Telephony == sftest.TelephonyPartner {
			tel = rotation.TelephonyPartner
		}
		cc := rotation.ContactCenter{
			Name: seed.InternalName, DisplayName: seed.DisplayName, Telephony: tel,
			App:     rotation.AppRef{ID: id, Name: seed.AppName, Label: seed.DisplayName + " External Client App", LoginID: login},
			Trust:   rotation.TrustRef{Account: acct, ARN: ecaProvider},
			RoleARN: ecaRole, InstanceID: seed.InstanceID, Region: seed.Region,
		}
		if tel == rotation.TelephonyNative {
			sb.native = cc
		} else {
			sb.partner = cc
		}
	}
	id, login := sb.org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Okta_Workforce", EntityID: "http://www.okta.com/exk1", ACS: "https://acme.okta.com/sso/saml2/0oa1"})
	sb.okta = rotation.AppRef{ID: id, Name: "Okta_Workforce", Label: "Okta Workforce", LoginID: login}
	id, login = sb.org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Tableau", External: true})
	sb.tableau = rotation.AppRef{ID: id, Name: "Tableau", Label: "Tableau", LoginID: login}
	require.NoError(t, sb.org.SetAppCertificate("Tableau", pinnedCert))
	return sb
}

func TestContactCentersDiscoverExternalClientApps(t *testing.T) {
	sb := newECASandbox(t)
	ccs, err := sb.provider.ContactCenters(ctxT(t))
	require.NoError(t, err)
	byName := map[string]rotation.ContactCenter{}
	for _, cc := range ccs {
		byName[cc.Name] = cc
	}
	assert.Equal(t, sb.native, byName["Gamma_Voice"], "by the label convention")
	assert.Equal(t, sb.partner, byName["Delta_Voice"], "by reqConnectedAppId")
	assert.Len(t, ccs, len(sb.centers)+2)

	sig, err := sb.provider.SigningState(ctxT(t))
	require.NoError(t, err)
	a, ok := sig.App("Gamma_ECA")
	require.True(t, ok, "SigningState covers a contact center's External Client App")
	assert.False(t, a.Pinned)
	assert.Equal(t, defaultCert, a.Certificate.Name)
}

func TestSAMLAppsListsEverySAMLApp(t *testing.T) {
	sb := newECASandbox(t)
	apps, err := sb.provider.SAMLApps(ctxT(t))
	require.NoError(t, err)
	type row struct {
		Name, ContactCenter, Certificate string
		Kind                             rotation.AppKind
		Pinned                           bool
	}
	var got []row
	for _, a := range apps {
		got = append(got, row{a.App.Name, a.ContactCenter, a.Certificate.Name, a.Kind, a.Pinned})
	}
	assert.Equal(t, []row{
		{"Billing_Voice_Connected_App", "Billing_Voice", pinnedCert, rotation.AppConnected, true},
		{"Legacy_Voice_Connected_App", "Legacy_Voice", defaultCert, rotation.AppConnected, false},
		{"Okta_Workforce", "", defaultCert, rotation.AppConnected, false},
		{"Sales_Voice_Connected_App", "Sales_Voice", defaultCert, rotation.AppConnected, false},
		{"Support_Voice_Connected_App", "Support_Voice", defaultCert, rotation.AppConnected, false},
		{"Delta_ECA", "Delta_Voice", defaultCert, rotation.AppExternal, false},
		{"Gamma_ECA", "Gamma_Voice", defaultCert, rotation.AppExternal, false},
		{"Tableau", "", pinnedCert, rotation.AppExternal, true},
	}, got, "connected apps, then External Client Apps; the Twilio call center has no SAML app")

	byName := map[string]rotation.SAMLApp{}
	for _, a := range apps {
		byName[a.App.Name] = a
		assert.NotEmpty(t, a.Certificate.SHA256, a.App.Name)
	}
	okta := byName["Okta_Workforce"]
	assert.Equal(t, "http://www.okta.com/exk1", okta.EntityID)
	assert.Equal(t, "https://acme.okta.com/sso/saml2/0oa1", okta.ACS)
	assert.Equal(t, sb.okta.ID, okta.App.ID)
	assert.Empty(t, okta.App.LoginID, "no call center names its login id")
	tableau := byName["Tableau"]
	assert.Equal(t, "https://tableau.example.com", tableau.EntityID)
	assert.Equal(t, "https://tableau.example.com/saml/acs", tableau.ACS)
	assert.Equal(t, sb.tableau.ID, tableau.App.ID)
	gamma := byName["Gamma_ECA"]
	assert.Equal(t, sb.native.App, gamma.App, "a contact center's app carries its login id")
	assert.Equal(t, "Gamma Voice", gamma.EntityID)
	assert.Equal(t, sftest.DefaultSignInURL, gamma.ACS)
}

// Before API 63.0 there are no External Client App types: only connected
// apps are listed, and no request names the ECA types.
func TestSAMLAppsBeforeAPI63ListsConnectedAppsOnly(t *testing.T) {
	sb := newECASandbox(t)
	c, err := salesforce.NewClient(sb.org.URL(), orgSource{sb.org}, fastRetry, func(o *salesforce.Options) {
		o.HTTPClient = sb.org.Client()
		o.APIVersion = "62.0"
	})
	require.NoError(t, err)
	apps, err := salesforce.NewProvider(c).SAMLApps(ctxT(t))
	require.NoError(t, err)
	for _, a := range apps {
		assert.Equal(t, rotation.AppConnected, a.Kind, a.App.Name)
	}
	assert.Len(t, apps, 5)
	for _, call := range sb.org.Calls() {
		assert.NotContains(t, call.Target, "ExternalClientApplication")
		assert.NotContains(t, call.Target, "ExtlClntApp")
	}
}

// A contact center's External Client App that follows the default needs
// nothing; a pinned one is a manual gate whose instructions are the
// External Client App Manager's and whose Wait sees the admin's change.
func TestSetAppCertificateOfExternalClientApp(t *testing.T) {
	sb := newECASandbox(t)
	_, err := sb.provider.ContactCenters(ctxT(t))
	require.NoError(t, err)
	require.NoError(t, sb.provider.SetAppCertificate(ctxT(t), sb.native.App, defaultCert))

	require.NoError(t, sb.org.SetAppCertificate("Gamma_ECA", pinnedCert))
	sb.org.AddCertificate("Next_IdP", 2048)
	err = sb.provider.SetAppCertificate(ctxT(t), sb.native.App, "Next_IdP")
	var manual *rotation.ManualActionError
	require.True(t, errors.As(err, &manual), "%v", err)
	assert.Contains(t, manual.Action, "external client app")
	assert.Contains(t, manual.Instructions, "External Client App Manager")
	assert.Contains(t, manual.Instructions, "Gamma_ECA")
	assert.False(t, strings.Contains(manual.Instructions, "App Manager (Lightning"), "not the connected app's steps")
	require.NoError(t, sb.org.SetAppCertificate("Gamma_ECA", "Next_IdP"))
	require.NoError(t, manual.Wait(ctxT(t)))
}

// The SAML policies of an External Client App survive a read-modify-write
// through the fake org, which checks WSDL order and required fields.
func TestModifyExternalClientAppPolicies(t *testing.T) {
	sb := newECASandbox(t)
	require.NoError(t, salesforce.Modify(ctxT(t), sb.client, "Gamma_ECA_SAML", func(s *salesforce.ExtlClntAppSamlConfigurablePolicies) error {
		s.Issuer = sb.org.URL()
		return nil
	}))
	got, err := salesforce.ReadOne[salesforce.ExtlClntAppSamlConfigurablePolicies](ctxT(t), sb.client, "Gamma_ECA_SAML")
	require.NoError(t, err)
	assert.Equal(t, sb.org.URL(), got.Issuer)
	assert.Equal(t, "Gamma_ECA", got.ExternalClientApplication)
	role, ok := got.Attribute("https://aws.amazon.com/SAML/Attributes/Role")
	assert.True(t, ok)
	assert.Equal(t, "'"+ecaRole+","+ecaProvider+"'", role)

	err = salesforce.Modify(ctxT(t), sb.client, "Gamma_ECA_SAML", func(s *salesforce.ExtlClntAppSamlConfigurablePolicies) error {
		s.ExternalClientApplication = "Tableau"
		return nil
	})
	var se *salesforce.SaveError
	require.True(t, errors.As(err, &se), "%v", err)
}
