package rotationtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

const (
	entityID = "https://acme.my.salesforce.com"
	arnA     = "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"
)

var (
	ccFollow = rotation.ContactCenter{Name: "CC_East", Telephony: rotation.TelephonyNative,
		App:   rotation.AppRef{Name: "CC_East_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: arnA}}
	ccPinned = rotation.ContactCenter{Name: "CC_West", Telephony: rotation.TelephonyPartner,
		App: rotation.AppRef{Name: "CC_West_Connected_App"}}
)

func newIdP(t *testing.T) *rotationtest.IdentityProvider {
	t.Helper()
	p := rotationtest.NewIdentityProvider(rotationtest.WithKeyGenerator(rotationtest.CachedKey), rotationtest.WithEntityID(entityID))
	_, err := p.AddCertificate("Old_Cert", 2048)
	require.NoError(t, err)
	require.NoError(t, p.UseDefault("Old_Cert"))
	_, err = p.AddCertificate("Pinned_Cert", 2048)
	require.NoError(t, err)
	p.AddContactCenter(ccFollow)
	p.AddContactCenter(ccPinned)
	require.NoError(t, p.PinApp(ccPinned.App.Name, "Pinned_Cert"))
	return p
}

func certDER(t *testing.T, name string) []byte {
	t.Helper()
	key, err := rotationtest.CachedKey(2048)
	require.NoError(t, err)
	c, err := rotationtest.NewCertificate(name, name, key, testNow)
	require.NoError(t, err)
	return c.DER
}

func newRP(t *testing.T) *rotationtest.RelyingParty {
	t.Helper()
	p := rotationtest.NewRelyingParty()
	require.NoError(t, p.AddTrust(ccFollow.Trust, rotationtest.MetadataDocument(entityID, certDER(t, "seed"))))
	return p
}

func TestIdentityProviderConformance(t *testing.T) {
	rotationtest.TestIdentityProvider(t, func(t *testing.T) rotationtest.IdPHarness {
		p := newIdP(t)
		return rotationtest.IdPHarness{
			IdP:            p,
			ContactCenters: []rotation.ContactCenter{ccFollow, ccPinned},
			Pinned:         ccPinned.App,
			Admin:          func(app rotation.AppRef, cert string) error { return p.PinApp(app.Name, cert) },
		}
	})
}

func TestRelyingPartyConformance(t *testing.T) {
	rotationtest.TestRelyingParty(t, func(t *testing.T) rotationtest.RPHarness {
		return rotationtest.RPHarness{
			RP:    newRP(t),
			Trust: ccFollow.Trust,
			Replacement: func(t *testing.T) []byte {
				return rotationtest.MetadataDocument(entityID, certDER(t, "replacement"))
			},
		}
	})
}

func TestFailCall(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("boom")
	p := newIdP(t)
	before := p.Snapshot()

	p.FailCall("SetDefaultCertificate", 2, boom)
	require.NoError(t, p.SetDefaultCertificate(ctx, "Pinned_Cert"), "first call passes")
	require.ErrorIs(t, p.SetDefaultCertificate(ctx, "Old_Cert"), boom, "second call fails")
	assert.Equal(t, "Pinned_Cert", p.Snapshot().DefaultCertificate, "a failed call changes nothing")
	require.NoError(t, p.SetDefaultCertificate(ctx, "Old_Cert"), "a fault fires once")
	assert.Equal(t, before, p.Snapshot())

	p.FailCall(rotationtest.Any, 1, boom)
	_, err := p.SigningState(ctx)
	require.NoError(t, err, "reads do not count for Any")
	_, err = p.CreateCertificate(ctx, rotation.CertificateSpec{Name: "N", KeyBits: 2048})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, before, p.Snapshot(), "failed create made nothing")

	calls := p.Calls()
	require.Len(t, calls, 5)
	assert.Equal(t, rotationtest.Call{Method: "CreateCertificate", Arg: "N"}, calls[4])
	assert.Equal(t, 4, p.MutatingCalls())
}

func TestOnCall(t *testing.T) {
	p := newRP(t)
	ctx, cancel := context.WithCancel(t.Context())
	p.OnCall(func(ctx context.Context, c rotationtest.Call) error {
		if c.Method == "SetTrust" {
			cancel()
		}
		return nil
	})
	before := p.Snapshot()
	_, err := p.Trust(ctx, ccFollow.Trust)
	require.NoError(t, err)
	err = p.SetTrust(ctx, ccFollow.Trust, rotationtest.MetadataDocument(entityID, certDER(t, "x")))
	require.ErrorIs(t, err, context.Canceled, "a cancelled context fails the call")
	assert.Equal(t, before, p.Snapshot())

	p.OnCall(func(context.Context, rotationtest.Call) error { panic("injected") })
	assert.PanicsWithValue(t, "injected", func() { _, _ = p.Trust(t.Context(), ccFollow.Trust) })
	p.OnCall(nil)
	_, err = p.Trust(t.Context(), ccFollow.Trust)
	assert.NoError(t, err, "a panicking hook left no lock held")
}

func TestIdentityProviderRefuses(t *testing.T) {
	ctx := t.Context()
	p := newIdP(t)
	before := p.Snapshot()
	_, err := p.CreateCertificate(ctx, rotation.CertificateSpec{Name: "Small", KeyBits: 1024})
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "Salesforce sizes only")
	_, err = p.CreateCertificate(ctx, rotation.CertificateSpec{KeyBits: 2048})
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "a name is required")
	assert.ErrorIs(t, p.DeleteCertificate(ctx, "Old_Cert"), rotation.ErrInvalidInput, "the default is in use")
	assert.ErrorIs(t, p.DeleteCertificate(ctx, "Pinned_Cert"), rotation.ErrInvalidInput, "a pinned cert is in use")
	assert.ErrorIs(t, p.SetAppCertificate(ctx, rotation.AppRef{Name: "nope"}, "Old_Cert"), rotation.ErrNotFound)
	assert.ErrorIs(t, p.SetAppCertificate(ctx, ccPinned.App, "nope"), rotation.ErrNotFound)
	_, err = p.Metadata(ctx, rotation.AppRef{Name: "nope"})
	assert.ErrorIs(t, err, rotation.ErrNotFound)
	assert.ErrorIs(t, p.PinApp("nope", "Old_Cert"), rotation.ErrNotFound)
	assert.ErrorIs(t, p.PinApp(ccPinned.App.Name, "nope"), rotation.ErrNotFound)
	assert.ErrorIs(t, p.FollowDefault("nope"), rotation.ErrNotFound)
	assert.ErrorIs(t, p.UseDefault("nope"), rotation.ErrNotFound)
	assert.Equal(t, before, p.Snapshot())

	require.NoError(t, p.FollowDefault(ccPinned.App.Name))
	assert.Equal(t, "Old_Cert", p.Snapshot().AppCertificates[ccPinned.App.Name], "unpinned app follows the default")
	assert.NoError(t, p.DeleteCertificate(ctx, "Pinned_Cert"), "no longer in use")

	empty := rotationtest.NewIdentityProvider()
	_, err = empty.Metadata(ctx, rotation.AppRef{})
	assert.ErrorIs(t, err, rotation.ErrNotFound, "no default certificate")
}

func TestRelyingPartyRefuses(t *testing.T) {
	ctx := t.Context()
	p := newRP(t)
	before := p.Snapshot()
	other := rotationtest.MetadataDocument("https://other.my.salesforce.com", certDER(t, "x"))
	assert.ErrorIs(t, p.SetTrust(ctx, ccFollow.Trust, other), rotation.ErrInvalidInput, "entityID must not change")
	wrongAccount := rotation.TrustRef{Account: "222222222222", ARN: arnA}
	_, err := p.Trust(ctx, wrongAccount)
	assert.ErrorIs(t, err, rotation.ErrNotFound, "ARN in another account")
	assert.Error(t, p.AddTrust(rotation.TrustRef{ARN: "x"}, []byte("<x/>")), "seeds are validated")
	assert.Equal(t, before, p.Snapshot())
	assert.Equal(t, []string{arnA}, p.Trusts())
	assert.Equal(t, before[arnA], string(p.Document(arnA)))
	assert.Nil(t, p.Document("nope"))
}
