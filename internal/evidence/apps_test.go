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
	"github.com/voicecert/voicecert/samlmeta"
)

// The random test's world has, besides the contact centers, two SAML apps
// of no contact center in the fake org that follow the org default
// (sandbox Options.SAMLApps), and a second IAM provider of the org's
// entityID in the first account that no app names (Options.ExtraProviders,
// found by the aws backend's TrustsOf). The real salesforce backend lists
// the apps (Provider.SAMLApps): the first, an External Client App, is
// acknowledged (changed, not updated); the second, a connected app, has an
// in-memory relying party for its service provider that the rotation
// updates and verifies. The backend lists no login id for an app of no
// contact center, so the rotation verifies that trust structurally; the
// test itself signs in to the app with the login id the fake org seeded
// and checks the Response against the service provider's document.
const arnSP = "urn:example:sp02:idp"

// randomWorldOptions are the random test's world options.
func randomWorldOptions() sandbox.Options {
	o := worldOptions()
	o.SAMLApps, o.ExternalSAMLApps = 2, 1
	o.ExtraProviders = []string{"ConsoleAccess"}
	return o
}

// otherApps are the world's SAML apps of no contact center.
type otherApps struct {
	acknowledged, updated sandbox.SAMLApp
	sp                    *rotationtest.RelyingParty
	trust                 rotation.TrustRef
}

func newOtherApps(t testing.TB, w *world) *otherApps {
	t.Helper()
	require.Len(t, w.SAMLApps, 2)
	a := &otherApps{acknowledged: w.SAMLApps[0], updated: w.SAMLApps[1],
		sp: rotationtest.NewRelyingParty(rotationtest.WithRPName("sp02")), trust: rotation.TrustRef{Account: "sp02", ARN: arnSP}}
	require.Equal(t, rotation.AppExternal, a.acknowledged.Kind)
	require.False(t, a.acknowledged.Pinned || a.updated.Pinned)
	doc, err := w.IdP.Metadata(context.Background(), rotation.AppRef{Name: a.updated.Name})
	require.NoError(t, err)
	require.NoError(t, a.sp.AddTrust(a.trust, doc))
	return a
}

// options are the plan options that handle the two apps.
func (a *otherApps) options() []rotation.OrgOption {
	return []rotation.OrgOption{rotation.WithAcceptAffected(a.acknowledged.Name), a.relyingParty()}
}

// relyingParty is the option that supplies the second app's relying party.
func (a *otherApps) relyingParty() rotation.OrgOption {
	return rotation.WithAppRelyingParty(a.updated.Name, a.sp, a.trust)
}

// broken says why a sign-in through a trust the rotation must keep
// working fails: a Response the org signs for the second app must verify
// against its service provider's document, and the second IAM provider
// must hold the org default, which the apps that follow it sign with. The
// first app's service provider is not updated, by the operator's choice.
func (a *otherApps) broken(w *world) []string {
	var out []string
	ctx := context.Background()
	resp, err := w.IdP.SAMLResponse(ctx, rotation.AppRef{Name: a.updated.Name, LoginID: a.updated.LoginID})
	if err != nil {
		out = append(out, fmt.Sprintf("sign-in to %s at the org: %v", a.updated.Name, err))
	} else if _, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), a.sp.Document(arnSP), samlmeta.WithAudience(a.updated.EntityID)); err != nil {
		out = append(out, fmt.Sprintf("sign-in to %s refused by its service provider: %v", a.updated.Name, err))
	}
	snap := w.Snapshot()
	def := snap.Org.Certificates[snap.Org.DefaultCertificate]
	for _, arn := range w.ExtraProviderARNs {
		md, err := samlmeta.Parse([]byte(snap.IAM[arn]))
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", arn, err))
			continue
		}
		certs, _ := md.SigningCertificates()
		if !slices.ContainsFunc(certs, func(c *samlmeta.Cert) bool { return c.SHA256 == def }) {
			out = append(out, arn+" does not trust the org default the apps that follow it sign with")
		}
	}
	return out
}

// On the random test's world a full rotation over the real backends
// updates and verifies the second app's trust and the second provider,
// and records the first app as changed, not updated.
func TestOtherAppsAndSecondProviderRotate(t *testing.T) {
	w := newWorld(t, randomWorldOptions())
	apps := newOtherApps(t, w)
	require.Empty(t, apps.broken(w), "before the rotation")
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, append(planOptions(apps.options()...), rotation.WithOrgLogger(w.logger))...)
	require.NoError(t, err)
	st := plan.NewState("other-apps")
	require.NoError(t, w.rotator(plan.Steps()).Run(context.Background(), st))
	require.Empty(t, apps.broken(w))
	for name, doc := range map[string][]byte{arnSP: apps.sp.Document(arnSP), w.ExtraProviderARNs[0]: w.IAM.Document(w.ExtraProviderARNs[0])} {
		fps, err := rotationtest.MetadataFingerprints(doc)
		require.NoError(t, err)
		require.Equal(t, []string{st.New.SHA256}, fps, "%s trusts only the new certificate", name)
	}
	require.Equal(t, []string{apps.acknowledged.Name}, appNames(st.Org.NotUpdated()))
	require.True(t, slices.ContainsFunc(st.AppTargets, func(c rotation.ContactCenter) bool { return c.App.Name == apps.updated.Name }),
		"the second app's trust is a target of the rotation")
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
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, append(planOptions(apps.relyingParty()), rotation.WithOrgLogger(w.logger))...)
	require.NoError(t, err)
	err = w.rotator(plan.Steps()).Run(context.Background(), plan.NewState("unacknowledged"))
	var ae *rotation.AffectedAppsError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, []string{apps.acknowledged.Name}, ae.Apps)
	for _, c := range w.callLog() {
		require.False(t, c.mutating(), "no mutating call: %s", c)
	}
	require.Equal(t, w.initial, w.Snapshot())
}

func appNames(refs []rotation.AppRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name)
	}
	return out
}
