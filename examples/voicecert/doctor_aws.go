package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/voicecert/voicecert/rotation"
)

// doctorAccount is what doctor found about one AWS account.
type doctorAccount struct {
	Account string `json:"account"`
	// Profile is the --aws-profile of the account, empty for the default
	// credential chain.
	Profile string `json:"profile,omitempty"`
	// CredentialSource names where the SDK found the credentials
	// (environment, shared credentials file, SSO, …), never the keys.
	CredentialSource string `json:"credentialSource,omitempty"`
	// CallerARN and CallerAccount are STS GetCallerIdentity's answer.
	CallerARN     string `json:"callerArn,omitempty"`
	CallerAccount string `json:"callerAccount,omitempty"`
	// Trusts are the SAML providers of the org's contact centers in the
	// account.
	Trusts  []string       `json:"trusts"`
	Actions []doctorAction `json:"actions"`
}

// doctorAction is one IAM action of the policy on one resource.
type doctorAction struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// Status is allowed or denied (a read doctor tried), or not-tried (a
	// write, which doctor never calls).
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

const (
	actionAllowed  = "allowed"
	actionDenied   = "denied"
	actionNotTried = "not-tried"
)

// policyWrites are the actions of aws.Policy that change something.
var policyWrites = map[string]bool{"iam:UpdateSAMLProvider": true, "iam:TagSAMLProvider": true, "iam:UntagSAMLProvider": true}

// checkAWSAccounts checks, per AWS account of the contact centers, who the
// credentials are and which actions of the policy they may call.
func (a *app) checkAWSAccounts(ctx context.Context, ccs []rotation.ContactCenter, rep *doctorReport) {
	byAccount := map[string][]rotation.ContactCenter{}
	for _, cc := range ccs {
		if cc.Trust.Account != "" {
			byAccount[cc.Trust.Account] = append(byAccount[cc.Trust.Account], cc)
		}
	}
	for _, acct := range slices.Sorted(maps.Keys(byAccount)) {
		cfg := a.conn.awsAccounts[acct]
		rep.AWS = append(rep.AWS, a.checkAWSAccount(ctx, acct, cfg, byAccount[acct], rep))
	}
}

func (a *app) checkAWSAccount(ctx context.Context, acct string, ac awsAccount, ccs []rotation.ContactCenter, rep *doctorReport) doctorAccount {
	out, cfg, ok := checkCaller(ctx, acct, ac, ccs, rep)
	if !ok {
		return out
	}
	where := "AWS account " + acct
	client := iam.NewFromConfig(cfg, func(o *iam.Options) { o.RetryMaxAttempts = 1 })
	add := func(action, resource string, err error) {
		act := doctorAction{Action: action, Resource: resource, Status: actionAllowed}
		var ae smithy.APIError
		switch {
		case err == nil:
		case errors.As(err, &ae) && (ae.ErrorCode() == "AccessDenied" || ae.ErrorCode() == "AccessDeniedException"):
			act.Status, act.Detail = actionDenied, ae.ErrorMessage()
			rep.problem(where, fmt.Sprintf("%s on %s is denied to %s", action, resource, orDash(out.CallerARN)),
				"grant the credentials the policy in the README (aws/policy.json)")
		case errors.As(err, &ae):
			// Any answer but a refusal shows the call is allowed.
			act.Detail = ae.ErrorCode() + ": " + ae.ErrorMessage()
		default:
			act.Status, act.Detail = actionDenied, oneSentence(err.Error())
			rep.problem(where, fmt.Sprintf("%s on %s failed: %s", action, resource, oneSentence(err.Error())), "check the network and the IAM endpoint")
		}
		out.Actions = append(out.Actions, act)
	}
	_, err := client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	add("iam:ListSAMLProviders", "*", err)
	_, err = client.ListRoles(ctx, &iam.ListRolesInput{MaxItems: awssdk.Int32(1)})
	add("iam:ListRoles", "*", err)
	trusts := map[string]bool{}
	roles := map[string]bool{}
	for _, cc := range ccs {
		trusts[cc.Trust.ARN] = true
		if cc.RoleARN != "" {
			roles[cc.RoleARN] = true
		}
	}
	for _, arn := range slices.Sorted(maps.Keys(trusts)) {
		out.Trusts = append(out.Trusts, arn)
		_, err = client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: awssdk.String(arn)})
		add("iam:GetSAMLProvider", arn, err)
		_, err = client.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: awssdk.String(arn)})
		add("iam:ListSAMLProviderTags", arn, err)
		for _, w := range slices.Sorted(maps.Keys(policyWrites)) {
			out.Actions = append(out.Actions, doctorAction{Action: w, Resource: arn, Status: actionNotTried,
				Detail: "a rotation needs it; doctor changes nothing, so it is not tried: the policy in the README grants it"})
		}
	}
	for _, arn := range slices.Sorted(maps.Keys(roles)) {
		name := arn[strings.LastIndex(arn, "/")+1:]
		_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
		add("iam:GetRole", arn, err)
	}
	return out
}

func ccNames(ccs []rotation.ContactCenter) string {
	names := make([]string, len(ccs))
	for i, cc := range ccs {
		names[i] = cc.Name
	}
	return strings.Join(names, ", ")
}

// checkCaller fills who the credentials of the account are (STS
// GetCallerIdentity) and adds a problem when they cannot be loaded, are
// refused, or belong to another account; ok reports that they are the
// account's own.
func checkCaller(ctx context.Context, acct string, ac awsAccount, ccs []rotation.ContactCenter, rep *doctorReport) (doctorAccount, awssdk.Config, bool) {
	out := doctorAccount{Account: acct, Profile: ac.profile, Trusts: []string{}, Actions: []doctorAction{}}
	where := "AWS account " + acct
	how := "the default credential chain"
	if ac.profile != "" {
		how = "--aws-profile " + acct + "=" + ac.profile
	}
	cfg := ac.cfg
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Credentials == nil {
		rep.credentialsFailed(where, "no AWS credentials for it ("+how+")", "give the account a profile with --aws-profile "+acct+"=PROFILE or set the credentials in the environment")
		return out, cfg, false
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		rep.credentialsFailed(where, "the AWS credentials of "+how+" could not be loaded: "+oneSentence(err.Error()), "fix the profile or log in again (aws sso login, aws configure)")
		return out, cfg, false
	}
	out.CredentialSource = creds.Source
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		rep.credentialsFailed(where, "STS GetCallerIdentity refused the credentials of "+how+": "+oneSentence(err.Error()), "check the access key, or log in again")
		return out, cfg, false
	}
	out.CallerARN, out.CallerAccount = awssdk.ToString(id.Arn), awssdk.ToString(id.Account)
	if out.CallerAccount != acct {
		rep.problem(where, fmt.Sprintf("the credentials of %s are %s of account %s, not of account %s, whose SAML provider trusts the contact center(s) %s",
			how, out.CallerARN, out.CallerAccount, acct, ccNames(ccs)),
			fmt.Sprintf("map the account to a profile with credentials of account %s: --aws-profile %s=PROFILE (or VOICECERT_AWS_PROFILES)", acct, acct))
		// IAM would answer the reads for the other account: they say
		// nothing about this one.
		return out, cfg, false
	}
	return out, cfg, true
}
