package aws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/voicecert/voicecert/rotation"
)

// LockTagKey is the tag TagLocker sets on a SAML provider while it holds
// the provider's lock.
const LockTagKey = "voicecert:lock"

// TagLockerOptions configure a TagLocker.
type TagLockerOptions struct {
	// Owner names this holder in the tag; default "<hostname>-<pid>".
	// Characters IAM does not allow in tag values become "_".
	Owner string
	// TTL is how long a lock is valid; an expired lock is taken over by the
	// next Lock. Default 1 hour: longer than a rotation, shorter than the
	// time an operator should wait after a crash.
	TTL time.Duration
}

// TagLocker is a rotation.Locker that records a lock as a tag on the IAM
// SAML provider it protects, so that rotations run from different machines
// against one provider see each other. The lock key is the provider's ARN.
//
// Tags are not compare-and-swap: IAM has no conditional TagSAMLProvider, so
// two lockers that read "no lock" at the same moment can both write their
// tag. Lock narrows the window by reading the tag back after writing it
// and giving up if it finds another holder's value, but the last writer's
// read-back can still come first, and IAM's eventual consistency can show a
// stale tag: two holders remain possible if two Lock calls overlap within a
// few seconds. Use it as a guard against an operator starting a second
// rotation, not as a mutual-exclusion primitive; run rotations of one org
// from one place with rotation.FileLocker when that matters.
type TagLocker struct {
	rp    *RelyingParty
	owner string
	ttl   time.Duration
}

var _ rotation.Locker = (*TagLocker)(nil)

// NewTagLocker returns a TagLocker that tags providers through rp.
func NewTagLocker(rp *RelyingParty, optFns ...func(*TagLockerOptions)) *TagLocker {
	var o TagLockerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		o.Owner = host + "-" + strconv.Itoa(os.Getpid())
	}
	if o.TTL <= 0 {
		o.TTL = time.Hour
	}
	return &TagLocker{rp: rp, owner: sanitizeTagValue(o.Owner), ttl: o.TTL}
}

// TagLockedError reports a SAML provider locked by another holder. It
// matches rotation.ErrLocked.
type TagLockedError struct {
	ARN string
	// Owner is the holder named in the tag (the raw tag value when it
	// cannot be read); Expires is when the lock lapses (zero if unknown).
	Owner   string
	Expires time.Time
}

func (e *TagLockedError) Error() string {
	msg := fmt.Sprintf("aws: SAML provider %s is locked by %s", e.ARN, e.Owner)
	if !e.Expires.IsZero() {
		msg += " until " + e.Expires.Format(time.RFC3339)
	} else {
		msg += fmt.Sprintf(" (remove the tag %s to release it)", LockTagKey)
	}
	return msg
}

// Is makes errors.Is(err, rotation.ErrLocked) true.
func (e *TagLockedError) Is(target error) bool { return target == rotation.ErrLocked }

// Lock takes the lock on the SAML provider whose ARN is key. A lock held by
// another owner and not expired returns a *TagLockedError at once.
func (l *TagLocker) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	ref, err := l.rp.resolve(rotation.TrustRef{ARN: key})
	if err != nil {
		return nil, err
	}
	now := l.rp.opts.Clock()
	if cur, found, err := l.read(ctx, ref); err != nil {
		return nil, err
	} else if found {
		h := parseLockValue(cur)
		if h.expires.IsZero() || h.expires.After(now) {
			return nil, &TagLockedError{ARN: ref.ARN, Owner: h.owner, Expires: h.expires}
		}
		l.rp.log.WarnContext(ctx, "aws: taking over an expired lock", "arn", ref.ARN, "owner", h.owner, "expired", h.expires)
	}
	token := make([]byte, 6)
	_, _ = rand.Read(token)
	value := fmt.Sprintf("owner=%s token=%s expires=%s", l.owner, hex.EncodeToString(token), now.Add(l.ttl).UTC().Format(time.RFC3339))
	if len(value) > tagValueMax {
		value = value[:tagValueMax]
	}
	if err := l.rp.withConcurrencyRetry(ctx, ref, "TagSAMLProvider", func() error {
		_, err := l.rp.client.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{
			SAMLProviderArn: &ref.ARN,
			Tags:            []types.Tag{{Key: awssdk.String(LockTagKey), Value: &value}},
		})
		return err
	}); err != nil {
		return nil, err
	}
	// Read back: a concurrent Lock that wrote after us wins.
	got, found, err := l.read(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !found || got != value {
		h := parseLockValue(got)
		return nil, &TagLockedError{ARN: ref.ARN, Owner: h.owner, Expires: h.expires}
	}
	l.rp.log.InfoContext(ctx, "aws: locked SAML provider", "arn", ref.ARN, "owner", l.owner, "ttl", l.ttl)
	return &tagLock{l: l, ref: ref, value: value}, nil
}

// read returns the lock tag's value, if the provider has one.
func (l *TagLocker) read(ctx context.Context, ref rotation.TrustRef) (string, bool, error) {
	p := iam.NewListSAMLProviderTagsPaginator(l.rp.client, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: &ref.ARN})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", false, mapError(err, ref.Account, "ListSAMLProviderTags", ref.ARN)
		}
		for _, t := range page.Tags {
			if awssdk.ToString(t.Key) == LockTagKey {
				return awssdk.ToString(t.Value), true, nil
			}
		}
	}
	return "", false, nil
}

type lockValue struct {
	owner   string
	expires time.Time
}

// parseLockValue reads "owner=… token=… expires=…"; an unreadable value
// gives the raw value as owner and a zero expiry.
func parseLockValue(v string) lockValue {
	h := lockValue{owner: v}
	fields := map[string]string{}
	for f := range strings.FieldsSeq(v) {
		k, val, _ := strings.Cut(f, "=")
		fields[k] = val
	}
	if t, err := time.Parse(time.RFC3339, fields["expires"]); err == nil && fields["owner"] != "" {
		h = lockValue{owner: fields["owner"], expires: t}
	}
	return h
}

type tagLock struct {
	l     *TagLocker
	ref   rotation.TrustRef
	value string

	mu       sync.Mutex
	released bool
}

// Unlock removes the lock tag if it is still this lock's. A tag now held by
// another owner (after expiry) is left alone and reported as a
// *TagLockedError. Unlocking twice is not an error.
func (t *tagLock) Unlock(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released {
		return nil
	}
	got, found, err := t.l.read(ctx, t.ref)
	if err != nil {
		return err
	}
	if found && got != t.value {
		h := parseLockValue(got)
		return &TagLockedError{ARN: t.ref.ARN, Owner: h.owner, Expires: h.expires}
	}
	if found {
		if err := t.l.rp.withConcurrencyRetry(ctx, t.ref, "UntagSAMLProvider", func() error {
			_, err := t.l.rp.client.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: &t.ref.ARN, TagKeys: []string{LockTagKey}})
			return err
		}); err != nil {
			return err
		}
	}
	t.released = true
	t.l.rp.log.InfoContext(ctx, "aws: unlocked SAML provider", "arn", t.ref.ARN, "owner", t.l.owner)
	return nil
}
