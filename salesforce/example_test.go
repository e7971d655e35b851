package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// exampleOrg starts a fake org with two Amazon Connect contact centers, one
// of whose connected apps names its own IdP certificate.
func exampleOrg() *sftest.Org {
	org := sftest.New()
	org.AddCertificate("Org_IdP_2025", 2048)
	org.SetDefaultCertificate("Org_IdP_2025")
	org.AddCertificate("Billing_IdP_2025", 2048)
	org.AddContactCenter(sftest.ContactCenterSeed{
		InternalName: "Support_Voice", DisplayName: "Support Voice", Telephony: sftest.TelephonyNative,
		RoleARN:     "arn:aws:iam::123456789012:role/Support-SAMLRole",
		ProviderARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp",
		InstanceID:  "11111111-2222-3333-4444-555555555555", Region: "eu-west-2",
	})
	org.AddContactCenter(sftest.ContactCenterSeed{
		InternalName: "Billing_Voice", DisplayName: "Billing Voice", Telephony: sftest.TelephonyPartner, Pinned: true,
		RoleARN:     "arn:aws:iam::123456789012:role/Billing-SAMLRole",
		ProviderARN: "arn:aws:iam::123456789012:saml-provider/SalesforceVoiceIdp_00D000000000001",
		InstanceID:  "66666666-7777-8888-9999-000000000000", Region: "us-east-1",
	})
	_ = org.SetAppCertificate("Billing_Voice_Connected_App", "Billing_IdP_2025")
	return org
}

// A client for an org, with a token from any oauth2.TokenSource. In a
// program the URL is the org's My Domain and the token source one of
// StaticToken, JWTBearer, ClientCredentials or CLI.
func ExampleNewClient() {
	org := exampleOrg()
	defer org.Close()

	c, err := salesforce.NewClient(org.URL(), salesforce.StaticToken(org.URL(), org.AccessToken()),
		func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	if err != nil {
		fmt.Println(err)
		return
	}
	files, err := c.ListMetadata(context.Background(), salesforce.TypeCallCenter)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.FullName)
	}
	// Unordered output:
	// Support_Voice
	// Billing_Voice
}

// Discovery: each Amazon Connect contact center with its connected app and
// the IAM SAML provider that trusts it.
func ExampleProvider_ContactCenters() {
	org := exampleOrg()
	defer org.Close()
	c, _ := salesforce.NewClient(org.URL(), salesforce.StaticToken(org.URL(), org.AccessToken()),
		func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	p := salesforce.NewProvider(c)

	centers, err := p.ContactCenters(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cc := range centers {
		fmt.Printf("%s (%s, %s): app %s, trust %s\n", cc.Name, cc.Telephony, cc.Region, cc.App.Name, cc.Trust.ARN)
	}
	// Output:
	// Billing_Voice (partner, us-east-1): app Billing_Voice_Connected_App, trust arn:aws:iam::123456789012:saml-provider/SalesforceVoiceIdp_00D000000000001
	// Support_Voice (native, eu-west-2): app Support_Voice_Connected_App, trust arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp
}

// Rotating the org's IdP certificate: apps that follow the default move with
// it; an app that names its own certificate needs a person, whom the
// ManualActionError instructs and whose change Wait observes.
func ExampleProvider_SetAppCertificate() {
	org := exampleOrg()
	defer org.Close()
	c, _ := salesforce.NewClient(org.URL(), salesforce.StaticToken(org.URL(), org.AccessToken()),
		func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	p := salesforce.NewProvider(c, func(o *salesforce.ProviderOptions) { o.PollInterval = 10 * time.Millisecond })
	ctx := context.Background()

	name, label := salesforce.CertificateName("", time.Date(2026, 3, 15, 8, 30, 0, 0, time.UTC))
	cert, err := p.CreateCertificate(ctx, rotation.CertificateSpec{Name: name, Label: label, KeyBits: 2048})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.SetDefaultCertificate(ctx, cert.Name); err != nil {
		fmt.Println(err)
		return
	}
	st, _ := p.SigningState(ctx)
	for _, a := range st.Apps {
		err := p.SetAppCertificate(ctx, a.App, cert.Name)
		var manual *rotation.ManualActionError
		switch {
		case errors.As(err, &manual):
			fmt.Println(a.App.Name, "->", manual.Action)
			go func() { _ = org.SetAppCertificate(manual.App.Name, manual.Certificate) }() // the admin acts
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			fmt.Println("wait:", manual.Wait(wctx))
			cancel()
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Println(a.App.Name, "follows the default")
		}
	}
	// Output:
	// Billing_Voice_Connected_App -> set the IdP certificate of connected app "Billing Voice Connected App" to "SCV_IdP_20260315_083000"
	// wait: <nil>
	// Support_Voice_Connected_App follows the default
}

func ExampleCertificateName() {
	name, label := salesforce.CertificateName("", time.Date(2026, 3, 15, 8, 30, 0, 0, time.UTC))
	fmt.Println(name)
	fmt.Println(label)
	name, label = salesforce.CertificateName("Voice IdP {date}", time.Date(2026, 3, 15, 8, 30, 0, 0, time.UTC))
	fmt.Println(name)
	fmt.Println(label)
	// Output:
	// SCV_IdP_20260315_083000
	// SCV IdP 2026-03-15 08:30:00
	// Voice_IdP_20260315
	// Voice IdP 2026-03-15
}

func ExampleRoleARNs() {
	role, provider, err := salesforce.RoleARNs("'arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp,arn:aws:iam::123456789012:role/Support-SAMLRole'")
	fmt.Println(role)
	fmt.Println(provider)
	fmt.Println(err)
	// Output:
	// arn:aws:iam::123456789012:role/Support-SAMLRole
	// arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp
	// <nil>
}

func ExampleIsJWTFormat() {
	fmt.Println(salesforce.IsJWTFormat("00D000000000001!AQ4AQExampleSessionId"))
	fmt.Println(salesforce.IsJWTFormat("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"))
	// Output:
	// false
	// true
}

// Every SAML service provider of the org that signs with its IdP
// certificate: the contact centers' apps and the others, connected apps and
// External Client Apps, following the default or pinned.
func ExampleProvider_SAMLApps() {
	org := exampleOrg()
	defer org.Close()
	org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Okta_Workforce"})
	org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Tableau", External: true})
	_ = org.SetAppCertificate("Tableau", "Billing_IdP_2025")

	c, err := salesforce.NewClient(org.URL(), salesforce.StaticToken(org.URL(), org.AccessToken()),
		func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	if err != nil {
		fmt.Println(err)
		return
	}
	apps, err := salesforce.NewProvider(c).SAMLApps(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range apps {
		fmt.Printf("%s %s signs with %s pinned=%v contact center=%q\n", a.Kind, a.App.Name, a.Certificate.Name, a.Pinned, a.ContactCenter)
	}
	// Output:
	// connectedApp Billing_Voice_Connected_App signs with Billing_IdP_2025 pinned=true contact center="Billing_Voice"
	// connectedApp Okta_Workforce signs with Org_IdP_2025 pinned=false contact center=""
	// connectedApp Support_Voice_Connected_App signs with Org_IdP_2025 pinned=false contact center="Support_Voice"
	// externalClientApp Tableau signs with Billing_IdP_2025 pinned=true contact center=""
}
