package aws

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/cenkalti/backoff/v5"

	"github.com/voicecert/voicecert/aws/internal/ctxsleep"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// Trust returns the metadata document IAM holds for the SAML provider
// ref.ARN, byte for byte, with its CreateDate, ValidUntil, UUID, assertion
// encryption mode and private key ids. A missing provider matches
// rotation.ErrNotFound.
func (rp *RelyingParty) Trust(ctx context.Context, ref rotation.TrustRef) (rotation.TrustSnapshot, error) {
	ref, err := rp.resolve(ref)
	if err != nil {
		return rotation.TrustSnapshot{}, err
	}
	out, err := rp.getProvider(ctx, ref)
	if err != nil {
		return rotation.TrustSnapshot{}, err
	}
	snap := rotation.TrustSnapshot{
		Ref:            ref,
		Document:       []byte(awssdk.ToString(out.SAMLMetadataDocument)),
		CreateDate:     awssdk.ToTime(out.CreateDate),
		ValidUntil:     awssdk.ToTime(out.ValidUntil),
		UUID:           awssdk.ToString(out.SAMLProviderUUID),
		EncryptionMode: string(out.AssertionEncryptionMode),
	}
	for _, k := range out.PrivateKeyList {
		snap.DecryptionKeyIDs = append(snap.DecryptionKeyIDs, awssdk.ToString(k.KeyId))
	}
	return snap, nil
}

func (rp *RelyingParty) getProvider(ctx context.Context, ref rotation.TrustRef) (*iam.GetSAMLProviderOutput, error) {
	out, err := rp.client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: &ref.ARN})
	return out, mapError(err, ref.Account, "GetSAMLProvider", ref.ARN)
}

// SetTrust replaces the metadata document of the SAML provider ref.ARN with
// doc, then waits until IAM serves it.
//
// Before any change it checks doc against IAM's rules (samlmeta.ValidateIAM)
// and compares it with the stored document (one GetSAMLProvider): only
// signing keys (and validUntil) may differ; any other difference, wherever
// it is (samlmeta.Diff), refuses the update. A refused document returns a
// *ChangeRefusedError and UpdateSAMLProvider is not called. When the stored
// document already equals doc, nothing is sent. After UpdateSAMLProvider
// (sent again on ConcurrentModification, bounded) it polls GetSAMLProvider
// with backoff until the stored document carries exactly doc's signing
// certificates, or returns a *NotPropagatedError after
// Options.PropagationTimeout. The provider is never deleted or recreated,
// and UpdateSAMLProvider carries only the document: the provider's
// assertion encryption mode and private keys stay as they are.
func (rp *RelyingParty) SetTrust(ctx context.Context, ref rotation.TrustRef, doc []byte) error {
	ref, err := rp.resolve(ref)
	if err != nil {
		return err
	}
	refuse := func(reason string, changes samlmeta.Changes, cause error) error {
		rp.log.WarnContext(ctx, "aws: SAML provider update refused", "account", ref.Account, "arn", ref.ARN, "reason", reason)
		return &ChangeRefusedError{Account: ref.Account, ARN: ref.ARN, Reason: reason, Changes: changes, Err: cause}
	}
	// Each document is parsed once; the parsed value is validated,
	// fingerprinted and compared.
	next, err := samlmeta.Parse(doc, samlmeta.WithMaxSize(len(doc)))
	if err == nil {
		err = next.ValidateIAM(rp.opts.Clock())
	}
	if err != nil {
		return refuse("the document fails IAM's rules: "+err.Error(), samlmeta.Changes{}, err)
	}
	want, err := fingerprints(next)
	if err != nil {
		return refuse("a signing certificate cannot be parsed: "+err.Error(), samlmeta.Changes{}, err)
	}

	out, err := rp.getProvider(ctx, ref)
	if err != nil {
		return err
	}
	stored := []byte(awssdk.ToString(out.SAMLMetadataDocument))
	current, err := samlmeta.Parse(stored, samlmeta.WithMaxSize(len(stored)))
	if err != nil {
		return refuse("the stored document cannot be parsed, so the change cannot be checked: "+err.Error(), samlmeta.Changes{}, err)
	}
	changes := samlmeta.Diff(current, next)
	if !changes.OnlyKeys() {
		return refuse(describeChanges(current, next, changes), changes, nil)
	}

	log := rp.log.With("account", ref.Account, "arn", ref.ARN)
	if bytes.Equal(stored, doc) {
		log.InfoContext(ctx, "aws: SAML provider already holds the document", "keys", want)
	} else {
		if err := rp.withConcurrencyRetry(ctx, ref, "UpdateSAMLProvider", func() error {
			_, err := rp.client.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{
				SAMLProviderArn:      &ref.ARN,
				SAMLMetadataDocument: awssdk.String(string(doc)),
			})
			return err
		}); err != nil {
			return err
		}
		log.InfoContext(ctx, "aws: SAML provider updated", "keys_added", changes.KeysAdded, "keys_removed", changes.KeysRemoved, "keys", want)
	}
	return rp.awaitKeys(ctx, ref, want, log)
}

