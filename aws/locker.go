package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// LockTagKey is the tag TagLocker sets on a SAML provider while it holds
// the lock of the provider's trust (key "trust:<ARN>").
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
	// OrgAnchors are the ARNs of the SAML providers that carry the lock of
	// an org key ("idp:…"). Default: in every account the locker serves,
	// the provider FindProvider finds by its default names.
	OrgAnchors []string
}

// TagLocker is a rotation.Locker that records a lock as a tag on IAM SAML
// providers, so that rotations run from different machines see each other.
// It accepts every key rotation.OrgPlan.LockKeys returns:
//
//   - "trust:<ARN>" (or the bare ARN) locks that SAML provider's trust: the
//     tag LockTagKey on the provider itself.
//   - "idp:<org>" locks the org. IAM has nothing that stands for a
//     Salesforce org, so the lock is the tag "voicecert:lock:idp:<org>" on
//     the org's anchors: by default the SAML provider Service Cloud Voice
//     created in each AWS account the locker serves (FindProvider with no
//     name), taken in account order; Lock fails if any anchor is held and
//     then releases the ones it took. Two lockers of one org therefore
//     exclude each other on the org key as long as they serve at least one
//     account in common (the voicecert command serves every account of
//     every contact center of the org), or are given the same
//     TagLockerOptions.OrgAnchors. An org key with no anchor is refused
//     with an error matching rotation.ErrNotFound. The tag key names the
//     org, so one provider can anchor several orgs and hold its own trust
//     lock as well.
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
	rps     []*RelyingParty // sorted by account
	owner   string
	ttl     time.Duration
	anchors []string
}

var _ rotation.Locker = (*TagLocker)(nil)

// NewTagLocker returns a TagLocker that tags providers of rp's account.
func NewTagLocker(rp *RelyingParty, optFns ...func(*TagLockerOptions)) *TagLocker {
	return newTagLocker([]*RelyingParty{rp}, optFns)
}

// NewMultiTagLocker returns a TagLocker that tags providers of every
// account of m, each through its RelyingParty.
func NewMultiTagLocker(m Multi, optFns ...func(*TagLockerOptions)) *TagLocker {
	rps := make([]*RelyingParty, 0, len(m))
	for _, a := range m.Accounts() {
		rps = append(rps, m[a])
	}
	return newTagLocker(rps, optFns)
}

func newTagLocker(rps []*RelyingParty, optFns []func(*TagLockerOptions)) *TagLocker {
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
	return &TagLocker{rps: rps, owner: sanitizeTagValue(o.Owner), ttl: o.TTL, anchors: slices.Clone(o.OrgAnchors)}
}

// TagLockedError reports a lock held by another holder. It matches
// rotation.ErrLocked.
type TagLockedError struct {
	// ARN is the SAML provider whose tag holds the lock; Key the lock key.
	ARN, Key string
	// Owner is the holder named in the tag (the raw tag value when it
	// cannot be read); Expires is when the lock lapses (zero if unknown).
	Owner   string
	Expires time.Time
}

func (e *TagLockedError) Error() string {
	what := "SAML provider " + e.ARN
	if e.Key != "" && e.Key != rotation.TrustLockPrefix+e.ARN {
		what = fmt.Sprintf("lock %q (on SAML provider %s)", e.Key, e.ARN)
	}
	msg := fmt.Sprintf("aws: %s is locked by %s", what, e.Owner)
	if !e.Expires.IsZero() {
		msg += " until " + e.Expires.Format(time.RFC3339)
	} else {
		msg += fmt.Sprintf(" (remove the tag %s to release it)", tagKeyFor(e.Key))
	}
	return msg
}

// Is makes errors.Is(err, rotation.ErrLocked) true.
func (e *TagLockedError) Is(target error) bool { return target == rotation.ErrLocked }

