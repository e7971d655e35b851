package rotation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// OrgPlan rotates the signing certificate of one org: one identity provider
// and the relying parties that trust its contact centers. It plans the
// rotation as transitions over a Model of the org (see Transitions) and
// returns steps that make them, each mutating call checked first (see the
// package documentation). Its steps share a State; build a Rotator from
// Steps to run them.
type OrgPlan struct {
	env *orgEnv
}

// orgEnv is what every org step uses: the two providers and the options.
// lister is the relying party's TrustLister, nil when it is not one.
type orgEnv struct {
	idp    IdentityProvider
	rp     RelyingParty
	lister TrustLister
	opts   OrgOptions
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
	if err := o.checkApps(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	lister, _ := rp.(TrustLister)
	return &OrgPlan{env: &orgEnv{idp: idp, rp: routeApps(rp, o.AppRelyingParties), lister: lister, opts: o}}, nil
}

// Options returns the plan's effective options.
func (p *OrgPlan) Options() OrgOptions { return p.env.opts }

// Steps returns the plan's steps in order.
//
// Overlap: preflight, stage, trust (old+new), activate, verify, soak,
// retire, and cleanup when DeleteOld is set.
// Direct: preflight, stage, activate, trust (new only), verify, and
// cleanup when DeleteOld is set.
func (p *OrgPlan) Steps() []Step {
	e := p.env
	steps := []Step{&preflightStep{e}, &stageStep{e}}
	if e.opts.Strategy == StrategyDirect {
		steps = append(steps, &activateStep{e}, &trustStep{e, stageFinal}, &verifyStep{e})
	} else {
		steps = append(steps, &trustStep{e, stageOverlap}, &activateStep{e}, &verifyStep{e}, &soakStep{e}, &retireStep{e})
	}
	if e.opts.DeleteOld {
		steps = append(steps, &cleanupStep{e})
	}
	return steps
}

// NewState returns the empty State a run of this plan starts from. id names
// the rotation (see NewRotationID); it also makes the new certificate's
// unique name, so a retry with the same id finds the certificate it already
// created.
//
// The state records the plan's options (see OrgOptionsFrom) so that a
// journaled rotation can be resumed by another process.
func (p *OrgPlan) NewState(id string) *State {
	return &State{ID: id, Target: p.env.idp.Name(), StartedAt: p.env.opts.Now().UTC(), Plan: p.planOptions()}
}

// LockKeys discovers the contact centers in scope (a read-only call) and
// returns the keys a Locker must hold for a rotation of this plan: the
// identity provider's org ([IdPLockKey]) and every relying-party trust
// ([TrustLockKey]).
func (p *OrgPlan) LockKeys(ctx context.Context) ([]string, error) {
	ccs, err := p.env.discoverScope(ctx)
	if err != nil {
		return nil, err
	}
	idpKey, err := IdPLockKey(ctx, p.env.idp)
	if err != nil {
		return nil, err
	}
	keys := []string{idpKey}
	for _, ref := range trustRefs(ccs) {
		keys = append(keys, TrustLockKey(ref))
	}
	return keys, nil
}

// discoverScope discovers the contact centers (a read) and returns those in
// scope.
func (e *orgEnv) discoverScope(ctx context.Context) ([]ContactCenter, error) {
	all, err := e.idp.ContactCenters(ctx)
	if err != nil {
		return nil, fmt.Errorf("discover contact centers: %w", err)
	}
	return e.scope(all)
}

// scope returns the contact centers of all that are in scope, refusing
// names that match none.
func (e *orgEnv) scope(all []ContactCenter) ([]ContactCenter, error) {
	if len(e.opts.ContactCenters) == 0 {
		return all, nil
	}
	var out []ContactCenter
	for _, name := range e.opts.ContactCenters {
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
