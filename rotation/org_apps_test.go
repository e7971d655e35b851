package rotation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationmock"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// The org world with SAML apps of no contact center: Tableau_SSO follows
// the org default, Wiki_SSO is pinned to West's certificate. Both are
// listed by a mocked AppLister that reads the fake identity provider, as a
// backend reads its org. Account 1 also holds Console, a second provider
// of the org's entity id that no app names, listed by a mocked
// TrustLister.
const (
	appTableau = "Tableau_SSO"
	appWiki    = "Wiki_SSO"
	arnConsole = "arn:aws:iam::111111111111:saml-provider/ConsoleAccess"
	arnTableau = "arn:aws:iam::333333333333:saml-provider/Tableau"
)

type listingIdP struct {
	rotation.IdentityProvider
	*rotationmock.MockAppLister
}

type listingRP struct {
	rotation.RelyingParty
	*rotationmock.MockTrustLister
}

// withApps returns an identity provider that also lists every SAML app of
// w's org: the contact centers' and the two others.
func withApps(t *testing.T, w *orgWorld, idp rotation.IdentityProvider) listingIdP {
	t.Helper()
	return withPinnableApps(t, w, idp, &pinBoard{})
}

// pinBoard is where a test's person pins Tableau_SSO.
type pinBoard struct {
	mu   sync.Mutex
	cert string
}

func (b *pinBoard) pin(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cert = name
}

func (b *pinBoard) pinned() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cert
}

// withPinnableApps is withApps whose Tableau_SSO is pinned to the
// certificate named on pins, once it names one.
func withPinnableApps(t *testing.T, w *orgWorld, idp rotation.IdentityProvider, pins *pinBoard) listingIdP {
	t.Helper()
	l := rotationmock.NewMockAppLister(gomock.NewController(t))
	l.EXPECT().SAMLApps(gomock.Any()).DoAndReturn(func(ctx context.Context) ([]rotation.SAMLApp, error) {
		sig, err := w.idp.SigningState(ctx)
		if err != nil {
			return nil, err
		}
		west, _ := w.idp.Certificate("West_Cert")
		west.DER = nil
		var apps []rotation.SAMLApp
		for _, cc := range []rotation.ContactCenter{orgNorth, orgSouth, orgWest} {
			a, _ := sig.App(cc.App.Name)
			apps = append(apps, rotation.SAMLApp{App: cc.App, Kind: rotation.AppConnected, Certificate: a.Certificate, Pinned: a.Pinned, ContactCenter: cc.Name})
		}
		tableau := rotation.SAMLApp{App: rotation.AppRef{Name: appTableau, Label: "Tableau"}, Kind: rotation.AppExternal, Certificate: sig.Default}
		if name := pins.pinned(); name != "" {
			tableau.Certificate, _ = w.idp.Certificate(name)
			tableau.Certificate.DER, tableau.Pinned = nil, true
		}
		return append(apps, tableau,
			rotation.SAMLApp{App: rotation.AppRef{Name: appWiki}, Kind: rotation.AppConnected, Certificate: west, Pinned: true}), nil
	}).AnyTimes()
	return listingIdP{IdentityProvider: idp, MockAppLister: l}
}

// withConsole adds Console to w's relying party, trusting the certificate
// named cert, and returns a relying party that lists the org's trusts.
func withConsole(t *testing.T, w *orgWorld, cert string) listingRP {
	t.Helper()
	c, _ := w.idp.Certificate(cert)
	require.NoError(t, w.rp.AddTrust(rotation.TrustRef{Account: "111111111111", ARN: arnConsole}, rotationtest.MetadataDocument(entityID, c.DER)))
	l := rotationmock.NewMockTrustLister(gomock.NewController(t))
	l.EXPECT().TrustsOf(gomock.Any(), []string{"111111111111"}, entityID).Return([]rotation.TrustRef{
		{Account: "111111111111", ARN: arnConsole}, orgNorth.Trust,
	}, nil).AnyTimes()
	l.EXPECT().TrustsOf(gomock.Any(), []string{"222222222222"}, entityID).Return([]rotation.TrustRef{orgWest.Trust}, nil).AnyTimes()
	return listingRP{RelyingParty: w.rp, MockTrustLister: l}
}

func appsPlan(t *testing.T, idp rotation.IdentityProvider, rp rotation.RelyingParty, opts ...rotation.OrgOption) *rotation.OrgPlan {
	t.Helper()
	p, err := rotation.NewOrgPlan(idp, rp, append([]rotation.OrgOption{rotation.WithKeyBits(2048)}, opts...)...)
	require.NoError(t, err)
	return p
}

