package mocktesting_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/voicecert/voicecert/examples/mocktesting"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// fakeOrg seeds the rotationtest fakes with an org whose default certificate
// is trusted by two contact centers' IAM providers.
func fakeOrg() (*rotationtest.IdentityProvider, *rotationtest.RelyingParty, rotation.Certificate, error) {
	idp := rotationtest.NewIdentityProvider(rotationtest.WithIdPName("00D000000000001EAA"),
		rotationtest.WithEntityID(entityID), rotationtest.WithKeyGenerator(rotationtest.CachedKey))
	rp := rotationtest.NewRelyingParty()
	old, err := idp.AddCertificate("SCV_IdP_2025", 2048)
	if err != nil {
		return nil, nil, old, err
	}
	if err := idp.UseDefault(old.Name); err != nil {
		return nil, nil, old, err
	}
	for _, cc := range []rotation.ContactCenter{east, west} {
		idp.AddContactCenter(cc)
		if err := rp.AddTrust(cc.Trust, rotationtest.MetadataDocument(entityID, old.DER)); err != nil {
			return nil, nil, old, err
		}
	}
	return idp, rp, old, nil
}

// A nightly job: check the org and renew what is due, then tell the team.
// Here the org is the rotationtest fakes and the clock is set 20 days before
// the certificate expires.
func ExampleRenewIfDue() {
	idp, rp, old, err := fakeOrg()
	if err != nil {
		panic(err)
	}
	renewer := mocktesting.OrgRenewer{IdP: idp, RP: rp, ID: "nightly1",
		Plan: []rotation.OrgOption{rotation.WithKeyBits(2048)}}
	now := func() time.Time { return old.NotAfter.Add(-20 * 24 * time.Hour) }

	d, err := mocktesting.RenewIfDue(context.Background(), idp, rp, renewer,
		mocktesting.WithClock(now), mocktesting.WithRenewBefore(30*24*time.Hour))
	if err != nil {
		panic(err)
	}
	for _, why := range d.Due {
		// The expiry date depends on when the fake certificate was made.
		cert, rest, _ := strings.Cut(why, " expires on ")
		_, left, _ := strings.Cut(rest, ", ")
		fmt.Println("due:", cert, "expires", left)
	}
	fmt.Println("renewed:", d.Renewed, "- org default now:", idp.Snapshot().DefaultCertificate)
	// Output:
	// due: org default: certificate SCV_IdP_2025 expires in 20 days
	// renewed: true - org default now: voicecert_nightly1
}

// Decision.Message is the chat message of a decision.
func ExampleDecision_Message() {
	d := mocktesting.Decision{
		Due:     []string{"org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 20 days"},
		Renewed: true,
	}
	fmt.Println(d.Message())
	// Output:
	// Renewed the SAML signing certificate: org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 20 days.
}
