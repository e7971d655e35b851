package main

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// requireNoMutation asserts that neither fake saw a mutating call and that
// the world is as it was.
func requireNoMutation(t *testing.T, w *sandbox.World, before sandbox.Snapshot) {
	t.Helper()
	for _, c := range w.IAM.Calls() {
		assert.NotEqual(t, "UpdateSAMLProvider", c.Op)
	}
	for _, c := range w.Org.Calls() {
		assert.NotContains(t, []string{"createMetadata", "updateMetadata", "upsertMetadata", "deleteMetadata"}, c.Op)
	}
	assert.Equal(t, before, w.Snapshot())
}

// appEffect returns what the usage view says the rotation does to app.
func appEffect(u *rotation.Usage, app string) (rotation.AppUsage, bool) {
	for _, c := range u.Certificates {
		for _, a := range c.Apps {
			if a.App.Name == app {
				return a, true
			}
		}
	}
	return rotation.AppUsage{}, false
}

// A sandbox org with one SAML app of no contact center that follows the
// default: plan and check list it as affected; rotate refuses, naming it,
// with no change; acknowledged, the rotation completes and reports it as
// changed, not updated.
func TestAffectedAppRefusedUnlessAcknowledged(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1, SAMLApps: 1})
	require.Len(t, w.SAMLApps, 1)
	app := w.SAMLApps[0].Name
	before := w.Snapshot()

	out, stderr, code := cli(t, "", "plan", "--json")
	require.Equal(t, exitNo, code, "plan refuses what rotate would: %s", stderr)
	var plan usageResult
	envelopeOf(t, out, "plan", &plan)
	requireUsageSchema(t, plan.Usage)
	assert.Equal(t, []string{app}, plan.Usage.Affected())
	a, ok := appEffect(plan.Usage, app)
	require.True(t, ok, "the usage view lists %s", app)
	assert.Equal(t, rotation.EffectBreaks, a.Effect, "its service provider would not trust what it signs with")
	assert.False(t, a.Updated)
	assert.Empty(t, a.ContactCenter)

	out, stderr, code = cli(t, "", "check", "--json")
	require.Equal(t, 0, code, "the org itself is healthy: %s", stderr)
	var check usageResult
	envelopeOf(t, out, "check", &check)
	requireUsageSchema(t, check.Usage)
	assert.Equal(t, []string{app}, check.Usage.Affected())

	for _, cmd := range []string{"plan", "check"} {
		out, _, _ = cli(t, "", cmd)
		assert.Contains(t, out, "! Affected, not updated: "+app, cmd)
		assert.Regexp(t, `app +`+app+` +breaks +no contact center`, out, cmd)
	}
	requireNoMutation(t, w, before)

	out, stderr, code = cli(t, "", "rotate", "--yes", "--journal-dir", t.TempDir())
	require.Equal(t, exitNo, code, "stdout %s", out)
	assert.Contains(t, stderr, app)
	requireNoMutation(t, w, before)

	out, stderr, code = cli(t, "", "rotate", "--yes", "--json", "--accept-affected", app, "--journal-dir", t.TempDir())
	require.Equal(t, 0, code, "stderr %s", stderr)
	var res runResult
	envelopeOf(t, out, "rotate", &res)
	assert.Equal(t, "rotated", res.Outcome)
	assert.Equal(t, []string{app}, res.ChangedNotUpdated)
	requireSandboxRotated(t, w, before)
}

// The text summary of an acknowledged rotation names the app.
func TestAcknowledgedAppInTextSummary(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1, SAMLApps: 1})
	app := w.SAMLApps[0].Name
	out, stderr, code := cli(t, "", "rotate", "--yes", "--accept-affected", app, "--journal-dir", t.TempDir())
	require.Equal(t, 0, code, "stderr %s", stderr)
	assert.Contains(t, out, "Changed, not updated (acknowledged): "+app)
}

// Through the SDK, with a relying party supplied for the app, the rotation
// updates the app's trust and verifies it.
func TestAffectedAppWithRelyingPartyIsUpdated(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1, SAMLApps: 1})
	app := w.SAMLApps[0].Name
	before := w.Snapshot()
	idpDoc, err := w.IdP.Metadata(t.Context(), rotation.AppRef{Name: app})
	require.NoError(t, err)
	sp := rotationtest.NewRelyingParty(rotationtest.WithRPName("sp"))
	trust := rotation.TrustRef{Account: "sp", ARN: "urn:example:sp01:idp"}
	require.NoError(t, sp.AddTrust(trust, idpDoc))

	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithAppRelyingParty(app, sp, trust))
	require.NoError(t, err)
	st := plan.NewState("sp")
	r, err := rotation.New(plan.Steps())
	require.NoError(t, err)
	require.NoError(t, r.Run(t.Context(), st))
	fps, err := rotationtest.MetadataFingerprints(sp.Document(trust.ARN))
	require.NoError(t, err)
	assert.Equal(t, []string{st.New.SHA256}, fps, "the app's service provider trusts only the new certificate")
	assert.Empty(t, st.Org.NotUpdated())
	requireSandboxRotated(t, w, before)
	assert.True(t, slices.ContainsFunc(st.AppTargets, func(c rotation.ContactCenter) bool { return c.App.Name == app && c.Trust == trust }),
		"the app's trust is a target of the rotation")
}