// Lock takes the lock on key (see TagLocker for the keys it accepts). A
// lock held by another owner and not expired returns a *TagLockedError at
// once; a key of no known form an error matching rotation.ErrInvalidInput.
func (l *TagLocker) Lock(ctx context.Context, key string) (rotation.Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var anchors []rotation.TrustRef
	switch {
	case strings.HasPrefix(key, rotation.TrustLockPrefix), strings.HasPrefix(key, "arn:"):
		ref, err := l.trust(strings.TrimPrefix(key, rotation.TrustLockPrefix))
		if err != nil {
			return nil, err
		}
		anchors, key = []rotation.TrustRef{ref}, rotation.TrustLockPrefix+ref.ARN
	case strings.HasPrefix(key, rotation.IdPLockPrefix) && len(key) > len(rotation.IdPLockPrefix):
		var err error
		if anchors, err = l.orgAnchors(ctx); err != nil {
			return nil, fmt.Errorf("aws: lock %q: %w", key, err)
		}
	default:
		return nil, fmt.Errorf("aws: lock key %q: want %s<SAML provider ARN> or %s<org>: %w",
			key, rotation.TrustLockPrefix, rotation.IdPLockPrefix, rotation.ErrInvalidInput)
	}
	lock := &tagLock{l: l, key: key}
	for _, ref := range anchors {
		h, err := l.take(ctx, ref, key)
		if err != nil {
			if uerr := lock.Unlock(context.WithoutCancel(ctx)); uerr != nil {
				err = errors.Join(err, uerr)
			}
			return nil, err
		}
		lock.held = append(lock.held, h)
	}
	return lock, nil
}

// trust resolves a provider ARN to its account's relying party.
func (l *TagLocker) trust(arn string) (rotation.TrustRef, error) {
	rp, err := l.relyingParty(arn)
	if err != nil {
		return rotation.TrustRef{}, err
	}
	return rp.resolve(rotation.TrustRef{ARN: arn})
}

func (l *TagLocker) relyingParty(arn string) (*RelyingParty, error) {
	a, err := parseARN(arn, "saml-provider/")
	if err != nil {
		return nil, invalidRef(rotation.TrustRef{ARN: arn}, err.Error())
	}
	for _, rp := range l.rps {
		if acct := rp.Account(); acct == "" || acct == a.account {
			return rp, nil
		}
	}
	return nil, invalidRef(rotation.TrustRef{ARN: arn}, "is in account "+a.account+", which this locker does not serve")
}

// orgAnchors returns the providers that carry an org lock, in a fixed order.
func (l *TagLocker) orgAnchors(ctx context.Context) ([]rotation.TrustRef, error) {
	var refs []rotation.TrustRef
	if len(l.anchors) > 0 {
		for _, arn := range l.anchors {
			ref, err := l.trust(arn)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
		}
	} else {
		for _, rp := range l.rps {
			ref, err := rp.FindProvider(ctx, "")
			switch {
			case errors.Is(err, rotation.ErrNotFound):
				continue
			case err != nil:
				return nil, err
			}
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("no SAML provider of a default name to anchor the org lock in accounts %v (set TagLockerOptions.OrgAnchors): %w",
			l.accounts(), rotation.ErrNotFound)
	}
	slices.SortFunc(refs, func(a, b rotation.TrustRef) int { return strings.Compare(a.ARN, b.ARN) })
	return slices.CompactFunc(refs, func(a, b rotation.TrustRef) bool { return a.ARN == b.ARN }), nil
}

func (l *TagLocker) accounts() []string {
	var out []string
	for _, rp := range l.rps {
		out = append(out, orUnknown(rp.Account()))
	}
	return out
}

// tagKeyFor returns the tag that holds the lock of key: LockTagKey for a
// trust, "voicecert:lock:idp:<org>" for an org (a digest when longer than
// IAM allows).
func tagKeyFor(key string) string {
	if key == "" || strings.HasPrefix(key, rotation.TrustLockPrefix) {
		return LockTagKey
	}
	k := LockTagKey + ":" + sanitizeTagKey(key)
	if len(k) > tagKeyMax {
		sum := sha256.Sum256([]byte(key))
		k = LockTagKey + ":" + hex.EncodeToString(sum[:16])
	}
	return k
}

type tagLock struct {
	l    *TagLocker
	key  string
	held []heldTag

	mu       sync.Mutex
	released bool
}

// Unlock removes every lock tag that is still this lock's, last first. A
// tag now held by another owner (after expiry) is left alone and reported
// as a *TagLockedError. Unlocking twice is not an error.
func (t *tagLock) Unlock(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.released {
		return nil
	}
	var errs []error
	for i := len(t.held) - 1; i >= 0; i-- {
		if err := t.l.release(ctx, t.held[i]); err != nil {
			errs = append(errs, err)
			continue
		}
		t.held = slices.Delete(t.held, i, i+1)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	t.released = true
	return nil
}
