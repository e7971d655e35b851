package sandbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/samlmeta"
)

// A second IAM provider in the first account trusts the org's entityID
// and no app names it: the rotation finds it (through the real aws
// backend's TrustsOf against iamtest), updates and verifies it.
func TestSecondProviderIsIncludedUpdatedAndVerified(t *testing.T) {
	w := start(t, sandbox.Options{ExtraProviders: []string{"ConsoleAccess"}})
	console := w.ExtraProviderARNs[0]
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	m, _, err := plan.Transitions(t.Context())
	require.NoError(t, err)
	require.Contains(t, m.Trusts, console)
	assert.True(t, m.Trusts[console].Unattached)
	assert.True(t, m.Trusts[console].InScope)

	st, err := rotate(t, w, rotation.StrategyOverlap)
	require.NoError(t, err)
	md, err := samlmeta.Parse(w.IAM.Document(console))
	require.NoError(t, err)
	certs, err := md.SigningCertificates()
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, st.New.SHA256, certs[0].SHA256, "the second provider trusts only the new certificate")
	assert.Equal(t, []rotation.TrustRef{{Account: w.Accounts[0], ARN: console}}, st.ExtraTrusts)
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
}

// Excluding it would leave it trusting only the old certificate while the
// apps that follow the default sign with the new one: refused in
// preflight, with no mutating call.
func TestExcludingTheSecondProviderIsRefused(t *testing.T) {
	w := start(t, sandbox.Options{ExtraProviders: []string{"ConsoleAccess"}})
	console := w.ExtraProviderARNs[0]
	initial := w.Snapshot()
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048), rotation.WithExcludeTrusts(console))
	require.NoError(t, err)
	r, err := rotation.New(plan.Steps(), rotation.WithConfirm(w.PlayAdmin), rotation.WithRetry(4, time.Millisecond, 10*time.Millisecond))
	require.NoError(t, err)
	err = r.Run(t.Context(), plan.NewState("exclude"))
	var xe *rotation.ExcludeError
	require.ErrorAs(t, err, &xe)
	assert.Contains(t, err.Error(), console)
	assert.Equal(t, initial, w.Snapshot())
	assert.Zero(t, w.IAM.CallCount("UpdateSAMLProvider"))
	for _, c := range w.Org.Calls() {
		assert.NotContains(t, []string{"createMetadata", "updateMetadata", "upsertMetadata", "deleteMetadata"}, c.Op, "no change to the org")
	}
}
