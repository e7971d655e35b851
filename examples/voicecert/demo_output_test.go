package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two whole demos")
	}
	for _, tc := range []struct {
		strategy     string
		wantFailures bool
	}{{"overlap", false}, {"direct", true}} {
		t.Run(tc.strategy, func(t *testing.T) {
			out, stderr, code := cli(t, "", "demo", "--json", "--strategy", tc.strategy)
			require.Equal(t, 0, code, stderr)
			var res demoResult
			envelopeOf(t, out, "demo", &res)
			assert.Equal(t, "success", res.Result)
			assert.Equal(t, tc.strategy, res.Strategy)
			assert.Equal(t, 3, res.ContactCenters)
			assert.Equal(t, 1, res.ManualGates)
			assert.True(t, res.Verified)
			// Enough sign-ins to see the direct strategy's outage (asserted below);
			// how many fit in a rotation depends on the machine's load.
			assert.GreaterOrEqual(t, res.SSOProbe.Attempts, 40)
			assert.Positive(t, res.ElapsedMs)
			assert.Equal(t, 4096, res.New.KeyBits)
			if tc.wantFailures {
				assert.Positive(t, res.SSOProbe.Failures, "the seed's order has an outage")
			} else {
				assert.Zero(t, res.SSOProbe.Failures, res.SSOProbe.FirstFailure)
			}
		})
	}
}

func TestDemoNarrative(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole demo")
	}
	out, stderr, code := cli(t, "", "demo", "--contact-centers", "2", "--accounts", "1")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"== check", "== plan", "== rotate", "(demo) playing the Salesforce admin", "== verify", "SSO probe:", "0 failed",
		"AWS verdict (old certificate, after trust): 2 accepted, 0 rejected, 0 not asked.",
		"AWS verdict (new certificate, after activate): 2 accepted, 0 rejected, 0 not asked.", "verify     Responses signed with the new certificate"} {
		assert.Contains(t, out, want)
	}
	_, _, code = cli(t, "", "demo", "--strategy", "sideways")
	assert.Equal(t, exitUsage, code)
}