func describeChanges(old, new *samlmeta.Metadata, c samlmeta.Changes) string {
	var parts []string
	if c.EntityID {
		parts = append(parts, fmt.Sprintf("entityID changes from %q to %q", old.EntityID(), new.EntityID()))
	}
	parts = append(parts, c.Endpoints...)
	for _, d := range c.Other {
		parts = append(parts, d.String())
	}
	return "only signing keys may change, but " + strings.Join(parts, "; ")
}

// fingerprints returns the sorted SHA-256 fingerprints of m's signing
// certificates.
func fingerprints(m *samlmeta.Metadata) ([]string, error) {
	certs, err := m.SigningCertificates()
	if err != nil {
		return nil, err
	}
	fps := make([]string, len(certs))
	for i, c := range certs {
		fps[i] = c.SHA256
	}
	slices.Sort(fps)
	return slices.Compact(fps), nil
}

// docFingerprints is fingerprints for raw bytes; nil when doc cannot be
// parsed.
func docFingerprints(doc []byte) []string {
	m, err := samlmeta.Parse(doc, samlmeta.WithMaxSize(len(doc)))
	if err != nil {
		return nil
	}
	fps, _ := fingerprints(m)
	return fps
}

// newBackoff returns the backoff used between polls and between retries:
// PollInterval doubling up to MaxPollInterval, with 20% jitter.
func (rp *RelyingParty) newBackoff() *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     rp.opts.PollInterval,
		RandomizationFactor: 0.2,
		Multiplier:          2,
		MaxInterval:         rp.opts.MaxPollInterval,
	}
}

// withConcurrencyRetry runs call, sending it again with backoff while IAM
// answers ConcurrentModification, at most ConcurrentModificationRetries
// times. Other errors return at once; all are mapped.
func (rp *RelyingParty) withConcurrencyRetry(ctx context.Context, ref rotation.TrustRef, op string, call func() error) error {
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := call()
		if err != nil && !isCode(err, codeConcurrentModification) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	},
		backoff.WithBackOff(rp.newBackoff()),
		backoff.WithMaxTries(uint(rp.opts.ConcurrentModificationRetries)+1),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, wait time.Duration) {
			rp.log.WarnContext(ctx, "aws: concurrent modification, retrying", "account", ref.Account, "arn", ref.ARN, "op", op, "wait", wait)
		}))
	return mapError(err, ref.Account, op, ref.ARN)
}

// awaitKeys polls GetSAMLProvider until the stored document's signing
// certificates are exactly want.
func (rp *RelyingParty) awaitKeys(ctx context.Context, ref rotation.TrustRef, want []string, log *slog.Logger) error {
	pollCtx, cancel := context.WithTimeout(ctx, rp.opts.PropagationTimeout)
	defer cancel()
	start := time.Now()
	b := rp.newBackoff()
	var got []string
	var last error
	for polls := 1; ; polls++ {
		out, err := rp.getProvider(pollCtx, ref)
		switch {
		case pollCtx.Err() != nil:
			// handled below
		case err == nil:
			got, last = docFingerprints([]byte(awssdk.ToString(out.SAMLMetadataDocument))), nil
			if slices.Equal(got, want) {
				log.InfoContext(ctx, "aws: SAML provider serves the new keys", "reads", polls, "waited", time.Since(start))
				return nil
			}
		case rotation.IsTransient(err):
			last = err
		default:
			return err
		}
		if pollCtx.Err() == nil && ctxsleep.Sleep(pollCtx, b.NextBackOff()) {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e := &NotPropagatedError{Account: ref.Account, ARN: ref.ARN, Want: want, Got: got, Polls: polls, Waited: time.Since(start), Last: last}
		log.WarnContext(ctx, "aws: SAML provider update not propagated", "reads", polls, "waited", e.Waited, "want", want, "got", got)
		return e
	}
}
