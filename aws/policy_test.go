package aws_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
)

// TestPolicyCoversAFullRotation runs every backend call of a full rotation
// against iamtest and checks that the IAM actions recorded equal the
// actions policy.json allows: nothing missing, nothing extra.
func TestPolicyCoversAFullRotation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	role := e.srv.AddRole(acct, "cc1-SAMLRole", trustPolicy(e.ref.ARN, scvPolicy))
	rp := aws.NewFromClient(client(e.srv, acct), "", fast, func(o *aws.Options) { o.STS = aws.NewSTSClient(sdkConfigWithEndpoint(e.srv, acct)) })

	ref, err := rp.FindProvider(ctx, "")
	require.NoError(t, err)
	lock, err := aws.NewTagLocker(rp).Lock(ctx, ref.ARN)
	require.NoError(t, err)
	snap, err := rp.Trust(ctx, ref)
	require.NoError(t, err)
	require.NoError(t, rp.SetTrust(ctx, ref, doc(0, 1))) // overlap
	require.NoError(t, rp.JudgeSignIn(ctx, ref, role, samlFor(t, 0, role, ref.ARN, "agent")))
	require.NoError(t, rp.CheckRoleTrust(ctx, "cc1-SAMLRole", ref))
	require.NoError(t, rp.CheckRoleTrust(ctx, "", ref))      // any role (ListRoles)
	require.NoError(t, rp.SetTrust(ctx, ref, doc(1)))        // final
	require.NoError(t, rp.SetTrust(ctx, ref, snap.Document)) // rollback
	require.NoError(t, lock.Unlock(ctx))

	// STS AssumeRoleWithSAML is unsigned: it needs no identity policy
	// (the role's trust policy decides), so it is not in Policy.
	var used []string
	for _, c := range e.srv.Calls() {
		if c.Op == "AssumeRoleWithSAML" {
			assert.Empty(t, c.Account, "sent without credentials")
			continue
		}
		used = append(used, "iam:"+c.Op)
	}
	assert.Equal(t, 1, e.srv.CallCount("AssumeRoleWithSAML"))
	slices.Sort(used)
	used = slices.Compact(used)
	assert.Equal(t, aws.PolicyActions(), used)
	assert.NotContains(t, used, "iam:CreateSAMLProvider")
	assert.NotContains(t, used, "iam:DeleteSAMLProvider")
}

func TestPolicyDocument(t *testing.T) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	require.NoError(t, json.Unmarshal(aws.Policy, &doc))
	assert.Equal(t, "2012-10-17", doc.Version)
	for _, st := range doc.Statement {
		assert.Equal(t, "Allow", st.Effect)
		for _, a := range st.Action {
			if a == "iam:ListSAMLProviders" || a == "iam:ListRoles" {
				assert.Equal(t, "*", st.Resource, a)
			} else {
				assert.NotEqual(t, "*", st.Resource, "%s is scoped to a resource", a)
			}
		}
	}
	assert.Equal(t, []string{
		"iam:GetRole", "iam:GetSAMLProvider", "iam:ListRoles", "iam:ListSAMLProviderTags", "iam:ListSAMLProviders",
		"iam:TagSAMLProvider", "iam:UntagSAMLProvider", "iam:UpdateSAMLProvider",
	}, aws.PolicyActions())
}
