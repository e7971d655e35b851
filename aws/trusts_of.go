package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// trustsOfConcurrency bounds the GetSAMLProvider calls TrustsOf sends at
// once in one account.
const trustsOfConcurrency = 4

var (
	_ rotation.TrustLister = (*RelyingParty)(nil)
	_ rotation.TrustLister = Multi(nil)
)

// TrustsOf returns every SAML provider of the relying party's account whose
// metadata document's entityID is entityID, sorted by ARN: one
// ListSAMLProviders, then one GetSAMLProvider per provider listed.
// accounts must name only the relying party's account (an empty list
// means it); another account is refused with rotation.ErrInvalidInput. A
// provider whose document is not usable metadata is skipped with a
// warning: its entityID cannot be read.
func (rp *RelyingParty) TrustsOf(ctx context.Context, accounts []string, entityID string) ([]rotation.TrustRef, error) {
	if entityID == "" {
		return nil, fmt.Errorf("aws: TrustsOf needs an entity id: %w", rotation.ErrInvalidInput)
	}
	account := rp.Account()
	for _, a := range accounts {
		if account != "" && a != account {
			return nil, fmt.Errorf("aws: account %s: this relying party serves account %s: %w", a, account, rotation.ErrInvalidInput)
		}
	}
	out, err := rp.client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	if err != nil {
		return nil, mapError(err, account, "ListSAMLProviders", "")
	}
	var refs []rotation.TrustRef
	for _, p := range out.SAMLProviderList {
		a, err := parseARN(awssdk.ToString(p.Arn), "saml-provider/")
		if err == nil && (account == "" || a.account == account) {
			refs = append(refs, rotation.TrustRef{Account: a.account, ARN: awssdk.ToString(p.Arn)})
		}
	}
	keep := make([]bool, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(trustsOfConcurrency)
	for i, ref := range refs {
		g.Go(func() error {
			got, err := rp.getProvider(gctx, ref)
			if err != nil {
				return err
			}
			md, err := samlmeta.Parse([]byte(awssdk.ToString(got.SAMLMetadataDocument)))
			if err != nil {
				rp.log.WarnContext(gctx, "aws: SAML provider document is not usable metadata; its entityID is unknown",
					"account", ref.Account, "arn", ref.ARN, "error", err)
				return nil
			}
			keep[i] = md.EntityID() == entityID
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var found []rotation.TrustRef
	for i, ref := range refs {
		if keep[i] {
			found = append(found, ref)
		}
	}
	slices.SortFunc(found, func(a, b rotation.TrustRef) int { return strings.Compare(a.ARN, b.ARN) })
	rp.log.InfoContext(ctx, "aws: SAML providers of the identity provider", "account", orUnknown(account),
		"entity_id", entityID, "providers", len(found), "listed", len(refs))
	return found, nil
}

// TrustsOf calls TrustsOf on the RelyingParty of each account and returns
// the trusts of all, by account then ARN (a few accounts at once). An account m has no relying party for
// is refused with rotation.ErrInvalidInput; an empty list means every
// account of m.
func (m Multi) TrustsOf(ctx context.Context, accounts []string, entityID string) ([]rotation.TrustRef, error) {
	if len(accounts) == 0 {
		accounts = m.Accounts()
	}
	accounts = slices.Compact(slices.Sorted(slices.Values(accounts)))
	for _, a := range accounts {
		if _, ok := m[a]; !ok {
			return nil, fmt.Errorf("aws: account %s has no relying party (accounts %v): %w", a, m.Accounts(), rotation.ErrInvalidInput)
		}
	}
	found := make([][]rotation.TrustRef, len(accounts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(trustsOfConcurrency)
	for i, a := range accounts {
		g.Go(func() (err error) {
			found[i], err = m[a].TrustsOf(gctx, []string{a}, entityID)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(found...), nil
}
