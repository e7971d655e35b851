package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// usageResult is the part of plan's and check's results this file reads.
type usageResult struct {
	Usage *rotation.Usage `json:"usage"`
}

// requireUsageSchema validates a usage view on its own against
// docs/schemas/usage.schema.json.
func requireUsageSchema(t *testing.T, u *rotation.Usage) {
	t.Helper()
	require.NotNil(t, u)
	b, err := json.Marshal(u)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	require.NoError(t, err)
	require.NoError(t, compiledSchemas(t)["usage"].Validate(inst), "%s", b)
}

// trustEffect returns the effect on arn of the certificate with fingerprint
// fp in u, or "".
func trustEffect(u *rotation.Usage, fp, arn string) (rotation.Effect, bool) {
	for _, c := range u.Certificates {
		for _, tr := range c.Trusts {
			if c.Certificate.SHA256 == fp && tr.Trust.ARN == arn {
				return tr.Effect, tr.Unattached
			}
		}
	}
	return "", false
}

// The sandbox's first account holds a second provider of the org's
// entityID that no app names: plan and check show it, with every app and
// trust of each certificate, in text and in JSON that validates against
// the usage schema.
func TestUsageViewInPlanAndCheck(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{ExtraProviders: []string{"ConsoleAccess"}})
	console := w.ExtraProviderARNs[0]
	before := w.Snapshot()

	out, stderr, code := cli(t, "", "plan", "--json")
	require.Equal(t, 0, code, stderr)
	var plan usageResult
	envelopeOf(t, out, "plan", &plan)
	requireUsageSchema(t, plan.Usage)
	def := plan.Usage.Certificates[0]
	require.True(t, def.Default)
	effect, unattached := trustEffect(plan.Usage, def.Certificate.SHA256, console)
	assert.Equal(t, rotation.EffectChanges, effect, "the second provider is updated")
	assert.True(t, unattached)
	var followers int
	for _, a := range def.Apps {
		assert.Equal(t, rotation.EffectChanges, a.Effect, a.App.Name)
		assert.True(t, a.Updated, a.App.Name)
		followers++
	}
	assert.Equal(t, 2, followers, "two contact centers follow the default")

	out, stderr, code = cli(t, "", "check", "--json")
	require.Equal(t, 1, code, "the pinned app makes check unhealthy: %s", stderr)
	var check usageResult
	envelopeOf(t, out, "check", &check)
	requireUsageSchema(t, check.Usage)
	assert.Equal(t, plan.Usage, check.Usage, "check shows the usage view of a full rotation")

	out, stderr, code = cli(t, "", "plan")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "Certificate usage")
	assert.Regexp(t, `trust `+console+` +changes +named by no app`, out)
	assert.Equal(t, before, w.Snapshot())
}

// --exclude-trust of the second provider would leave it trusting only the
// old certificate: plan shows it breaking and refuses, rotate refuses with
// no change.
func TestExcludeTrustThatBreaksIsRefused(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{ExtraProviders: []string{"ConsoleAccess"}, Pinned: -1})
	console := w.ExtraProviderARNs[0]
	before := w.Snapshot()

	out, _, code := cli(t, "", "plan", "--json", "--exclude-trust", console)
	require.Equal(t, exitNo, code)
	var plan usageResult
	env := envelopeOf(t, out, "plan", &plan)
	requireUsageSchema(t, plan.Usage)
	effect, _ := trustEffect(plan.Usage, plan.Usage.Certificates[0].Certificate.SHA256, console)
	assert.Equal(t, rotation.EffectBreaks, effect)
	require.NotNil(t, env.Error)
	assert.Contains(t, env.Error.Message, "cannot exclude "+console)

	out, stderr, code := cli(t, "", "rotate", "--yes", "--exclude-trust", console, "--journal-dir", t.TempDir())
	require.Equal(t, exitNo, code, "stdout %s", out)
	assert.Contains(t, stderr, "cannot exclude "+console)
	assert.Equal(t, before, w.Snapshot())
	for _, c := range w.IAM.Calls() {
		assert.NotEqual(t, "UpdateSAMLProvider", c.Op)
	}
	for _, c := range w.Org.Calls() {
		assert.NotContains(t, []string{"createMetadata", "updateMetadata", "upsertMetadata", "deleteMetadata"}, c.Op)
	}
}