// readOnlyIdP is the fake identity provider behind a mock that expects
// only reads: a mutating call fails the test.
func readOnlyIdP(t *testing.T, w *orgWorld) rotation.IdentityProvider {
	m := rotationmock.NewMockIdentityProvider(gomock.NewController(t))
	m.EXPECT().Name().Return(w.idp.Name()).AnyTimes()
	m.EXPECT().ContactCenters(gomock.Any()).DoAndReturn(w.idp.ContactCenters).AnyTimes()
	m.EXPECT().SigningState(gomock.Any()).DoAndReturn(w.idp.SigningState).AnyTimes()
	m.EXPECT().Metadata(gomock.Any(), gomock.Any()).DoAndReturn(w.idp.Metadata).AnyTimes()
	return m
}

func TestAffectedAppIsRefusedBeforeAnyChange(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	plan := appsPlan(t, withApps(t, w, readOnlyIdP(t, w)), w.rp)

	m, steps, err := plan.Transitions(t.Context())
	var ae *rotation.AffectedAppsError
	require.ErrorAs(t, err, &ae, "a plan refuses what a rotation would, and shows it")
	tab, ok := m.App(appTableau)
	require.True(t, ok, "the model has the app of no contact center")
	assert.Equal(t, rotation.ModelApp{App: rotation.AppRef{Name: appTableau, Label: "Tableau"}, Kind: rotation.AppExternal, Certificate: m.Default}, tab)
	north, _ := m.App(orgNorth.App.Name)
	assert.Equal(t, rotation.AppConnected, north.Kind)
	u := rotation.UsageOf(m, steps)
	assert.Equal(t, []string{appTableau}, u.Affected())

	err = w.rotator(t, plan).Run(t.Context(), plan.NewState("affected"))
	require.ErrorAs(t, err, &ae)
	require.ErrorIs(t, err, rotation.ErrRefused)
	assert.Equal(t, []string{appTableau}, ae.Apps, "the follower is named; the pinned app is not affected")
	assert.Contains(t, err.Error(), appTableau)
	assert.Equal(t, initial, w.snapshot())
}

func TestAcknowledgedAppIsChangedNotUpdated(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	plan := appsPlan(t, withApps(t, w, w.idp), w.rp, rotation.WithAcceptAffected(appTableau))
	st := plan.NewState("acknowledged")
	require.NoError(t, w.rotator(t, plan).Run(t.Context(), st))
	requireRotated(t, w, initial, st)
	assert.Equal(t, []rotation.AppRef{{Name: appTableau, Label: "Tableau"}}, st.Org.NotUpdated())

	again, err := rotation.OrgOptionsFrom(st)
	require.NoError(t, err)
	var o rotation.OrgOptions
	for _, fn := range again {
		fn(&o)
	}
	assert.Equal(t, []string{appTableau}, o.AcceptAffected, "the journal records the acknowledgement")
}

func TestAppRelyingPartyIsUpdatedAndVerified(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	old, _ := w.idp.Certificate("Old_Cert")
	tableau := rotationtest.NewRelyingParty(rotationtest.WithRPName("tableau"))
	ref := rotation.TrustRef{Account: "333333333333", ARN: arnTableau}
	require.NoError(t, tableau.AddTrust(ref, rotationtest.MetadataDocument(entityID, old.DER)))
	plan := appsPlan(t, withApps(t, w, w.idp), w.rp, rotation.WithAppRelyingParty(appTableau, tableau, ref))

	_, steps, err := plan.Transitions(t.Context())
	require.NoError(t, err)
	assert.Contains(t, trustsChanged(steps, rotation.StepTrust), arnTableau)

	st := plan.NewState("app-rp")
	require.NoError(t, w.rotator(t, plan).Run(t.Context(), st))
	requireRotated(t, w, initial, st)
	fps, err := rotationtest.MetadataFingerprints(tableau.Document(arnTableau))
	require.NoError(t, err)
	assert.Equal(t, []string{st.New.SHA256}, fps, "the app's trust holds the new certificate only")
	assert.Empty(t, st.Org.NotUpdated())
	assert.Equal(t, []rotation.ContactCenter{{DisplayName: "Tableau", App: rotation.AppRef{Name: appTableau, Label: "Tableau"}, Trust: ref}}, st.AppTargets)
}

