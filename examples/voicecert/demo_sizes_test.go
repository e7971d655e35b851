package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo at sizes that used to fail: ten accounts or more (the eleventh
// account id used to be "1111111111110", 13 digits, and iamtest panicked),
// and 500 contact centers over 50 accounts. Latency is left out to keep the
// test short; docs/benchmarks.md times the demo with its default latency.
func TestDemoSizes(t *testing.T) {
	sizes := []struct{ accounts, contactCenters int }{{10, 10}, {12, 24}}
	if !testing.Short() {
		sizes = append(sizes, struct{ accounts, contactCenters int }{50, 500})
	}
	for _, sz := range sizes {
		t.Run(strconv.Itoa(sz.accounts)+"x"+strconv.Itoa(sz.contactCenters), func(t *testing.T) {
			out, stderr, code := cli(t, "", "demo", "--json", "--latency", "0s",
				"--accounts", strconv.Itoa(sz.accounts), "--contact-centers", strconv.Itoa(sz.contactCenters))
			require.Equal(t, exitOK, code, stderr)
			var res demoResult
			envelopeOf(t, out, "demo", &res)
			assert.Equal(t, "success", res.Result, res.Error)
			assert.Equal(t, sz.accounts, res.Accounts)
			assert.Equal(t, sz.contactCenters, res.ContactCenters)
			assert.True(t, res.Verified)
			assert.Equal(t, 1, res.ManualGates)
			assert.Zero(t, res.SSOProbe.Failures, res.SSOProbe.FirstFailure)
		})
	}
}
