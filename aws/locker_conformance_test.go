package aws_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

const orgKeyTag = aws.LockTagKey + ":idp:fake-org"

// lockWorld is iamtest with the default provider in two accounts and a
// partner-telephony provider in the first, and an org plan over them.
type lockWorld struct {
	srv            *iamtest.Server
	arn1, arn2, p1 string
	keys           []string
}

func newLockWorld(t *testing.T) *lockWorld {
	t.Helper()
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	w := &lockWorld{srv: srv,
		arn1: srv.AddProvider(acct, aws.DefaultProviderName, doc(0)),
		arn2: srv.AddProvider(acct2, aws.DefaultProviderName, doc(0)),
		p1:   srv.AddProvider(acct, "SalesforceVoiceIdp", doc(0)),
	}
	idp := rotationtest.NewIdentityProvider(rotationtest.WithIdPName("fake-org"))
	for i, ref := range []rotation.TrustRef{{Account: acct, ARN: w.arn1}, {Account: acct2, ARN: w.arn2}, {Account: acct, ARN: w.p1}} {
		name := string(rune('A' + i))
		idp.AddContactCenter(rotation.ContactCenter{Name: name, App: rotation.AppRef{Name: name + "_App"}, Trust: ref})
	}
	plan, err := rotation.NewOrgPlan(idp, w.multi(t))
	require.NoError(t, err)
	w.keys, err = plan.LockKeys(t.Context())
	require.NoError(t, err)
	return w
}

// multi returns relying parties of both accounts, each with its own SDK
// client, as another process would build them.
func (w *lockWorld) multi(t *testing.T) aws.Multi {
	t.Helper()
	m, err := aws.NewMulti(aws.NewFromClient(client(w.srv, acct), acct, fast), aws.NewFromClient(client(w.srv, acct2), acct2, fast))
	require.NoError(t, err)
	return m
}

func owner(name string) func(*aws.TagLockerOptions) {
	return func(o *aws.TagLockerOptions) { o.Owner = name }
}

// TestTagLockerConformance runs rotationtest.TestLocker against TagLocker
// through the real SDK client and iamtest over loopback, with the keys an
// org plan over two accounts returns.
func TestTagLockerConformance(t *testing.T) {
	rotationtest.TestLocker(t, func(t *testing.T) rotationtest.LockerHarness {
		w := newLockWorld(t)
		require.Equal(t, []string{"idp:fake-org", "trust:" + w.arn1, "trust:" + w.arn2, "trust:" + w.p1}, w.keys)
		return rotationtest.LockerHarness{
			Locker: aws.NewMultiTagLocker(w.multi(t), owner("a")),
			Other:  aws.NewMultiTagLocker(w.multi(t), owner("b")),
			Keys:   w.keys,
		}
	})
}

// An org key is a tag naming the org on the default provider of every
// account the locker serves; lockers sharing one account exclude each
// other; a refused org lock releases the anchors it took.
func TestTagLockerOrgKey(t *testing.T) {
	w := newLockWorld(t)
	ctx := t.Context()
	all := aws.NewMultiTagLocker(w.multi(t), owner("all"))
	l, err := all.Lock(ctx, "idp:fake-org")
	require.NoError(t, err)
	for _, arn := range []string{w.arn1, w.arn2} {
		assert.Contains(t, w.srv.Tags(arn)[orgKeyTag], "owner=all ", arn)
		assert.NotContains(t, w.srv.Tags(arn), aws.LockTagKey, "the org lock is not the provider's trust lock")
	}
	assert.Empty(t, w.srv.Tags(w.p1), "only default-named providers anchor the org")

	second := aws.NewTagLocker(aws.NewFromClient(client(w.srv, acct2), acct2, fast), owner("second"))
	_, err = second.Lock(ctx, "idp:fake-org")
	var le *aws.TagLockedError
	require.ErrorAs(t, err, &le, "a locker of one shared account is locked out")
	assert.Equal(t, "all", le.Owner)
	assert.Equal(t, w.arn2, le.ARN)
	assert.Contains(t, err.Error(), `lock "idp:fake-org"`)
	_, err = second.Lock(ctx, "idp:another-org")
	require.NoError(t, err, "another org's key is another lock")
	require.NoError(t, l.Unlock(ctx))
	assert.NotContains(t, w.srv.Tags(w.arn1), orgKeyTag)

	held, err := second.Lock(ctx, "idp:fake-org")
	require.NoError(t, err)
	_, err = all.Lock(ctx, "idp:fake-org")
	require.ErrorIs(t, err, rotation.ErrLocked)
	assert.NotContains(t, w.srv.Tags(w.arn1), orgKeyTag, "the anchor taken before the refusal is released")
	assert.Contains(t, w.srv.Tags(w.arn2)[orgKeyTag], "owner=second ", "the holder keeps its lock")
	require.NoError(t, held.Unlock(ctx))
}

