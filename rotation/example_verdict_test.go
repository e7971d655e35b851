package rotation_test

import (
	"context"
	"fmt"
	"time"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// exampleOrg is a one-contact-center org whose trust holds its certificate.
func verdictExampleOrg() (*rotationtest.IdentityProvider, *rotationtest.RelyingParty) {
	idp := rotationtest.NewIdentityProvider(rotationtest.WithEntityID("https://example.my.salesforce.com"))
	c, err := idp.AddCertificate("SCV_IdP", 2048)
	if err != nil {
		panic(err)
	}
	if err := idp.UseDefault("SCV_IdP"); err != nil {
		panic(err)
	}
	trust := rotation.TrustRef{Account: "111111111111", ARN: "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"}
	idp.AddContactCenter(rotation.ContactCenter{Name: "North", App: rotation.AppRef{Name: "North_Connected_App"}, Trust: trust})
	rp := rotationtest.NewRelyingParty()
	if err := rp.AddTrust(trust, rotationtest.MetadataDocument("https://example.my.salesforce.com", c.DER)); err != nil {
		panic(err)
	}
	return idp, rp
}

// Structural verification checks that the IdP setting, every app and every
// IAM document agree on the certificates, and signs nothing in: each
// contact center's report says why no Response was checked and no
// verdict asked.
func ExampleWithStructuralVerification() {
	idp, rp := verdictExampleOrg()
	plan, err := rotation.NewOrgPlan(idp, rp, rotation.WithStructuralVerification(), rotation.WithLocalVerdictOnly())
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := plan.Verify(ctx)
	if err != nil {
		panic(err)
	}
	c := v.ContactCenters[0]
	fmt.Println(v.OK(), c.ContactCenter.Name)
	fmt.Println("local:", c.Local.Result)
	fmt.Println("verdict:", c.Verdict.Outcome)
	// Output:
	// true North
	// local: not-checked
	// verdict: not-asked
}
