package aws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/voicecert/voicecert/rotation"
)

// heldTag is one lock tag a TagLocker wrote and still holds.
type heldTag struct {
	rp       *RelyingParty
	ref      rotation.TrustRef
	key, tag string
	value    string
}

// take writes the lock tag of key on ref, reads it back, and gives up when
// another holder has it.
func (l *TagLocker) take(ctx context.Context, ref rotation.TrustRef, key string) (heldTag, error) {
	rp, err := l.relyingParty(ref.ARN)
	if err != nil {
		return heldTag{}, err
	}
	tag := tagKeyFor(key)
	now := rp.opts.Clock()
	if cur, found, err := read(ctx, rp, ref, tag); err != nil {
		return heldTag{}, err
	} else if found {
		h := parseLockValue(cur)
		if h.expires.IsZero() || h.expires.After(now) {
			return heldTag{}, &TagLockedError{ARN: ref.ARN, Key: key, Owner: h.owner, Expires: h.expires}
		}
		rp.log.WarnContext(ctx, "aws: taking over an expired lock", "arn", ref.ARN, "key", key, "owner", h.owner, "expired", h.expires)
	}
	token := make([]byte, 6)
	_, _ = rand.Read(token)
	value := fmt.Sprintf("owner=%s token=%s expires=%s", l.owner, hex.EncodeToString(token), now.Add(l.ttl).UTC().Format(time.RFC3339))
	if len(value) > tagValueMax {
		value = value[:tagValueMax]
	}
	if err := rp.withConcurrencyRetry(ctx, ref, "TagSAMLProvider", func() error {
		_, err := rp.client.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{
			SAMLProviderArn: &ref.ARN,
			Tags:            []types.Tag{{Key: awssdk.String(tag), Value: &value}},
		})
		return err
	}); err != nil {
		return heldTag{}, err
	}
	// Read back: a concurrent Lock that wrote after us wins.
	got, found, err := read(ctx, rp, ref, tag)
	if err != nil {
		return heldTag{}, err
	}
	if !found || got != value {
		h := parseLockValue(got)
		return heldTag{}, &TagLockedError{ARN: ref.ARN, Key: key, Owner: h.owner, Expires: h.expires}
	}
	rp.log.InfoContext(ctx, "aws: locked", "arn", ref.ARN, "key", key, "owner", l.owner, "ttl", l.ttl)
	return heldTag{rp: rp, ref: ref, key: key, tag: tag, value: value}, nil
}

// release removes h's tag if it is still h's.
func (l *TagLocker) release(ctx context.Context, h heldTag) error {
	got, found, err := read(ctx, h.rp, h.ref, h.tag)
	if err != nil {
		return err
	}
	if found && got != h.value {
		v := parseLockValue(got)
		return &TagLockedError{ARN: h.ref.ARN, Key: h.key, Owner: v.owner, Expires: v.expires}
	}
	if found {
		if err := h.rp.withConcurrencyRetry(ctx, h.ref, "UntagSAMLProvider", func() error {
			_, err := h.rp.client.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: &h.ref.ARN, TagKeys: []string{h.tag}})
			return err
		}); err != nil {
			return err
		}
	}
	h.rp.log.InfoContext(ctx, "aws: unlocked", "arn", h.ref.ARN, "key", h.key, "owner", l.owner)
	return nil
}

// read returns the value of the provider's tag, if it has one.
func read(ctx context.Context, rp *RelyingParty, ref rotation.TrustRef, tag string) (string, bool, error) {
	p := iam.NewListSAMLProviderTagsPaginator(rp.client, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: &ref.ARN})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", false, mapError(err, ref.Account, "ListSAMLProviderTags", ref.ARN)
		}
		for _, t := range page.Tags {
			if awssdk.ToString(t.Key) == tag {
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
