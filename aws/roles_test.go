package aws_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

// trustPolicy renders a role trust policy; {P} becomes the provider ARN.
func trustPolicy(provider, tmpl string) string { return strings.ReplaceAll(tmpl, "{P}", provider) }

const scvPolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",
  "Principal":{"Federated":"{P}"},"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}`

func TestCheckRoleTrust(t *testing.T) {
	cases := []struct {
		name    string
		policy  string
		missing aws.TrustPart // "" = trusted
	}{
		{name: "SCV shape", policy: scvPolicy},
		{name: "regional audience", policy: `{"Statement":[{"Effect":"Allow","Action":["sts:AssumeRoleWithSAML","sts:TagSession"],
			"Principal":{"Federated":["arn:aws:iam::123456789012:saml-provider/Other","{P}"]},
			"Condition":{"StringEquals":{"saml:aud":["https://eu-central-1.signin.aws.amazon.com/saml"]}}}]}`},
		{name: "action wildcard, extra conditions", policy: `{"Statement":[{"Effect":"Allow","Action":"sts:*","Principal":{"Federated":"{P}"},
			"Condition":{"Bool":{"aws:SecureTransport":true},"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`},
		{name: "not JSON", policy: `{"Statement":`, missing: aws.PartPolicy},
		{name: "deny only", policy: strings.Replace(scvPolicy, "Allow", "Deny", 1), missing: aws.PartAction},
		{name: "other action", policy: strings.Replace(scvPolicy, "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", 1), missing: aws.PartAction},
		{name: "other provider", policy: strings.Replace(scvPolicy, "{P}", "arn:aws:iam::123456789012:saml-provider/Other", 1), missing: aws.PartPrincipal},
		{name: "service principal", policy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Service":"connect.amazonaws.com"}}}`, missing: aws.PartPrincipal},
		{name: "any principal", policy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":"*"}}`, missing: aws.PartPrincipal},
		{name: "no condition", policy: `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"{P}"}}}`, missing: aws.PartAudience},
		{name: "other audience", policy: strings.Replace(scvPolicy, "https://signin.aws.amazon.com/saml", "https://example.com/saml", 1), missing: aws.PartAudience},
		{name: "audience by StringLike", policy: strings.Replace(scvPolicy, "StringEquals", "StringLike", 1), missing: aws.PartAudience},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			roleARN := e.srv.AddRole(acct, "cc1-SAMLRole", trustPolicy(e.ref.ARN, tc.policy))
			for _, role := range []string{"cc1-SAMLRole", roleARN} {
				err := e.rp.CheckRoleTrust(t.Context(), role, e.ref)
				if tc.missing == "" {
					assert.NoError(t, err)
					continue
				}
				require.ErrorIs(t, err, aws.ErrTrustPolicy)
				var tpe *aws.TrustPolicyError
				require.ErrorAs(t, err, &tpe)
				assert.Equal(t, tc.missing, tpe.Missing)
				assert.Equal(t, roleARN, tpe.Role)
				assert.Contains(t, err.Error(), string(tc.missing))
				assert.Contains(t, err.Error(), e.ref.ARN)
			}
			roles, err := e.rp.TrustingRoles(t.Context(), e.ref)
			require.NoError(t, err)
			if tc.missing == "" {
				assert.Equal(t, []string{roleARN}, roles)
			} else {
				assert.Empty(t, roles)
			}
			for _, c := range e.srv.Calls() {
				assert.Contains(t, []string{"GetRole", "ListRoles"}, c.Op, "read-only")
			}
		})
	}
}

func TestCheckRoleTrustAnyRole(t *testing.T) {
	e := newEnv(t)
	err := e.rp.CheckRoleTrust(t.Context(), "", e.ref)
	var tpe *aws.TrustPolicyError
	require.ErrorAs(t, err, &tpe)
	assert.Equal(t, aws.PartRole, tpe.Missing)

	for i := range 120 { // more than one ListRoles page
		e.srv.AddRole(acct, "unrelated-"+string(rune('a'+i%26))+string(rune('a'+i/26)), `{"Statement":[]}`)
	}
	trusting := e.srv.AddRole(acct, "zz-SAMLRole", trustPolicy(e.ref.ARN, scvPolicy))
	require.NoError(t, e.rp.CheckRoleTrust(t.Context(), "", e.ref))
	roles, err := e.rp.TrustingRoles(t.Context(), e.ref)
	require.NoError(t, err)
	assert.Equal(t, []string{trusting}, roles)
	assert.GreaterOrEqual(t, e.srv.CallCount("ListRoles"), 4, "two pages per call")
}

func TestCheckRoleTrustErrors(t *testing.T) {
	e := newEnv(t)
	err := e.rp.CheckRoleTrust(t.Context(), "missing-SAMLRole", e.ref)
	require.ErrorIs(t, err, rotation.ErrNotFound)
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "GetRole", ae.Op)
	assert.Equal(t, "arn:aws:iam::"+acct+":role/missing-SAMLRole", ae.ARN)

	err = e.rp.CheckRoleTrust(t.Context(), "arn:aws:iam::"+acct2+":role/x", e.ref)
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)

	e.srv.InjectFault("ListRoles", iamtest.Fault{Code: "Throttling"}, sdkTry)
	_, err = e.rp.TrustingRoles(t.Context(), e.ref)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "Throttling", ae.Code)
	assert.True(t, rotation.IsTransient(err))
}