func TestTagLockerRefusesKeys(t *testing.T) {
	w := newLockWorld(t)
	ctx := t.Context()
	one := aws.NewTagLocker(aws.NewFromClient(client(w.srv, acct), acct, fast))
	for _, key := range []string{"", "idp:", "org:fake", "trust:not-an-arn", "trust:" + w.arn2} {
		_, err := one.Lock(ctx, key)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput, key)
	}
	assert.Empty(t, w.srv.Tags(w.arn1), "a refused key changes nothing")

	bare := aws.NewTagLocker(aws.NewFromClient(client(w.srv, acct), acct, fast))
	_, err := bare.Lock(ctx, w.arn1)
	require.NoError(t, err, "a bare ARN is a trust key")
	_, err = one.Lock(ctx, "trust:"+w.arn1)
	require.ErrorIs(t, err, rotation.ErrLocked, "the bare ARN and its trust key are one lock")

	srv := iamtest.New()
	t.Cleanup(srv.Close)
	srv.AddProvider(acct, "Custom", doc(0))
	custom := aws.NewFromClient(client(srv, acct), acct, fast)
	_, err = aws.NewTagLocker(custom).Lock(ctx, "idp:fake-org")
	assert.ErrorIs(t, err, rotation.ErrNotFound, "no default provider to anchor the org lock")
	anchored := aws.NewTagLocker(custom, func(o *aws.TagLockerOptions) {
		o.OrgAnchors = []string{"arn:aws:iam::" + acct + ":saml-provider/Custom"}
	})
	l, err := anchored.Lock(ctx, "idp:fake-org")
	require.NoError(t, err, "an explicit anchor")
	require.NoError(t, l.Unlock(ctx))
}

// A TagLocker over every account of a Multi holds each key of an org plan:
// the org key as a tag naming the org on each account's default provider,
// a trust key as the lock tag of that provider.
func ExampleNewMultiTagLocker() {
	srv, cfg := sandbox()
	defer srv.Close()
	ctx := context.Background()
	m, err := aws.NewMulti(aws.New(cfg, func(o *aws.Options) { o.Account = "123456789012" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	provider := "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
	locker := aws.NewMultiTagLocker(m, func(o *aws.TagLockerOptions) { o.Owner = "ops-laptop" })
	var held []rotation.Lock
	for _, key := range []string{"idp:salesforce:00D000000000001", rotation.TrustLockKey(rotation.TrustRef{ARN: provider})} {
		l, err := locker.Lock(ctx, key)
		if err != nil {
			fmt.Println(err)
			return
		}
		held = append(held, l)
	}
	for _, tag := range slices.Sorted(maps.Keys(srv.Tags(provider))) {
		fmt.Println(tag)
	}
	_, err = aws.NewMultiTagLocker(m).Lock(ctx, "idp:salesforce:00D000000000001")
	fmt.Println(errors.Is(err, rotation.ErrLocked))
	for _, l := range held {
		_ = l.Unlock(ctx)
	}
	fmt.Println(len(srv.Tags(provider)))
	// Output:
	// voicecert:lock
	// voicecert:lock:idp:salesforce:00D000000000001
	// true
	// 0
}
