package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/voicecert/voicecert/rotation"
)

// ErrTrustPolicy matches a *TrustPolicyError.
var ErrTrustPolicy = errors.New("aws: role does not trust the SAML provider")

// TrustPart names the part of a role's trust policy that is missing.
type TrustPart string

// The parts CheckRoleTrust looks for, in the order it looks.
const (
	// PartPolicy: the trust policy could not be read as JSON.
	PartPolicy TrustPart = "a readable trust policy"
	// PartAction: no Allow statement grants sts:AssumeRoleWithSAML.
	PartAction TrustPart = "an Allow statement for sts:AssumeRoleWithSAML"
	// PartPrincipal: no such statement names the provider as Federated
	// principal.
	PartPrincipal TrustPart = "the SAML provider as Federated principal"
	// PartAudience: no such statement has a SAML:aud condition naming the
	// global or a regional AWS sign-in endpoint.
	PartAudience TrustPart = "a SAML:aud condition naming the AWS sign-in endpoint"
	// PartRole: no role in the account trusts the provider (TrustingRoles
	// found none).
	PartRole TrustPart = "a role that trusts the SAML provider"
)

// TrustPolicyError says which part of a role's trust policy is missing for
// federation through a SAML provider. It matches ErrTrustPolicy.
type TrustPolicyError struct {
	Account, Role, Provider string
	Missing                 TrustPart
	// Err is the parse error when Missing is PartPolicy.
	Err error
}

func (e *TrustPolicyError) Error() string {
	role := e.Role
	if role == "" {
		role = "(any role)"
	}
	msg := fmt.Sprintf("aws: account %s: role %s does not trust %s: missing %s", orUnknown(e.Account), role, e.Provider, e.Missing)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrTrustPolicy) true.
func (e *TrustPolicyError) Is(target error) bool { return target == ErrTrustPolicy }

// Unwrap returns the parse error, if any.
func (e *TrustPolicyError) Unwrap() error { return e.Err }

// CheckRoleTrust checks, read-only, that the role roleNameOrARN (a name, or
// an ARN in ref's account) lets the SAML provider ref federate: its trust
// policy has an Allow statement for sts:AssumeRoleWithSAML with ref.ARN as
// Federated principal and a SAML:aud condition equal to the global or a
// regional AWS sign-in endpoint. It returns a *TrustPolicyError naming the
// first missing part. An empty roleNameOrARN checks that at least one role
// of the account trusts the provider (see TrustingRoles).
func (rp *RelyingParty) CheckRoleTrust(ctx context.Context, roleNameOrARN string, ref rotation.TrustRef) error {
	ref, err := rp.resolve(ref)
	if err != nil {
		return err
	}
	if roleNameOrARN == "" {
		roles, err := rp.TrustingRoles(ctx, ref)
		if err != nil {
			return err
		}
		if len(roles) == 0 {
			return &TrustPolicyError{Account: ref.Account, Provider: ref.ARN, Missing: PartRole}
		}
		return nil
	}
	name := roleNameOrARN
	if strings.HasPrefix(roleNameOrARN, "arn:") {
		a, err := parseARN(roleNameOrARN, "role/")
		if err != nil {
			return fmt.Errorf("aws: role %q %v: %w", roleNameOrARN, err, rotation.ErrInvalidInput)
		}
		if a.account != ref.Account {
			return fmt.Errorf("aws: role %s is in account %s, the provider in account %s: %w", roleNameOrARN, a.account, ref.Account, rotation.ErrInvalidInput)
		}
		name = a.name
	}
	out, err := rp.client.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	if err != nil {
		return mapError(err, ref.Account, "GetRole", roleARNFor(ref, name))
	}
	if part, perr := checkTrustPolicy(awssdk.ToString(out.Role.AssumeRolePolicyDocument), ref.ARN); part != "" {
		return &TrustPolicyError{Account: ref.Account, Role: awssdk.ToString(out.Role.Arn), Provider: ref.ARN, Missing: part, Err: perr}
	}
	return nil
}

// TrustingRoles returns the ARNs of the roles of ref's account whose trust
// policy passes CheckRoleTrust for ref (ListRoles, every page).
func (rp *RelyingParty) TrustingRoles(ctx context.Context, ref rotation.TrustRef) ([]string, error) {
	ref, err := rp.resolve(ref)
	if err != nil {
		return nil, err
	}
	var roles []string
	p := iam.NewListRolesPaginator(rp.client, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapError(err, ref.Account, "ListRoles", "")
		}
		for _, r := range page.Roles {
			if part, _ := checkTrustPolicy(awssdk.ToString(r.AssumeRolePolicyDocument), ref.ARN); part == "" {
				roles = append(roles, awssdk.ToString(r.Arn))
			}
		}
	}
	return roles, nil
}

func roleARNFor(ref rotation.TrustRef, name string) string {
	a, _ := parseARN(ref.ARN, "saml-provider/")
	return "arn:" + a.partition + ":iam::" + ref.Account + ":role/" + name
}

// checkTrustPolicy returns the first missing part of policy (URL-encoded
// JSON as IAM returns it, or plain JSON) for provider, or "".
func checkTrustPolicy(policy, provider string) (TrustPart, error) {
	if decoded, err := url.QueryUnescape(policy); err == nil {
		policy = decoded
	}
	var doc struct {
		Statement oneOrMany[statement]
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return PartPolicy, err
	}
	missing := PartAction
	for _, st := range doc.Statement {
		if !strings.EqualFold(st.Effect, "Allow") || !matchAny(st.Action, "sts:AssumeRoleWithSAML") {
			continue
		}
		if missing == PartAction {
			missing = PartPrincipal
		}
		if !st.Principal.federated(provider) {
			continue
		}
		missing = PartAudience
		if st.audienceOK() {
			return "", nil
		}
	}
	return missing, nil
}

type statement struct {
	Effect    string
	Action    oneOrMany[string]
	Principal principal
	Condition map[string]map[string]json.RawMessage
}

// audienceOK reports whether a string-equality condition on SAML:aud names
// only AWS sign-in endpoints (and at least one).
func (st statement) audienceOK() bool {
	for op, keys := range st.Condition {
		switch strings.ToLower(strings.TrimPrefix(op, "ForAnyValue:")) {
		case "stringequals", "stringequalsignorecase":
		default:
			continue
		}
		for key, raw := range keys {
			var values oneOrMany[string]
			if strings.ToLower(key) != samlAudKey || json.Unmarshal(raw, &values) != nil || len(values) == 0 {
				continue
			}
			ok := true
			for _, v := range values {
				ok = ok && isSignInAudience(v)
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// principal is a policy Principal: "*" or {"Federated": one or many, ...}.
type principal struct {
	Federated oneOrMany[string]
}

func (p *principal) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return nil // "*": not a federated principal
	}
	type plain principal
	return json.Unmarshal(b, (*plain)(p))
}

func (p principal) federated(provider string) bool {
	for _, f := range p.Federated {
		if f == provider {
			return true
		}
	}
	return false
}

// oneOrMany decodes a JSON value that is either one T or a list of T, as
// IAM policies allow for Statement, Action and condition values.
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		return json.Unmarshal(b, (*[]T)(o))
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = []T{one}
	return nil
}

// matchAny reports whether one of the action patterns (case-insensitive,
// with * and ? wildcards, as IAM matches actions) matches action.
func matchAny(patterns []string, action string) bool {
	action = strings.ToLower(action)
	for _, p := range patterns {
		if ok, err := path.Match(strings.ToLower(p), action); err == nil && ok {
			return true
		}
	}
	return false
}
