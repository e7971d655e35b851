package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

const (
	lockARN1 = "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"
	lockARN2 = "arn:aws:iam::222222222222:saml-provider/SalesforceServiceVoiceIdp"
)

// identified is an identity provider whose Name depends on how it was
// configured but whose org identity does not.
type identified struct {
	*rotationtest.IdentityProvider
	identity string
	err      error
}

func (p identified) OrgIdentity(context.Context) (string, error) { return p.identity, p.err }

// lockPlan returns a plan over fakes with two contact centers in two
// accounts and a third sharing the first one's trust.
func lockPlan(t *testing.T, idp rotation.IdentityProvider) *rotation.OrgPlan {
	t.Helper()
	plan, err := rotation.NewOrgPlan(idp, rotationtest.NewRelyingParty())
	require.NoError(t, err)
	return plan
}

func lockIdP(name string) *rotationtest.IdentityProvider {
	idp := rotationtest.NewIdentityProvider(rotationtest.WithIdPName(name))
	for i, arn := range []string{lockARN1, lockARN2, lockARN1} {
		idp.AddContactCenter(rotation.ContactCenter{Name: string(rune('A' + i)), App: rotation.AppRef{Name: string(rune('A'+i)) + "_App"},
			Trust: rotation.TrustRef{ARN: arn}})
	}
	return idp
}

func TestLockKeysNameTheOrgAndEachTrust(t *testing.T) {
	ctx := t.Context()
	keys, err := lockPlan(t, identified{lockIdP("salesforce:acme.my.salesforce.com"), "salesforce:00D000000000001", nil}).LockKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"idp:salesforce:00D000000000001", "trust:" + lockARN1, "trust:" + lockARN2}, keys)

	other, err := lockPlan(t, identified{lockIdP("salesforce:127.0.0.1:8443"), "salesforce:00D000000000001", nil}).LockKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, keys, other, "two clients of one org reached by different URLs lock the same keys")

	plain, err := lockPlan(t, lockIdP("fake-org")).LockKeys(ctx)
	require.NoError(t, err)
	assert.Equal(t, "idp:fake-org", plain[0], "an identity provider without an org identity is locked by its Name")

	boom := errors.New("no session")
	_, err = lockPlan(t, identified{lockIdP("x"), "", boom}).LockKeys(ctx)
	assert.ErrorIs(t, err, boom)
	_, err = rotation.IdPLockKey(ctx, identified{lockIdP("x"), " ", nil})
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestFileLockerConformance(t *testing.T) {
	keys, err := lockPlan(t, lockIdP("fake-org")).LockKeys(t.Context())
	require.NoError(t, err)
	rotationtest.TestLocker(t, func(t *testing.T) rotationtest.LockerHarness {
		dir := t.TempDir()
		return rotationtest.LockerHarness{Locker: rotation.NewFileLocker(dir), Other: rotation.NewFileLocker(dir), Keys: keys, Exclusive: true}
	})
}

func ExampleIdPLockKey() {
	// An identity provider that reports its org's id is locked by it,
	// whatever URL its client uses.
	idp := identified{rotationtest.NewIdentityProvider(rotationtest.WithIdPName("salesforce:acme.my.salesforce.com")), "salesforce:00D000000000001", nil}
	key, err := rotation.IdPLockKey(context.Background(), idp)
	fmt.Println(key, err)
	fmt.Println(rotation.TrustLockKey(rotation.TrustRef{ARN: "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"}))
	// Output:
	// idp:salesforce:00D000000000001 <nil>
	// trust:arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp
}
