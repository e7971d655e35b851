package aws

import (
	"context"
	"errors"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/voicecert/voicecert/rotation"
)

// ConfigFunc returns the SDK configuration that reaches one AWS account
// (12 digits).
type ConfigFunc func(ctx context.Context, account string) (awssdk.Config, error)

// DefaultRegion is the region NewMultiFromContactCenters sets on a
// configuration without one: IAM is global, but the SDK wants a region.
const DefaultRegion = "us-east-1"

// ErrNoAccount is returned by NewMultiFromContactCenters when no contact
// center's trust names an AWS account (no app has an AWS Role attribute).
var ErrNoAccount = errors.New("aws: no contact center names an AWS account (no Role attribute on any app)")

// NewMultiFromContactCenters returns a Multi with one RelyingParty for each
// AWS account the trusts of ccs are in (cc.Trust.Account, or the account
// of cc.Trust.ARN), typically what rotation.IdentityProvider.ContactCenters
// discovered. cfgFor gives each account's SDK configuration, once per
// account (see ProfileConfigs); a configuration without a region gets
// DefaultRegion. optFns configure every RelyingParty after its account is
// set, so they may set a logger or poll intervals (an Account they set is
// ignored). Contact centers without a trust are skipped; a trust ARN that
// names no account is an error matching rotation.ErrInvalidInput, and no
// trust at all is ErrNoAccount.
func NewMultiFromContactCenters(ctx context.Context, ccs []rotation.ContactCenter, cfgFor ConfigFunc, optFns ...func(*Options)) (Multi, error) {
	if cfgFor == nil {
		return nil, fmt.Errorf("aws: NewMultiFromContactCenters: nil ConfigFunc: %w", rotation.ErrInvalidInput)
	}
	var rps []*RelyingParty
	seen := map[string]bool{}
	for _, cc := range ccs {
		if cc.Trust.IsZero() {
			continue
		}
		acct, err := trustAccount(cc.Trust)
		if err != nil {
			return nil, fmt.Errorf("aws: contact center %s: %w", cc.Name, err)
		}
		if seen[acct] {
			continue
		}
		seen[acct] = true
		cfg, err := cfgFor(ctx, acct)
		if err != nil {
			return nil, fmt.Errorf("aws: configuration of account %s: %w", acct, err)
		}
		if cfg.Region == "" {
			cfg.Region = DefaultRegion
		}
		rps = append(rps, New(cfg, append(optFns, func(o *Options) { o.Account = acct })...))
	}
	if len(rps) == 0 {
		return nil, ErrNoAccount
	}
	return NewMulti(rps...)
}

// trustAccount is the account of ref: its Account, or its ARN's.
func trustAccount(ref rotation.TrustRef) (string, error) {
	if ref.Account != "" {
		if !validAccount(ref.Account) {
			return "", invalidRef(ref, fmt.Sprintf("names account %q, not 12 digits", ref.Account))
		}
		return ref.Account, nil
	}
	a, err := parseARN(ref.ARN, "saml-provider/")
	if err != nil {
		return "", invalidRef(ref, err.Error())
	}
	return a.account, nil
}

// ProfileConfigs returns a ConfigFunc that loads the standard AWS
// configuration (config.LoadDefaultConfig: environment, shared config and
// credentials files, SSO, instance roles) with loadOpts, and for an account
// that profiles maps to a profile name, that shared-config profile.
func ProfileConfigs(profiles map[string]string, loadOpts ...func(*awsconfig.LoadOptions) error) ConfigFunc {
	return func(ctx context.Context, account string) (awssdk.Config, error) {
		opts := loadOpts
		if p := profiles[account]; p != "" {
			opts = append(opts[:len(opts):len(opts)], awsconfig.WithSharedConfigProfile(p))
		}
		return awsconfig.LoadDefaultConfig(ctx, opts...)
	}
}
