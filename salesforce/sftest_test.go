package salesforce_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

const (
	acct        = "123456789012"
	providerARN = "arn:aws:iam::" + acct + ":saml-provider/SalesforceServiceVoiceIdp"
	roleARN     = "arn:aws:iam::" + acct + ":role/Support-SAMLRole"
	partnerProv = "arn:aws:iam::" + acct + ":saml-provider/SalesforceVoiceIdp_00D000000000001"
	partnerRole = "arn:aws:iam::" + acct + ":role/Sales-SAMLRole"
	defaultCert = "Org_IdP_2025"
	pinnedCert  = "Pinned_IdP_2025"
)

// orgSource asks the fake org for its current session id on every call,
// as a real token source gets a fresh token after RevokeSessions.
type orgSource struct{ org *sftest.Org }

func (s orgSource) Token() (*oauth2.Token, error) {
	return (&oauth2.Token{AccessToken: s.org.AccessToken()}).WithExtra(map[string]any{"instance_url": s.org.URL()}), nil
}

// sandbox is a seeded fake org with a client and provider.
type sandbox struct {
	org      *sftest.Org
	client   *salesforce.Client
	provider *salesforce.Provider
	centers  []rotation.ContactCenter
	pinned   rotation.AppRef
	logs     *logBuffer
}

// newSandbox seeds an org with a default certificate, a native and a
// partner contact center following it, a pinned native one, a native one
// without Role attribute and a non-Amazon call center.
func newSandbox(t *testing.T, orgOpts ...sftest.Option) *sandbox {
	t.Helper()
	org := sftest.New(orgOpts...)
	t.Cleanup(org.Close)
	org.AddCertificate(defaultCert, 2048)
	org.SetDefaultCertificate(defaultCert)
	org.AddCertificate(pinnedCert, 2048)

	sb := &sandbox{org: org, logs: &logBuffer{}}
	add := func(seed sftest.ContactCenterSeed, tel rotation.Telephony, trust rotation.TrustRef) rotation.AppRef {
		id, login := org.AddContactCenter(seed)
		app := rotation.AppRef{ID: id, Name: seed.InternalName + "_Connected_App", Label: seed.DisplayName + " Connected App", LoginID: login}
		if tel != "" {
			sb.centers = append(sb.centers, rotation.ContactCenter{
				Name: seed.InternalName, DisplayName: seed.DisplayName, Telephony: tel, App: app, Trust: trust,
				RoleARN: seed.RoleARN, InstanceID: seed.InstanceID, Region: seed.Region,
			})
		}
		return app
	}
	trust := rotation.TrustRef{Account: acct, ARN: providerARN}
	add(sftest.ContactCenterSeed{InternalName: "Support_Voice", DisplayName: "Support Voice", Telephony: sftest.TelephonyNative,
		RoleARN: roleARN, ProviderARN: providerARN, InstanceID: "11111111-2222-3333-4444-555555555555", Region: "eu-west-2"}, rotation.TelephonyNative, trust)
	add(sftest.ContactCenterSeed{InternalName: "Sales_Voice", DisplayName: "Sales Voice", Telephony: sftest.TelephonyPartner,
		RoleARN: partnerRole, ProviderARN: partnerProv, InstanceID: "66666666-7777-8888-9999-000000000000", Region: "us-east-1"},
		rotation.TelephonyPartner, rotation.TrustRef{Account: acct, ARN: partnerProv})
	sb.pinned = add(sftest.ContactCenterSeed{InternalName: "Billing_Voice", DisplayName: "Billing Voice", Telephony: sftest.TelephonyNative, Pinned: true,
		RoleARN: roleARN, ProviderARN: providerARN, InstanceID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", Region: "eu-west-2"}, rotation.TelephonyNative, trust)
	require.NoError(t, org.SetAppCertificate(sb.pinned.Name, pinnedCert))
	add(sftest.ContactCenterSeed{InternalName: "Legacy_Voice", DisplayName: "Legacy Voice", Telephony: sftest.TelephonyNative,
		InstanceID: "ffffffff-0000-0000-0000-000000000000", Region: "ap-southeast-2"}, rotation.TelephonyNative, rotation.TrustRef{})
	add(sftest.ContactCenterSeed{InternalName: "Twilio_CC", DisplayName: "Twilio CC", Telephony: "twilio"}, "", rotation.TrustRef{})

	c, err := salesforce.NewClient(org.URL(), orgSource{org}, fastRetry, func(o *salesforce.Options) {
		o.HTTPClient = org.Client()
		o.Logger = sb.logs.logger()
	})
	require.NoError(t, err)
	sb.client = c
	sb.provider = salesforce.NewProvider(c, func(o *salesforce.ProviderOptions) {
		o.PollInterval = 10 * time.Millisecond
		o.Logger = sb.logs.logger()
	})
	return sb
}

func TestConformance(t *testing.T) {
	rotationtest.TestIdentityProvider(t, func(t *testing.T) rotationtest.IdPHarness {
		sb := newSandbox(t)
		return rotationtest.IdPHarness{
			IdP:            sb.provider,
			ContactCenters: sb.centers,
			Pinned:         sb.pinned,
			Admin: func(app rotation.AppRef, certName string) error {
				return sb.org.SetAppCertificate(app.Name, certName)
			},
			KeyBits:     2048,
			WaitTimeout: 5 * time.Second,
		}
	})
}