func TestAppRelyingPartyVerificationFails(t *testing.T) {
	w := newOrgWorld(t)
	old, _ := w.idp.Certificate("Old_Cert")
	tableau := &refusingRP{rotationtest.NewRelyingParty()}
	ref := rotation.TrustRef{Account: "333333333333", ARN: arnTableau}
	require.NoError(t, tableau.AddTrust(ref, rotationtest.MetadataDocument(entityID, old.DER)))
	initial := w.snapshot()
	plan := appsPlan(t, withApps(t, w, w.idp), w.rp, rotation.WithAppRelyingParty(appTableau, tableau, ref))
	err := w.rotator(t, plan).Run(t.Context(), plan.NewState("app-rp-fails"))
	var ie *rotation.InvariantError
	require.ErrorAs(t, err, &ie, "the app's trust, read again before the switch, lacks the new certificate")
	require.Len(t, ie.Broken, 1)
	assert.Equal(t, rotation.Breakage{App: appTableau, Trust: arnTableau, Certificate: ie.Transition.To[0]}, ie.Broken[0])
	assert.Equal(t, initial, w.snapshot(), "rolled back")
}

// refusingRP accepts every document and keeps the old one: a service
// provider that does not apply what it is sent.
type refusingRP struct{ *rotationtest.RelyingParty }

func (r *refusingRP) SetTrust(context.Context, rotation.TrustRef, []byte) error { return nil }

func TestUnattachedTrustIsIncludedAndUpdated(t *testing.T) {
	w := newOrgWorld(t)
	rp := withConsole(t, w, "Old_Cert")
	initial := w.snapshot()
	plan := appsPlan(t, w.idp, rp)

	m, steps, err := plan.Transitions(t.Context())
	require.NoError(t, err)
	assert.True(t, m.Trusts[arnConsole].Unattached)
	assert.True(t, m.Trusts[arnConsole].InScope)
	assert.False(t, m.Trusts[arnOrg1].Unattached, "a trust an app names is not unattached")
	assert.Contains(t, trustsChanged(steps, rotation.StepTrust), arnConsole)
	assert.Contains(t, trustsChanged(steps, rotation.StepRetire), arnConsole)

	st := plan.NewState("console")
	require.NoError(t, w.rotator(t, plan).Run(t.Context(), st))
	delete(initial.RP, arnConsole)
	requireRotated(t, w, initial, st)
	fps, err := rotationtest.MetadataFingerprints(w.rp.Document(arnConsole))
	require.NoError(t, err)
	assert.Equal(t, []string{st.New.SHA256}, fps)
	assert.Equal(t, []rotation.TrustRef{{Account: "111111111111", ARN: arnConsole}}, st.ExtraTrusts)
}

func TestExcludingATrustThatWouldBreakIsRefused(t *testing.T) {
	for _, strategy := range []rotation.Strategy{rotation.StrategyOverlap, rotation.StrategyDirect} {
		t.Run(string(strategy), func(t *testing.T) {
			w := newOrgWorld(t)
			rp := withConsole(t, w, "Old_Cert")
			initial := w.snapshot()
			plan := appsPlan(t, w.idp, rp, rotation.WithExcludeTrusts(arnConsole), rotation.WithStrategy(strategy))
			err := w.rotator(t, plan).Run(t.Context(), plan.NewState("exclude"))
			var xe *rotation.ExcludeError
			require.ErrorAs(t, err, &xe)
			var ie *rotation.InvariantError
			require.ErrorAs(t, err, &ie, "the error names the change and what breaks")
			assert.Equal(t, rotation.TransitionDefault, ie.Transition.Kind)
			require.Len(t, ie.Broken, 1)
			assert.Equal(t, arnConsole, ie.Broken[0].Trust)
			assert.Equal(t, initial, w.snapshot())
		})
	}
}

func TestExcludingATrustThatBreaksNothingIsAllowed(t *testing.T) {
	w := newOrgWorld(t)
	rp := withConsole(t, w, "West_Cert") // not the default: no follower signs in through it
	initial := w.snapshot()
	plan := appsPlan(t, w.idp, rp, rotation.WithExcludeTrusts(arnConsole))
	st := plan.NewState("exclude-ok")
	require.NoError(t, w.rotator(t, plan).Run(t.Context(), st))
	assert.Equal(t, initial.RP[arnConsole], w.snapshot().RP[arnConsole], "the excluded trust is left alone")
	assert.Empty(t, st.ExtraTrusts)
}

