package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// --verify=structural rotates without signing in, and says so per step;
// an unknown --verify is a usage error that changes nothing.
func TestRotateVerifyStructural(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	_, _, code := cli(t, "", "rotate", "--yes", "--verify", "everything", "--journal-dir", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, before, w.Snapshot())

	out, stderr, code := cli(t, "", "rotate", "--yes", "--verify=structural", "--key-bits", "2048", "--journal-dir", t.TempDir())
	require.Equal(t, 0, code, "%s\n%s", out, stderr)
	requireSandboxRotated(t, w, before)
	assert.Contains(t, stderr, "AWS accepted 0, rejected 0, not asked 3; 0 of 3 verified locally")
	assert.Contains(t, stderr, "local not-checked: structural verification only")
}

// verify reports, per contact center, the local result and AWS's verdict,
// in text and JSON.
func TestVerifyReportsLocalAndRelyingParty(t *testing.T) {
	sandboxEnv(t, sandbox.Options{})
	out, stderr, code := cli(t, "", "verify")
	require.Equal(t, 0, code, stderr)
	assert.Regexp(t, `local: verified; AWS: (accepted|not asked)`, out, "accepted once the aws backend judges sign-ins")

	out, stderr, code = cli(t, "", "verify", "--json")
	require.Equal(t, 0, code, stderr)
	var r struct {
		ContactCenters []struct {
			Local struct {
				Result string `json:"result"`
			} `json:"local"`
			RelyingParty struct {
				Outcome string `json:"outcome"`
			} `json:"relyingParty"`
		} `json:"contactCenters"`
	}
	envelopeOf(t, out, "verify", &r)
	require.NotEmpty(t, r.ContactCenters)
	for _, c := range r.ContactCenters {
		assert.Equal(t, "verified", c.Local.Result)
		assert.Contains(t, []string{"accepted", "not-asked"}, c.RelyingParty.Outcome)
	}
}

// verify --verify=local asks no relying party, and says so; a bad value is
// a usage error.
func TestVerifyLocalOnly(t *testing.T) {
	sandboxEnv(t, sandbox.Options{})
	out, stderr, code := cli(t, "", "verify", "--verify=local")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "local: verified; AWS: not asked: local verdict only")
	_, _, code = cli(t, "", "verify", "--verify", "sometimes")
	assert.Equal(t, exitUsage, code)
}
