package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// verify reads each trust once, however many contact centers share it, as
// the rotation's verify step does.
func TestVerifyReadsEachTrustOnce(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{ContactCenters: 12, Accounts: 3})
	seen := len(w.IAM.Calls())
	out, errOut, code := cli(t, "", "verify")
	require.Equal(t, exitOK, code, "%s%s", out, errOut)
	assert.Equal(t, 12, strings.Count(out, " OK"))
	reads := map[string]int{}
	for _, c := range w.IAM.Calls()[seen:] {
		if c.Op == "GetSAMLProvider" {
			reads[c.Target]++
		}
	}
	require.Len(t, reads, 3, "one trust per account")
	for arn, n := range reads {
		assert.Equal(t, 1, n, arn)
	}
}
