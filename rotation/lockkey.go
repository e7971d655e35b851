package rotation

import (
	"context"
	"fmt"
	"strings"
)

// Lock keys name what a rotation locks by what it is, never by how it is
// reached: an org by its id, a trust by its ARN. Every tool that rotates an
// org (the voicecert command, a program using this package) derives them
// here, through [OrgPlan.LockKeys], so that they exclude each other whatever
// URL, credentials or options each was given.
const (
	// IdPLockPrefix starts the key of an identity provider's org:
	// "idp:" + the provider's org identity (see [IdPLockKey]).
	IdPLockPrefix = "idp:"
	// TrustLockPrefix starts the key of a relying-party trust:
	// "trust:" + its ARN (see [TrustLockKey]).
	TrustLockPrefix = "trust:"
)

// OrgIdentifier is implemented by an IdentityProvider that can name its org
// by an id the org itself reports, the same for every client of the org. An
// identity provider whose Name depends on its configuration (a URL, an
// option) must implement it, or two tools rotating one org would lock
// different keys.
type OrgIdentifier interface {
	// OrgIdentity returns "<kind>:<id>", for instance "salesforce:" and the
	// 15-character org id. It may call the identity provider.
	OrgIdentity(ctx context.Context) (string, error)
}

// IdPLockKey returns the lock key of idp's org: IdPLockPrefix and the
// OrgIdentity of an [OrgIdentifier], else IdPLockPrefix and idp.Name().
func IdPLockKey(ctx context.Context, idp IdentityProvider) (string, error) {
	id := idp.Name()
	if oi, ok := idp.(OrgIdentifier); ok {
		var err error
		if id, err = oi.OrgIdentity(ctx); err != nil {
			return "", fmt.Errorf("rotation: lock key of %s: %w", idp.Name(), err)
		}
	}
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("rotation: lock key: the identity provider has no name: %w", ErrInvalidInput)
	}
	return IdPLockPrefix + id, nil
}

// TrustLockKey returns the lock key of a trust: TrustLockPrefix and its ARN.
func TrustLockKey(ref TrustRef) string { return TrustLockPrefix + ref.ARN }
