package aws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

func TestTagLocker(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "host-a;1" })
	b := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "host-b" })

	la, err := a.Lock(ctx, e.ref.ARN)
	require.NoError(t, err)
	tag := e.srv.Tags(e.ref.ARN)[aws.LockTagKey]
	assert.True(t, strings.HasPrefix(tag, "owner=host-a_1 token="), tag)

	_, err = b.Lock(ctx, e.ref.ARN)
	require.ErrorIs(t, err, rotation.ErrLocked)
	var le *aws.TagLockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "host-a_1", le.Owner)
	assert.WithinDuration(t, time.Now().Add(time.Hour), le.Expires, time.Minute)
	assert.Equal(t, tag, e.srv.Tags(e.ref.ARN)[aws.LockTagKey], "a refused Lock changes nothing")

	require.NoError(t, la.Unlock(ctx))
	require.NoError(t, la.Unlock(ctx), "unlocking twice")
	assert.NotContains(t, e.srv.Tags(e.ref.ARN), aws.LockTagKey)

	lb, err := b.Lock(ctx, e.ref.ARN)
	require.NoError(t, err)
	require.NoError(t, lb.Unlock(ctx))

	_, err = a.Lock(ctx, "not-an-arn")
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestTagLockerExpiry(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e := newEnv(t, func(o *aws.Options) { o.Clock = func() time.Time { return now } })
	a := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "a"; o.TTL = time.Minute })
	b := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "b" })
	la, err := a.Lock(t.Context(), e.ref.ARN)
	require.NoError(t, err)

	now = now.Add(59 * time.Second)
	_, err = b.Lock(t.Context(), e.ref.ARN)
	require.ErrorIs(t, err, rotation.ErrLocked)

	now = now.Add(2 * time.Second)
	lb, err := b.Lock(t.Context(), e.ref.ARN)
	require.NoError(t, err, "an expired lock is taken over")

	// a's late Unlock must not remove b's lock.
	err = la.Unlock(t.Context())
	require.ErrorIs(t, err, rotation.ErrLocked)
	assert.Contains(t, e.srv.Tags(e.ref.ARN)[aws.LockTagKey], "owner=b ")
	require.NoError(t, lb.Unlock(t.Context()))
	assert.Empty(t, e.srv.Tags(e.ref.ARN))
}

func TestTagLockerForeignTagValue(t *testing.T) {
	e := newEnv(t)
	_, err := e.rp.FindProvider(t.Context(), e.ref.ARN)
	require.NoError(t, err)
	lockTag(t, e, "held by a person")
	_, err = aws.NewTagLocker(e.rp).Lock(t.Context(), e.ref.ARN)
	require.ErrorIs(t, err, rotation.ErrLocked, "an unreadable lock never expires")
	assert.Contains(t, err.Error(), "remove the tag")
}

// TestTagLockerRace documents both interleavings of two Lock calls: a
// writer that lands between our write and our read-back makes us give up;
// a writer that reads before our write and writes after our read-back is
// not detected, so both hold the lock (tags are not compare-and-swap).
func TestTagLockerRace(t *testing.T) {
	t.Run("detected", func(t *testing.T) {
		e := newEnv(t)
		a := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "a" })
		bValue := "owner=b token=0 expires=" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		tagged := false
		e.srv.SetHook(func(c iamtest.Call) *iamtest.Fault {
			if c.Op == "TagSAMLProvider" {
				tagged = true
			} else if c.Op == "ListSAMLProviderTags" && tagged {
				// b read "no lock" before a wrote; b's write lands now,
				// between a's write and a's read-back.
				e.srv.SetHook(nil)
				lockTag(t, e, bValue)
			}
			return nil
		})
		_, err := a.Lock(t.Context(), e.ref.ARN)
		require.ErrorIs(t, err, rotation.ErrLocked, "a sees b's tag on read-back")
		var le *aws.TagLockedError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "b", le.Owner)
		assert.Equal(t, bValue, e.srv.Tags(e.ref.ARN)[aws.LockTagKey], "a leaves b's lock alone")
	})
	t.Run("undetected", func(t *testing.T) {
		e := newEnv(t)
		a := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "a" })
		b := aws.NewTagLocker(e.rp, func(o *aws.TagLockerOptions) { o.Owner = "b" })
		var bErr error
		e.srv.SetHook(func(c iamtest.Call) *iamtest.Fault {
			if c.Op == "TagSAMLProvider" {
				// a has read "no lock"; b's whole Lock runs before a's
				// write lands.
				e.srv.SetHook(nil)
				_, bErr = b.Lock(t.Context(), e.ref.ARN)
			}
			return nil
		})
		_, err := a.Lock(t.Context(), e.ref.ARN)
		require.NoError(t, bErr)
		require.NoError(t, err, "both hold the lock: the documented limit of tag locks")
	})
}

func TestTagLockerIAMErrors(t *testing.T) {
	e := newEnv(t)
	e.srv.InjectFault("TagSAMLProvider", iamtest.Fault{Code: "ConcurrentModification"}, 1)
	l, err := aws.NewTagLocker(e.rp).Lock(t.Context(), e.ref.ARN)
	require.NoError(t, err, "ConcurrentModification is retried")
	assert.Equal(t, 2, e.srv.CallCount("TagSAMLProvider"))

	e.srv.InjectFault("UntagSAMLProvider", iamtest.Fault{Code: "LimitExceeded"}, 1)
	err = l.Unlock(t.Context())
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "UntagSAMLProvider", ae.Op)
	require.NoError(t, l.Unlock(t.Context()), "a failed Unlock can be repeated")
	assert.Empty(t, e.srv.Tags(e.ref.ARN))

	e.srv.InjectFault("ListSAMLProviderTags", iamtest.Fault{Code: "NoSuchEntity"}, 1)
	_, err = aws.NewTagLocker(e.rp).Lock(t.Context(), e.ref.ARN)
	assert.ErrorIs(t, err, rotation.ErrNotFound)
}

// lockTag sets the lock tag directly, as a person might in the console.
func lockTag(t *testing.T, e *env, value string) {
	t.Helper()
	_, err := client(e.srv, acct).TagSAMLProvider(t.Context(), tagInput(e.ref.ARN, aws.LockTagKey, value))
	require.NoError(t, err)
}
