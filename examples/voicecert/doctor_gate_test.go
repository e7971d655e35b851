package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

func TestPlanAndRotateRefuseAWSKeysOfTheWrongAccount(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	a, b := w.Accounts[0], w.Accounts[1]
	t.Setenv("VOICECERT_AWS_PROFILES", a+"=sandbox-"+b+","+b+"=sandbox-"+b)
	before := w.Org.Snapshot()
	want := "the credentials of --aws-profile " + a + "=sandbox-" + b + " are arn:aws:iam::" + b + ":user/iamtest of account " + b + ", not of account " + a
	for _, args := range [][]string{{"plan"}, {"rotate", "--yes", "--journal-dir", t.TempDir()}} {
		_, stderr, code := cli(t, "", args...)
		assert.Equal(t, exitNo, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, "refused before any change: AWS account "+a+": "+want, args)
	}
	assert.Equal(t, before, w.Org.Snapshot())
	for _, c := range w.IAM.Calls() {
		assert.False(t, strings.HasPrefix(c.Op, "Update") || strings.HasPrefix(c.Op, "Tag") || strings.HasPrefix(c.Op, "Untag"), c.Op)
	}
}

func TestPlanSaysWhatStopsSignInVerification(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	tok, err := w.Org.SessionToken(w.Org.Username(), "api")
	require.NoError(t, err)
	t.Setenv("SALESFORCE_ACCESS_TOKEN", tok)
	_, stderr, _ := cli(t, "", "plan")
	assert.Contains(t, stderr, "! Salesforce: sign-in verification cannot open a UI session")

	_, stderr, _ = cli(t, "", "plan", "--log-format", "json")
	var found bool
	for _, l := range jsonLines(t, stderr) {
		found = found || l["event"] == "doctor.problem" && l["where"] == "Salesforce"
	}
	assert.True(t, found, stderr)
}
