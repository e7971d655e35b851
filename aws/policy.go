package aws

import (
	_ "embed"
	"encoding/json"
	"slices"
)

// Policy is the least-privilege IAM identity policy for the backend: every
// action a full rotation calls (FindProvider, Trust, SetTrust, CheckRoleTrust,
// TrustingRoles, TagLocker) and nothing else — no CreateSAMLProvider, no
// DeleteSAMLProvider.
//
// JudgeSignIn's STS AssumeRoleWithSAML needs no permission here: it is sent
// without credentials, and the role's trust policy alone decides (see the
// package documentation).
//
// Resources: the provider statement covers the default names
// SalesforceServiceVoiceIdp and SalesforceVoiceIdp_<OrgId>; the role
// statement covers Service Cloud Voice's "<contact center>-SAMLRole" roles.
// Edit both for other names, and the "aws" partition for aws-cn or
// aws-us-gov. [C] the ARN forms (Salesforce's SCV provisioning policy); [U]
// that ListSAMLProviders and ListRoles need Resource "*" and that the SAML
// provider actions accept the saml-provider resource, as Salesforce's own
// policy assumes.
//
//go:embed policy.json
var Policy []byte

// PolicyActions returns the actions Policy allows, sorted ("iam:GetRole", ...).
func PolicyActions() []string {
	var doc struct {
		Statement []struct {
			Action []string
		}
	}
	if err := json.Unmarshal(Policy, &doc); err != nil {
		panic("aws: embedded policy.json: " + err.Error())
	}
	var actions []string
	for _, st := range doc.Statement {
		actions = append(actions, st.Action...)
	}
	slices.Sort(actions)
	return slices.Compact(actions)
}
