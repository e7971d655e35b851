package evidence

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/samlmeta"
)

// The random test's world has, besides the contact centers, two SAML apps
// of no contact center that follow the org default, and a second IAM
// provider of the org's entityID in the first account that no app names
// (sandbox Options.ExtraProviders, found by the aws backend's TrustsOf).
//
// The fake org has no SAML apps but the contact centers', so the two apps
// are listed by appsIdP, a shim around the real salesforce backend that
// reads the org's default certificate through it: Wiki_SSO is acknowledged
// (changed, not updated), and Tableau_SSO's service provider is an
// in-memory relying party the rotation updates and verifies. An
// IdP-initiated login into Tableau_SSO is one into the first contact
// center's app, which follows the default too: its Response is signed by
// the same certificate.
const (
	appWiki    = "Wiki_SSO"
	appTableau = "Tableau_SSO"
	arnTableau = "urn:example:tableau:idp"
)

// randomWorldOptions are the random test's world options.
func randomWorldOptions() sandbox.Options {
	o := worldOptions()
	o.ExtraProviders = []string{"ConsoleAccess"}
	return o
}

// otherApps are the world's SAML apps of no contact center.
type otherApps struct {
	tableau  *rotationtest.RelyingParty
	trust    rotation.TrustRef
	follower rotation.AppRef
}

func newOtherApps(t testing.TB, w *world) *otherApps {
	t.Helper()
	doc, err := w.IdP.Metadata(context.Background(), rotation.AppRef{})
	require.NoError(t, err)
	first := w.ContactCenters[0]
	require.False(t, first.Pinned)
	a := &otherApps{tableau: rotationtest.NewRelyingParty(rotationtest.WithRPName("tableau")),
		trust: rotation.TrustRef{Account: "tableau", ARN: arnTableau}, follower: rotation.AppRef{Name: first.App, LoginID: first.LoginID}}
	require.NoError(t, a.tableau.AddTrust(a.trust, doc))
	return a
}

// options are the plan options that handle the two apps.
func (a *otherApps) options() []rotation.OrgOption {
	return []rotation.OrgOption{rotation.WithAcceptAffected(appWiki), rotation.WithAppRelyingParty(appTableau, a.tableau, a.trust)}
}

// idp wraps a salesforce backend of the world so that it lists the apps.
func (a *otherApps) idp(p *salesforce.Provider) rotation.IdentityProvider {
	return &appsIdP{Provider: p, apps: a}
}

// broken says why a sign-in through a trust the rotation must keep
// working fails: Tableau's trust and the second IAM provider must hold the
// org default, which the apps that follow it sign with. Wiki_SSO's service
// provider is not updated, by the operator's choice.
func (a *otherApps) broken(w *world) []string {
	snap := w.Snapshot()
	def := snap.Org.Certificates[snap.Org.DefaultCertificate]
	var out []string
	check := func(name string, doc []byte) {
		md, err := samlmeta.Parse(doc)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", name, err))
			return
		}
		certs, _ := md.SigningCertificates()
		if !slices.ContainsFunc(certs, func(c *samlmeta.Cert) bool { return c.SHA256 == def }) {
			out = append(out, name+" does not trust the org default the apps that follow it sign with")
		}
	}
	check(appTableau+"'s service provider", a.tableau.Document(arnTableau))
	for _, arn := range w.ExtraProviderARNs {
		check(arn, []byte(snap.IAM[arn]))
	}
	return out
}

type appsIdP struct {
	*salesforce.Provider
	apps *otherApps
}

// SAMLApps lists the two apps, both following the org default.
func (p *appsIdP) SAMLApps(ctx context.Context) ([]rotation.SAMLApp, error) {
	sig, err := p.SigningState(ctx)
	if err != nil {
		return nil, err
	}
	def := sig.Default
	def.DER = nil
	return []rotation.SAMLApp{
		{App: rotation.AppRef{Name: appWiki}, Kind: rotation.AppExternal, Certificate: def},
		{App: rotation.AppRef{Name: appTableau}, Kind: rotation.AppConnected, Certificate: def},
	}, nil
}

// SAMLResponse signs in to Tableau_SSO as to the follower.
func (p *appsIdP) SAMLResponse(ctx context.Context, app rotation.AppRef) (string, error) {
	if app.Name == appTableau {
		app = p.apps.follower
	}
	return p.Provider.SAMLResponse(ctx, app)
}

var _ rotation.AppLister = (*appsIdP)(nil)

// On the random test's world a full rotation over the real backends
// updates and verifies Tableau's trust and the second provider, and
// records Wiki_SSO as changed, not updated.
func TestOtherAppsAndSecondProviderRotate(t *testing.T) {
	w := newWorld(t, randomWorldOptions())
	apps := newOtherApps(t, w)
	plan, err := rotation.NewOrgPlan(apps.idp(w.IdP), w.RP, append(planOptions(apps.options()...), rotation.WithOrgLogger(w.logger))...)
	require.NoError(t, err)
	st := plan.NewState("other-apps")
	require.NoError(t, w.rotator(plan.Steps()).Run(context.Background(), st))
	require.Empty(t, apps.broken(w))
	for name, doc := range map[string][]byte{arnTableau: apps.tableau.Document(arnTableau), w.ExtraProviderARNs[0]: w.IAM.Document(w.ExtraProviderARNs[0])} {
		fps, err := rotationtest.MetadataFingerprints(doc)
		require.NoError(t, err)
		require.Equal(t, []string{st.New.SHA256}, fps, "%s trusts only the new certificate", name)
	}
	require.Equal(t, []rotation.AppRef{{Name: appWiki}}, st.Org.NotUpdated())
	require.True(t, slices.ContainsFunc(st.Verified, func(p rotation.SignInProof) bool { return p.App == appTableau }),
		"a signed Response verified against Tableau's trust")
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(context.Background(), cc), cc.Name)
	}
}

// Without the acknowledgement the rotation is refused before any change,
// naming the app.
func TestUnacknowledgedAppIsRefused(t *testing.T) {
	w := newWorld(t, randomWorldOptions())
	apps := newOtherApps(t, w)
	w.resetCalls()
	plan, err := rotation.NewOrgPlan(apps.idp(w.IdP), w.RP, append(planOptions(rotation.WithAppRelyingParty(appTableau, apps.tableau, apps.trust)), rotation.WithOrgLogger(w.logger))...)
	require.NoError(t, err)
	err = w.rotator(plan.Steps()).Run(context.Background(), plan.NewState("unacknowledged"))
	var ae *rotation.AffectedAppsError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, []string{appWiki}, ae.Apps)
	for _, c := range w.callLog() {
		require.False(t, c.mutating(), "no mutating call: %s", c)
	}
	require.Equal(t, w.initial, w.Snapshot())
}
