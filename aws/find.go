package aws

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/voicecert/voicecert/rotation"
)

// FindProvider returns the TrustRef of an existing SAML provider, given its
// ARN (checked with GetSAMLProvider) or its name (looked up with
// ListSAMLProviders). An empty nameOrARN tries DefaultProviderNames of
// Options.OrgID in order and returns the first that exists. A provider that
// does not exist matches rotation.ErrNotFound. FindProvider never creates,
// deletes or recreates a provider.
func (rp *RelyingParty) FindProvider(ctx context.Context, nameOrARN string) (rotation.TrustRef, error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		ref, err := rp.resolve(rotation.TrustRef{ARN: nameOrARN})
		if err != nil {
			return rotation.TrustRef{}, err
		}
		if _, err := rp.getProvider(ctx, ref); err != nil {
			return rotation.TrustRef{}, err
		}
		return ref, nil
	}
	names := []string{nameOrARN}
	if nameOrARN == "" {
		names = DefaultProviderNames(rp.opts.OrgID)
	}
	account := rp.Account()
	out, err := rp.client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		return rotation.TrustRef{}, mapError(err, account, "ListSAMLProviders", "")
	}
	byName := map[string]string{}
	for _, p := range out.SAMLProviderList {
		a, err := parseARN(awssdk.ToString(p.Arn), "saml-provider/")
		if err == nil && (account == "" || a.account == account) {
			byName[a.name] = awssdk.ToString(p.Arn)
		}
	}
	for _, name := range names {
		if arn, ok := byName[name]; ok {
			ref, err := rp.resolve(rotation.TrustRef{ARN: arn})
			if err == nil {
				rp.log.InfoContext(ctx, "aws: found SAML provider", "account", ref.Account, "arn", ref.ARN)
			}
			return ref, err
		}
	}
	return rotation.TrustRef{}, rotation.Permanent(fmt.Errorf("aws: account %s: no SAML provider named %s: %w",
		orUnknown(account), strings.Join(names, " or "), rotation.ErrNotFound))
}
