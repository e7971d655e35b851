package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Strategy is the order in which an org rotation changes the relying parties
// and the identity provider.
type Strategy string

const (
	// StrategyOverlap first makes every relying party trust the old and the
	// new certificate, then switches the identity provider, verifies, and
	// only then retires the old certificate: single sign-on never breaks.
	StrategyOverlap Strategy = "overlap"
	// StrategyDirect follows the manual procedure's order: switch the
	// identity provider, then replace each relying party's metadata. Single
	// sign-on fails between the two. Use it only for relying parties that
	// refuse a document with two signing certificates.
	StrategyDirect Strategy = "direct"
)

// Names of the org plan's steps, usable with WithStepBefore and WithStepAfter.
const (
	StepPreflight = "preflight"
	StepStage     = "stage"
	StepTrust     = "trust"
	StepActivate  = "activate"
	StepVerify    = "verify"
	StepSoak      = "soak"
	StepRetire    = "retire"
	StepCleanup   = "cleanup"
)

// Key sizes the org plan accepts for a new certificate. Service Cloud Voice
// accepts keys up to 4096 bits; IAM requires at least 1024, and we never go
// below 2048.
const (
	MinKeyBits     = 2048
	MaxKeyBits     = 4096
	DefaultKeyBits = 4096
)

// OrgOptions configure an org plan. Build them with the With… OrgOption
// functions; NewOrgPlan fills in the defaults.
type OrgOptions struct {
	// Strategy is StrategyOverlap (default) or StrategyDirect.
	Strategy Strategy
	// KeyBits is the new certificate's RSA key size (default 4096).
	KeyBits int
	// LabelTemplate makes the new certificate's label; see CertificateLabel.
	LabelTemplate string
	// Soak is how long to wait after verification before retiring the old
	// certificate from the relying parties (overlap only).
	Soak time.Duration
	// ContactCenters limits the rotation to contact centers with these
	// internal names (all when empty).
	ContactCenters []string
	// Canary is how many contact centers are changed and checked, one at a
	// time, before the rest (default 1).
	Canary int
	// Concurrency bounds how many contact centers (and relying parties) are
	// changed at once after the canaries, and how many independent reads
	// (trust snapshots, verification's reads and sign-ins) go out at once
	// (default 4). 1 makes every call wait for the previous one, in a fixed
	// order.
	Concurrency int
	// DeleteOld deletes the previous certificate at the end. It cannot be
	// undone, so it is off by default and runs as the very last step.
	DeleteOld bool
	// AllowSHA1 accepts SHA-1 signatures when verifying a SAML Response.
	AllowSHA1 bool
	// Logger receives the plan's audit records (old and new fingerprints
	// of every change).
	Logger *slog.Logger
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Sleep waits for d or until ctx ends (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// OrgOption configures an org plan.
type OrgOption func(*OrgOptions)

// WithStrategy selects the rotation strategy.
func WithStrategy(s Strategy) OrgOption { return func(o *OrgOptions) { o.Strategy = s } }

// WithKeyBits sets the new certificate's key size: 2048 or 4096.
func WithKeyBits(bits int) OrgOption { return func(o *OrgOptions) { o.KeyBits = bits } }

// WithLabelTemplate sets the template of the new certificate's label.
func WithLabelTemplate(t string) OrgOption { return func(o *OrgOptions) { o.LabelTemplate = t } }

// WithSoak sets how long the overlap lasts after verification.
func WithSoak(d time.Duration) OrgOption { return func(o *OrgOptions) { o.Soak = d } }

// WithContactCenters limits the rotation to the named contact centers.
func WithContactCenters(names ...string) OrgOption {
	return func(o *OrgOptions) { o.ContactCenters = append(o.ContactCenters, names...) }
}

// WithCanary sets how many contact centers go first, one at a time.
func WithCanary(n int) OrgOption { return func(o *OrgOptions) { o.Canary = n } }

// WithConcurrency bounds how many contact centers change at once.
func WithConcurrency(n int) OrgOption { return func(o *OrgOptions) { o.Concurrency = n } }

// WithDeleteOld deletes the previous certificate at the end of a rotation.
func WithDeleteOld(on bool) OrgOption { return func(o *OrgOptions) { o.DeleteOld = on } }

// WithAllowSHA1 accepts SHA-1 signed Responses during verification.
func WithAllowSHA1(on bool) OrgOption { return func(o *OrgOptions) { o.AllowSHA1 = on } }

// WithOrgLogger sets the logger for the plan's audit records.
func WithOrgLogger(l *slog.Logger) OrgOption { return func(o *OrgOptions) { o.Logger = l } }

// WithOrgClock replaces the clock and the sleep used by the plan (tests).
func WithOrgClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) OrgOption {
	return func(o *OrgOptions) {
		if now != nil {
			o.Now = now
		}
		if sleep != nil {
			o.Sleep = sleep
		}
	}
}

// OrgPlan rotates the signing certificate of one org: one identity provider
// and the relying parties that trust its contact centers. Its steps share a
// State; build a Rotator from Steps to run them.
type OrgPlan struct {
	idp  IdentityProvider
	rp   RelyingParty
	opts OrgOptions
	// recent are the sign-ins of the last verification that passed.
	recent recentSignIns
}

// NewOrgPlan checks the options and returns the plan. rp serves every trust
// of the org; a backend that spans several AWS accounts dispatches on
// TrustRef.Account.
func NewOrgPlan(idp IdentityProvider, rp RelyingParty, opts ...OrgOption) (*OrgPlan, error) {
	if idp == nil || rp == nil {
		return nil, fmt.Errorf("%w: an org plan needs an identity provider and a relying party", ErrInvalidInput)
	}
	o := OrgOptions{
		Strategy:      StrategyOverlap,
		KeyBits:       DefaultKeyBits,
		LabelTemplate: DefaultLabelTemplate,
		Canary:        1,
		Concurrency:   4,
		Now:           time.Now,
		Sleep:         sleepCtx,
	}
	for _, fn := range opts {
		fn(&o)
	}
	switch {
	case o.Strategy != StrategyOverlap && o.Strategy != StrategyDirect:
		return nil, fmt.Errorf("%w: unknown strategy %q (want %q or %q)", ErrInvalidInput, o.Strategy, StrategyOverlap, StrategyDirect)
	case o.KeyBits != 2048 && o.KeyBits != 4096:
		return nil, fmt.Errorf("%w: key size %d bits: the new certificate must have 2048 or 4096 bits", ErrInvalidInput, o.KeyBits)
	case o.Canary < 0 || o.Concurrency < 1:
		return nil, fmt.Errorf("%w: canary %d and concurrency %d: need canary >= 0 and concurrency >= 1", ErrInvalidInput, o.Canary, o.Concurrency)
	case o.Soak < 0:
		return nil, fmt.Errorf("%w: negative soak %s", ErrInvalidInput, o.Soak)
	}
	if _, err := CertificateLabel(o.LabelTemplate, "x", o.Now()); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &OrgPlan{idp: idp, rp: rp, opts: o}, nil
}

// Options returns the plan's effective options.
func (p *OrgPlan) Options() OrgOptions { return p.opts }

// Steps returns the plan's steps in order.
//
// Overlap: preflight, stage, trust (old+new), activate, verify, soak,
// retire, and cleanup when DeleteOld is set.
// Direct: preflight, stage, activate, trust (new only), verify, and
// cleanup when DeleteOld is set.
func (p *OrgPlan) Steps() []Step {
	steps := []Step{
		&preflightStep{p},
		&stageStep{p},
	}
	if p.opts.Strategy == StrategyDirect {
		steps = append(steps, &activateStep{p}, &trustStep{p, stageFinal}, &verifyStep{p, StepVerify})
	} else {
		steps = append(steps, &trustStep{p, stageOverlap}, &activateStep{p}, &verifyStep{p, StepVerify})
		steps = append(steps, &soakStep{p}, &retireStep{p})
	}
	if p.opts.DeleteOld {
		steps = append(steps, &cleanupStep{p})
	}
	return steps
}

// NewState returns the empty State a run of this plan starts from. id names
// the rotation; it also makes the new certificate's unique name, so a retry
// with the same id finds the certificate it already created.
//
// The state records the plan's options (see OrgOptionsFrom) so that a
// journaled rotation can be resumed by another process.
func (p *OrgPlan) NewState(id string) *State {
	st := &State{ID: id, Target: p.idp.Name(), Strategy: string(p.opts.Strategy), StartedAt: p.opts.Now().UTC()}
	p.recordOptions(st)
	return st
}

// LockKeys discovers the contact centers in scope (a read-only call) and
// returns the keys a Locker must hold for a rotation of this plan: the
// identity provider's org ([IdPLockKey]) and every relying-party trust
// ([TrustLockKey]).
func (p *OrgPlan) LockKeys(ctx context.Context) ([]string, error) {
	all, err := p.idp.ContactCenters(ctx)
	if err != nil {
		return nil, fmt.Errorf("discover contact centers: %w", err)
	}
	ccs, err := p.scope(all)
	if err != nil {
		return nil, err
	}
	idpKey, err := IdPLockKey(ctx, p.idp)
	if err != nil {
		return nil, err
	}
	keys := []string{idpKey}
	for _, ref := range trustRefs(ccs) {
		keys = append(keys, TrustLockKey(ref))
	}
	return keys, nil
}

// scope returns the contact centers of all that are in scope, refusing
// names that match none.
func (p *OrgPlan) scope(all []ContactCenter) ([]ContactCenter, error) {
	if len(p.opts.ContactCenters) == 0 {
		return all, nil
	}
	var out []ContactCenter
	for _, name := range p.opts.ContactCenters {
		i := slices.IndexFunc(all, func(c ContactCenter) bool { return c.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("%w: no Amazon Connect contact center named %q", ErrInvalidInput, name)
		}
		out = append(out, all[i])
	}
	return out, nil
}

// trustRefs returns the distinct non-zero trusts of ccs in first-seen order.
func trustRefs(ccs []ContactCenter) []TrustRef {
	var refs []TrustRef
	for _, c := range ccs {
		if !c.Trust.IsZero() && !slices.Contains(refs, c.Trust) {
			refs = append(refs, c.Trust)
		}
	}
	return refs
}

// DefaultLabelTemplate is the default label of a new certificate.
const DefaultLabelTemplate = "SCV IdP {date}"

// CertificateLabel expands a label template: {date} becomes the date as
// 2006-01-02, {id} the rotation id. The result is at most 64 characters
// (the Salesforce limit) and must not be empty.
func CertificateLabel(template, id string, now time.Time) (string, error) {
	label := strings.NewReplacer("{date}", now.UTC().Format("2006-01-02"), "{id}", id).Replace(template)
	label = strings.TrimSpace(label)
	if label == "" || len([]rune(label)) > 64 {
		return "", fmt.Errorf("%w: certificate label %q must have 1 to 64 characters", ErrInvalidInput, label)
	}
	return label, nil
}

// CertificateName returns the unique name of the certificate a rotation
// creates: letters, digits and underscores, starting with a letter, unique
// per rotation id.
func CertificateName(id string) string {
	var b strings.Builder
	b.WriteString("voicecert_")
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.TrimRight(b.String(), "_")
	for strings.Contains(name, "__") {
		name = strings.ReplaceAll(name, "__", "_")
	}
	if len(name) > 80 {
		name = name[:80]
	}
	return name
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errNoTrust reports a contact center whose app names no relying party.
var errNoTrust = errors.New("the connected app has no https://aws.amazon.com/SAML/Attributes/Role attribute naming an IAM SAML provider")
