package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/voicecert/voicecert/aws"
)

// hintedError is an error with the hint that explains it.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }

// explainAccessDenied gives an AccessDenied of IAM the account, the caller
// identity of the credentials used for it (STS GetCallerIdentity) and its
// --aws-profile mapping.
func (a *app) explainAccessDenied(ctx context.Context, err error) error {
	var ae *aws.APIError
	if !errors.As(err, &ae) || ae.Code != "AccessDenied" {
		return err
	}
	acct, ok := a.conn.awsAccounts[ae.Account]
	mapping := "no --aws-profile for it: the default credential chain was used"
	if ok && acct.profile != "" {
		mapping = fmt.Sprintf("--aws-profile %s=%s", ae.Account, acct.profile)
	}
	caller := "unknown"
	if ok {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		out, serr := sts.NewFromConfig(acct.cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		switch {
		case serr != nil:
			caller = "unknown (STS GetCallerIdentity: " + oneSentence(serr.Error()) + ")"
		case out.Arn != nil && out.Account != nil:
			caller = fmt.Sprintf("%s (account %s)", *out.Arn, *out.Account)
		}
	}
	hint := fmt.Sprintf("AWS account %s refused %s. The credentials used for it are %s; %s. "+
		"If they belong to another account, map the account to its own profile with --aws-profile %s=PROFILE (or VOICECERT_AWS_PROFILES); "+
		"otherwise grant them the policy in the README.", ae.Account, ae.Op, caller, mapping, ae.Account)
	return &hintedError{err: err, hint: hint}
}
