package rotationtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// RelyingParty is an in-memory rotation.RelyingParty that behaves as an
// AWS IAM SAML provider does for what is known of it: it stores each trust's
// document byte for byte and refuses (with rotation.ErrInvalidInput) a
// document IAM would refuse (see MetadataCertificates) or one that changes
// the entityID. It logs every call and can fail any of them (see FailCall
// and OnCall). It is safe for concurrent use.
type RelyingParty struct {
	*faults

	name string
	now  func() time.Time

	mu     sync.Mutex
	trusts map[string]*fakeTrust // by ARN
}

type fakeTrust struct {
	ref     rotation.TrustRef
	doc     []byte
	created time.Time
	uuid    string
}

// RPOption configures a RelyingParty.
type RPOption func(*RelyingParty)

// WithRPName sets Name(); the default is "fake-rp".
func WithRPName(name string) RPOption { return func(p *RelyingParty) { p.name = name } }

// NewRelyingParty returns a RelyingParty with no trust.
func NewRelyingParty(opts ...RPOption) *RelyingParty {
	p := &RelyingParty{faults: &faults{}, name: "fake-rp", now: time.Now, trusts: map[string]*fakeTrust{}}
	for _, o := range opts {
		o(p)
	}
	return p
}

var _ rotation.RelyingParty = (*RelyingParty)(nil)

// Name returns the provider's name.
func (p *RelyingParty) Name() string { return p.name }

// AddTrust seeds a trust with doc, which must be valid (no call is logged).
func (p *RelyingParty) AddTrust(ref rotation.TrustRef, doc []byte) error {
	if _, _, err := MetadataCertificates(doc); err != nil {
		return fmt.Errorf("fake rp: trust %s: %w", ref, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.trusts[ref.ARN] = &fakeTrust{ref: ref, doc: clone(doc), created: p.now().UTC(), uuid: rand.Text()}
	return nil
}

// Document returns the document held for arn, or nil.
func (p *RelyingParty) Document(arn string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.trusts[arn]; ok {
		return clone(t.doc)
	}
	return nil
}

// Snapshot returns the provider's state: each trust's ARN mapped to its
// document. It is comparable with assert.Equal.
func (p *RelyingParty) Snapshot() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := make(map[string]string, len(p.trusts))
	for arn, t := range p.trusts {
		s[arn] = string(t.doc)
	}
	return s
}

func (p *RelyingParty) lookup(ref rotation.TrustRef) (*fakeTrust, error) {
	t, ok := p.trusts[ref.ARN]
	if !ok || (ref.Account != "" && ref.Account != t.ref.Account) {
		return nil, fmt.Errorf("fake rp: trust %s: %w", ref, rotation.ErrNotFound)
	}
	return t, nil
}

// Trust returns the document held for ref.
func (p *RelyingParty) Trust(ctx context.Context, ref rotation.TrustRef) (rotation.TrustSnapshot, error) {
	if err := p.enter(ctx, "Trust", ref.ARN); err != nil {
		return rotation.TrustSnapshot{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, err := p.lookup(ref)
	if err != nil {
		return rotation.TrustSnapshot{}, err
	}
	return rotation.TrustSnapshot{Ref: t.ref, Document: clone(t.doc), CreateDate: t.created, UUID: t.uuid}, nil
}

// SetTrust replaces the document held for ref after validating it.
func (p *RelyingParty) SetTrust(ctx context.Context, ref rotation.TrustRef, doc []byte) error {
	if err := p.enter(ctx, "SetTrust", ref.ARN); err != nil {
		return err
	}
	entityID, _, err := MetadataCertificates(doc)
	if err != nil {
		return fmt.Errorf("fake rp: trust %s: %w", ref, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t, err := p.lookup(ref)
	if err != nil {
		return err
	}
	if old, _, _ := MetadataCertificates(t.doc); old != entityID {
		return fmt.Errorf("fake rp: trust %s: entityID %q would change to %q: %w", ref, old, entityID, rotation.ErrInvalidInput)
	}
	t.doc = clone(doc)
	return nil
}

// Trusts returns the ARNs of every trust.
func (p *RelyingParty) Trusts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return sortedKeys(p.trusts)
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func clone(b []byte) []byte { return append([]byte(nil), b...) }