func TestAppOptionsNameWhatExists(t *testing.T) {
	ref := rotation.TrustRef{Account: "333333333333", ARN: arnTableau}
	tableau := rotationtest.NewRelyingParty()
	require.NoError(t, tableau.AddTrust(ref, rotationtest.MetadataDocument(entityID, testCertDER(t))))
	for name, opt := range map[string]rotation.OrgOption{
		"unknown acknowledged":   rotation.WithAcceptAffected("Nope"),
		"unknown relying party":  rotation.WithAppRelyingParty("Nope", tableau, ref),
		"pinned relying party":   rotation.WithAppRelyingParty(appWiki, tableau, ref),
		"contact center app":     rotation.WithAcceptAffected(orgNorth.App.Name),
		"exclude a named trust":  rotation.WithExcludeTrusts(arnOrg1),
		"exclude unknown trust":  rotation.WithExcludeTrusts("arn:aws:iam::111111111111:saml-provider/Nope"),
		"acknowledged and an RP": nil,
	} {
		t.Run(name, func(t *testing.T) {
			w := newOrgWorld(t)
			if opt == nil {
				_, err := rotation.NewOrgPlan(w.idp, w.rp, rotation.WithAcceptAffected(appTableau), rotation.WithAppRelyingParty(appTableau, rotationtest.NewRelyingParty(), ref))
				require.ErrorIs(t, err, rotation.ErrInvalidInput)
				return
			}
			rp := withConsole(t, w, "Old_Cert")
			initial := w.snapshot()
			plan := appsPlan(t, withApps(t, w, w.idp), rp, opt, rotation.WithAcceptAffected(appTableau))
			err := w.rotator(t, plan).Run(t.Context(), plan.NewState("bad"))
			require.ErrorIs(t, err, rotation.ErrInvalidInput)
			assert.Equal(t, initial, w.snapshot())
		})
	}
	w := newOrgWorld(t)
	_, err := rotation.NewOrgPlan(w.idp, w.rp, rotation.WithAppRelyingParty(appTableau, nil, ref))
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
}

// trustsChanged returns the trusts the step of steps changes.
func trustsChanged(steps []rotation.StepTransitions, step string) []string {
	var arns []string
	for _, s := range steps {
		for _, tr := range s.Transitions {
			if s.Step == step && tr.Kind == rotation.TransitionTrust {
				arns = append(arns, tr.Resource)
			}
		}
	}
	return arns
}

// testCertDER is a certificate for a document that only needs to parse.
func testCertDER(t *testing.T) []byte {
	t.Helper()
	idp := rotationtest.NewIdentityProvider(rotationtest.WithKeyGenerator(rotationtest.CachedKey))
	c, err := idp.AddCertificate("Any", 2048)
	require.NoError(t, err)
	return c.DER
}

// WithPinAffected: preflight asks a person to pin the app to the current
// certificate, waits until it is, and the rotation then leaves it alone.
func TestAffectedAppPinnedByAPerson(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	pins := &pinBoard{}
	plan := appsPlan(t, withPinnableApps(t, w, w.idp, pins), w.rp, rotation.WithPinAffected(appTableau),
		rotation.WithOrgClock(nil, func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))

	m, steps, err := plan.Transitions(t.Context())
	require.NoError(t, err, "a plan does not refuse an app a person will pin")
	tab, _ := m.App(appTableau)
	assert.True(t, tab.ToPin)
	assert.Empty(t, rotation.UsageOf(m, steps).Affected())

	var asked []rotation.ManualRequest
	r := w.rotator(t, plan, rotation.WithConfirm(func(_ context.Context, req rotation.ManualRequest) error {
		asked = append(asked, req)
		for _, c := range req.Changes {
			if c.App.Name == appTableau {
				pins.pin(c.Certificate)
				continue
			}
			if err := w.idp.PinApp(c.App.Name, c.Certificate); err != nil {
				return err
			}
		}
		return nil
	}))
	st := plan.NewState("pin")
	require.NoError(t, r.Run(t.Context(), st))
	require.NotEmpty(t, asked)
	assert.Equal(t, rotation.StepPreflight, asked[0].Step)
	assert.Equal(t, []rotation.AppChange{{App: rotation.AppRef{Name: appTableau, Label: "Tableau"}, Certificate: "Old_Cert"}}, asked[0].Changes)
	tab, _ = st.Org.App(appTableau)
	assert.True(t, tab.Pinned, "preflight ran again once it was pinned")
	assert.Equal(t, initial.IdP.Certificates["Old_Cert"], tab.Certificate.SHA256)
	assert.Empty(t, st.Org.NotUpdated())
	requireRotated(t, w, initial, st)
}
