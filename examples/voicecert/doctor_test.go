package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// doctorJSON runs doctor --json and returns its validated envelope's
// report.
func doctorJSON(t *testing.T) (doctorReport, int) {
	t.Helper()
	out, stderr, code := cli(t, "", "doctor", "--json")
	var rep doctorReport
	env := envelopeOf(t, out, "doctor", &rep)
	require.Equal(t, code, env.ExitStatus, stderr)
	return rep, code
}

// problemsOf joins every problem and fix, one a line.
func problemsOf(rep doctorReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString(p.Where + ": " + p.Problem + " Fix: " + p.Fix + "\n")
	}
	return b.String()
}

func TestDoctorReadyInTheSandbox(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{ContactCenters: 4, Accounts: 2})
	before := len(w.Org.Calls())
	rep, code := doctorJSON(t)
	require.Equal(t, exitOK, code, problemsOf(rep))
	assert.True(t, rep.Ready)
	assert.Empty(t, rep.Problems)

	id := rep.Salesforce.Identity
	assert.Equal(t, w.Org.Username(), id.Username)
	assert.Equal(t, sandbox.OrgID, id.OrgID)
	assert.Equal(t, "static", string(id.TokenKind))
	assert.True(t, id.UISession)
	for _, p := range rep.Salesforce.Permissions {
		assert.True(t, p.Granted, p.Name)
	}

	require.Len(t, rep.AWS, 2)
	for _, acct := range rep.AWS {
		assert.Equal(t, acct.Account, acct.CallerAccount)
		assert.Contains(t, acct.CallerARN, ":"+acct.Account+":")
		assert.Equal(t, "sandbox-"+acct.Account, acct.Profile)
		assert.NotEmpty(t, acct.CredentialSource)
		var actions []string
		for _, a := range acct.Actions {
			actions = append(actions, a.Action)
			want := actionAllowed
			if policyWrites[a.Action] {
				want = actionNotTried
			}
			assert.Equal(t, want, a.Status, "%s on %s: %s", a.Action, a.Resource, a.Detail)
		}
		slices.Sort(actions)
		assert.Equal(t, aws.PolicyActions(), slices.Compact(actions), "every action of the policy is reported")
	}
	require.NotNil(t, rep.SignIn)
	require.Len(t, rep.SignIn.Apps, 4)
	for _, a := range rep.SignIn.Apps {
		assert.True(t, a.Access, a.App.Name)
	}

	// Read-only: only reads reached the fakes.
	for _, c := range w.Org.Calls()[before:] {
		assert.Contains(t, []string{"userinfo", "query", "tooling/query", "readMetadata", "listMetadata", "metadata", "frontdoor"}, c.Op)
	}
	for _, c := range w.IAM.Calls() {
		assert.True(t, strings.HasPrefix(c.Op, "Get") || strings.HasPrefix(c.Op, "List"), c.Op)
	}

	out, _, code := cli(t, "", "doctor")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "Ready: voicecert can rotate and verify every contact center.")
	assert.Contains(t, out, "Salesforce: "+w.Org.Username())
}

func TestDoctorTokenWithoutWebScope(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	tok, err := w.Org.SessionToken(w.Org.Username(), "api", "refresh_token")
	require.NoError(t, err)
	t.Setenv("SALESFORCE_ACCESS_TOKEN", tok)
	rep, code := doctorJSON(t)
	require.Equal(t, exitNo, code)
	assert.False(t, rep.Ready)
	assert.False(t, rep.Salesforce.Identity.UISession)
	require.Len(t, rep.Problems, 1, problemsOf(rep))
	assert.Equal(t, "Salesforce", rep.Problems[0].Where)
	assert.Contains(t, rep.Problems[0].Problem, "cannot open a UI session")
	assert.Contains(t, rep.Problems[0].Problem, "web or full scope")

	out, _, code := cli(t, "", "doctor")
	assert.Equal(t, exitNo, code)
	assert.Contains(t, out, "! Salesforce: sign-in verification cannot open a UI session")
	assert.Contains(t, out, "Not ready: 1 problem(s) above.")
}

func TestDoctorAWSKeysOfTheWrongAccount(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	a, b := w.Accounts[0], w.Accounts[1]
	t.Setenv("VOICECERT_AWS_PROFILES", a+"=sandbox-"+b+","+b+"=sandbox-"+b)
	rep, code := doctorJSON(t)
	require.Equal(t, exitNo, code)
	text := problemsOf(rep)
	assert.Contains(t, text, "AWS account "+a+": the credentials of --aws-profile "+a+"=sandbox-"+b+" are arn:aws:iam::"+b+":user/iamtest of account "+b+", not of account "+a)
	assert.Contains(t, text, "--aws-profile "+a+"=PROFILE")
	require.Len(t, rep.Problems, 1, text)
	require.Len(t, rep.AWS, 2)
	assert.Empty(t, rep.AWS[0].Actions, "the reads would be answered for account %s", b)
	assert.NotContains(t, text, "AWS account "+b+":", "account %s's own keys are fine", b)
}

func TestDoctorUserWithoutAppAccess(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{ContactCenters: 2})
	require.NoError(t, w.Org.UnassignPermissionSet(w.Org.Username(), sftest.PermissionSetContactCenterAdmin))
	rep, code := doctorJSON(t)
	require.Equal(t, exitNo, code)
	require.Len(t, rep.Problems, 2, problemsOf(rep))
	for i, cc := range w.ContactCenters {
		p := rep.Problems[i]
		assert.Equal(t, "contact center "+cc.Name, p.Where)
		assert.Contains(t, p.Problem, "the sign-in to "+cc.App+" cannot be verified")
		assert.Contains(t, p.Problem, "permission set Contact Center Admin (Amazon Connect)")
		assert.Contains(t, p.Problem, w.Org.Username())
	}
}

func TestDoctorCredentialsRefused(t *testing.T) {
	t.Run("Salesforce", func(t *testing.T) {
		sandboxEnv(t, sandbox.Options{})
		t.Setenv("SALESFORCE_ACCESS_TOKEN", sandbox.OrgID[:15]+"!forged")
		out, _, code := cli(t, "", "doctor", "--json")
		assert.Equal(t, exitError, code)
		env := envelopeOf(t, out, "doctor", nil)
		require.NotNil(t, env.Error)
	})
	t.Run("AWS", func(t *testing.T) {
		w := sandboxEnv(t, sandbox.Options{})
		t.Setenv("VOICECERT_AWS_PROFILES", w.Accounts[0]+"=nosuchprofile")
		out, _, code := cli(t, "", "doctor", "--json")
		assert.Equal(t, exitError, code, out)
	})
}

func TestDoctorUserWithoutSetupPermissions(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{})
	w.Org.AddUser("ops@example.com", "Voice Operator")
	w.Org.SetProfilePermission("Voice Operator", sftest.PermissionViewSetup, true)
	require.NoError(t, w.Org.AssignPermissionSet("ops@example.com", sftest.PermissionSetContactCenterAdmin))
	tok, err := w.Org.SessionToken("ops@example.com")
	require.NoError(t, err)
	t.Setenv("SALESFORCE_ACCESS_TOKEN", tok)
	rep, code := doctorJSON(t)
	require.Equal(t, exitNo, code)
	text := problemsOf(rep)
	assert.Contains(t, text, "Salesforce: ops@example.com lacks the permission Customize Application")
	assert.Contains(t, text, "Salesforce: ops@example.com lacks the permission Modify Metadata Through Metadata API Functions")
	assert.NotContains(t, text, "View Setup and Configuration")
	assert.NotContains(t, text, "contact center", "the permission set gives access to every app")
}
