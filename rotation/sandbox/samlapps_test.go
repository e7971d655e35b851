package sandbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// An org whose contact centers sign in through External Client Apps, one
// following the default and one pinned, is discovered, rotated with the
// overlap strategy and verified, and no agent's sign-in fails on the way.
func TestRotationOfExternalClientAppContactCenters(t *testing.T) {
	w := start(t, sandbox.Options{ContactCenters: 3, Pinned: 1, ExternalContactCenters: 3, Latency: 2 * time.Millisecond})
	for _, cc := range w.ContactCenters {
		require.Equal(t, rotation.AppExternal, cc.Kind, cc.Name)
	}
	ccs, err := w.IdP.ContactCenters(t.Context())
	require.NoError(t, err)
	require.Len(t, ccs, 3)
	for i, cc := range ccs {
		assert.Equal(t, w.ContactCenters[i].App, cc.App.Name, "discovered through its External Client App")
		assert.Equal(t, w.ContactCenters[i].ProviderARN, cc.Trust.ARN)
	}

	probe := w.StartProbe(t.Context(), 2*time.Millisecond)
	st, err := rotate(t, w, rotation.StrategyOverlap)
	attempts, failures, first := probe.Stop()
	require.NoError(t, err)
	require.Positive(t, attempts)
	assert.Zero(t, failures, "first failure: %s", first)

	assert.Len(t, st.Apps, 3, "every External Client App in the rotation's scope")
	assert.True(t, st.Apps[w.ContactCenters[2].App].Pinned)
	require.Len(t, st.Verified, 3, "each contact center verified")
	for _, p := range st.Verified {
		assert.Equal(t, st.New.SHA256, p.SignedBy, p.App)
	}
	snap := w.Snapshot()
	assert.Equal(t, st.New.Name, snap.Org.DefaultCertificate)
	for _, cc := range w.ContactCenters {
		assert.Equal(t, st.New.Name, snap.Org.AppCertificates[cc.App], cc.App)
		require.NoError(t, w.Login(t.Context(), cc))
	}
}

// SAML apps of no contact center are seeded as asked and listed by the
// backend with their kind and signing.
func TestSeededSAMLApps(t *testing.T) {
	w := start(t, sandbox.Options{SAMLApps: 3, PinnedSAMLApps: 1, ExternalSAMLApps: 2, ExternalContactCenters: 1})
	require.Len(t, w.SAMLApps, 3)
	apps, err := w.IdP.SAMLApps(t.Context())
	require.NoError(t, err)
	byName := map[string]rotation.SAMLApp{}
	for _, a := range apps {
		byName[a.App.Name] = a
	}
	require.Len(t, byName, 6, "three contact centers' apps and three others")
	for _, s := range w.SAMLApps {
		a, ok := byName[s.Name]
		require.True(t, ok, s.Name)
		assert.Equal(t, s.Kind, a.Kind, s.Name)
		assert.Equal(t, s.Pinned, a.Pinned, s.Name)
		assert.Equal(t, s.EntityID, a.EntityID, s.Name)
		assert.Empty(t, a.ContactCenter, s.Name)
	}
	assert.Equal(t, rotation.AppExternal, byName["SAMLApp01"].Kind)
	assert.Equal(t, rotation.AppConnected, byName["SAMLApp03"].Kind)
	assert.True(t, byName["SAMLApp03"].Pinned)
	assert.Equal(t, w.ContactCenters[0].Name, byName[w.ContactCenters[0].App].ContactCenter)
	assert.Equal(t, rotation.AppExternal, byName[w.ContactCenters[0].App].Kind)

	_, err = sandbox.Start(t.Context(), sandbox.Options{SAMLApps: 1, PinnedSAMLApps: 2})
	assert.Error(t, err, "more pinned than SAML apps")
	_, err = sandbox.Start(t.Context(), sandbox.Options{ContactCenters: 2, ExternalContactCenters: 3})
	assert.Error(t, err, "more external contact centers than contact centers")
}
