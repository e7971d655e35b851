package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/voicecert/voicecert/rotation"
)

// Multi is a rotation.RelyingParty for several AWS accounts: it dispatches
// each call to the RelyingParty of the TrustRef's account (ref.Account, or
// the account in ref.ARN). Build it with NewMulti or as a map literal keyed
// by account; it is read-only once built and then safe for concurrent use.
type Multi map[string]*RelyingParty

var _ rotation.RelyingParty = Multi(nil)

// NewMulti returns a Multi of rps. Each must know its account (Options.Account
// or NewFromClient's account); an account given twice is an error.
func NewMulti(rps ...*RelyingParty) (Multi, error) {
	m := Multi{}
	for _, rp := range rps {
		a := rp.Account()
		if !validAccount(a) {
			return nil, fmt.Errorf("aws: relying party has no 12-digit account (%q): %w", a, rotation.ErrInvalidInput)
		}
		if _, dup := m[a]; dup {
			return nil, fmt.Errorf("aws: account %s given twice: %w", a, rotation.ErrInvalidInput)
		}
		m[a] = rp
	}
	return m, nil
}

// Name returns "aws".
func (m Multi) Name() string { return "aws" }

// Accounts returns the accounts m serves, sorted.
func (m Multi) Accounts() []string { return slices.Sorted(maps.Keys(m)) }

// For returns the RelyingParty of ref's account.
func (m Multi) For(ref rotation.TrustRef) (*RelyingParty, error) {
	account, err := trustAccount(ref)
	if err != nil {
		return nil, err
	}
	rp, ok := m[account]
	if !ok {
		return nil, invalidRef(ref, fmt.Sprintf("is in account %s, which has no relying party (accounts %v)", account, m.Accounts()))
	}
	return rp, nil
}

// Trust calls Trust on the RelyingParty of ref's account.
func (m Multi) Trust(ctx context.Context, ref rotation.TrustRef) (rotation.TrustSnapshot, error) {
	rp, err := m.For(ref)
	if err != nil {
		return rotation.TrustSnapshot{}, err
	}
	return rp.Trust(ctx, ref)
}

// SetTrust calls SetTrust on the RelyingParty of ref's account.
func (m Multi) SetTrust(ctx context.Context, ref rotation.TrustRef, doc []byte) error {
	rp, err := m.For(ref)
	if err != nil {
		return err
	}
	return rp.SetTrust(ctx, ref, doc)
}
