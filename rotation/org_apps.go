package rotation

import (
	"context"
	"fmt"
	"slices"

	"github.com/voicecert/voicecert/samlmeta"
)

// The SAML apps of no contact center and the trusts no app names: what
// preflight reads of them (when the identity provider is an AppLister and
// the relying party a TrustLister), and the refusal of a rotation that
// would switch an app whose service provider it does not update.

// signingAndApps reads the signing state and, with apps and an identity
// provider that is an AppLister, every SAML app of the org, at once. The
// apps of no contact center are added to the signing state.
func (e *orgEnv) signingAndApps(ctx context.Context, apps bool) (SigningState, []SAMLApp, error) {
	lister, ok := e.idp.(AppLister)
	if !apps || !ok {
		sig, err := e.idp.SigningState(ctx)
		if err != nil {
			return SigningState{}, nil, fmt.Errorf("read signing state: %w", err)
		}
		return sig, nil, nil
	}
	var (
		sig  SigningState
		list []SAMLApp
	)
	err := e.all(ctx,
		func(ctx context.Context) (err error) {
			if sig, err = e.idp.SigningState(ctx); err != nil {
				return fmt.Errorf("read signing state: %w", err)
			}
			return nil
		},
		func(ctx context.Context) (err error) {
			if list, err = lister.SAMLApps(ctx); err != nil {
				return fmt.Errorf("list SAML apps: %w", err)
			}
			return nil
		})
	if err != nil {
		return SigningState{}, nil, err
	}
	for _, a := range list {
		if _, known := sig.App(a.App.Name); !known && a.ContactCenter == "" {
			sig.Apps = append(sig.Apps, AppSigning{App: a.App, Certificate: a.Certificate, Pinned: a.Pinned})
		}
	}
	return sig, list, nil
}

// otherApps returns the model's apps of no contact center among list, and
// those given a relying party as contact centers with no name; it sets the
// kind of the contact centers' apps in ccApps. Names in the options that
// match no such app are refused.
func (e *orgEnv) otherApps(list []SAMLApp, ccApps []ModelApp) ([]ModelApp, []ContactCenter, error) {
	var (
		apps    []ModelApp
		targets []ContactCenter
		seen    = map[string]bool{}
	)
	for _, a := range list {
		if i := slices.IndexFunc(ccApps, func(x ModelApp) bool { return x.App.Name == a.App.Name }); i >= 0 {
			ccApps[i].Kind = a.Kind
			continue
		}
		if a.ContactCenter != "" {
			continue
		}
		seen[a.App.Name] = true
		m := ModelApp{App: a.App, Kind: a.Kind, Acknowledged: !a.Pinned && slices.Contains(e.opts.AcceptAffected, a.App.Name),
			ToPin: !a.Pinned && slices.Contains(e.opts.PinAffected, a.App.Name)}
		if r, ok := e.opts.AppRelyingParties[a.App.Name]; ok {
			if a.Pinned {
				return nil, nil, Permanent(fmt.Errorf("%w: app %s is pinned to its own certificate, so the rotation does not change it; it needs no relying party", ErrInvalidInput, a.App))
			}
			m.Trust, m.InScope = r.Trust, true
			targets = append(targets, ContactCenter{DisplayName: a.App.Label, App: a.App, Trust: r.Trust})
		}
		apps = append(apps, m)
	}
	for _, name := range slices.Concat(e.opts.AcceptAffected, e.opts.PinAffected, sortedKeys(e.opts.AppRelyingParties)) {
		if !seen[name] {
			return nil, nil, Permanent(fmt.Errorf("%w: the identity provider lists no SAML app %q of no contact center", ErrInvalidInput, name))
		}
	}
	return apps, targets, nil
}

// appTrustRefs returns the trusts of the apps given a relying party.
func (e *orgEnv) appTrustRefs() []TrustRef {
	var refs []TrustRef
	for _, name := range sortedKeys(e.opts.AppRelyingParties) {
		refs = append(refs, e.opts.AppRelyingParties[name].Trust)
	}
	return refs
}

// unattachedTrusts lists, when the relying party is a TrustLister, the
// trusts of the identity provider's entity id (read from the documents
// already in snaps) in the accounts of the contact centers' trusts ccs
// that no app names (named), and reads them into snaps. Those excluded
// (WithExcludeTrusts) are out of scope; an exclusion that names none is
// refused.
func (e *orgEnv) unattachedTrusts(ctx context.Context, ccs, named []TrustRef, snaps map[string]TrustSnapshot) ([]ModelTrust, error) {
	var accounts []string
	entityID := ""
	for _, ref := range ccs {
		if !slices.Contains(accounts, ref.Account) && ref.Account != "" {
			accounts = append(accounts, ref.Account)
		}
		if md, err := samlmeta.Parse(snaps[ref.ARN].Document); err == nil && entityID == "" {
			entityID = md.EntityID()
		}
	}
	var refs []TrustRef
	if e.lister != nil && entityID != "" && len(accounts) > 0 {
		// One call per account, as every fan-out of the plan (see
		// OrgOptions.Concurrency).
		per := make([][]TrustRef, len(accounts))
		err := e.parallel(ctx, len(accounts), func(ctx context.Context, i int) (err error) {
			if per[i], err = e.lister.TrustsOf(ctx, accounts[i:i+1], entityID); err != nil {
				return fmt.Errorf("list the trusts of %s in account %s: %w", entityID, accounts[i], err)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, ref := range slices.Concat(per...) {
			if !slices.ContainsFunc(named, func(x TrustRef) bool { return x.ARN == ref.ARN }) {
				refs = append(refs, ref)
			}
		}
	}
	for _, arn := range e.opts.ExcludeTrusts {
		if !slices.ContainsFunc(refs, func(r TrustRef) bool { return r.ARN == arn }) {
			return nil, Permanent(fmt.Errorf("%w: cannot exclude trust %s: it is not a trust of the identity provider that no app names", ErrInvalidInput, arn))
		}
	}
	read, err := e.readTrusts(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make([]ModelTrust, len(refs))
	for i, ref := range refs {
		snaps[ref.ARN] = read[ref.ARN]
		out[i] = ModelTrust{Ref: ref, Unattached: true, InScope: !slices.Contains(e.opts.ExcludeTrusts, ref.ARN)}
	}
	return out, nil
}

// extraTrusts returns the refs of the unattached trusts in scope.
func extraTrusts(ts []ModelTrust) []TrustRef {
	var refs []TrustRef
	for _, t := range ts {
		if t.InScope {
			refs = append(refs, t.Ref)
		}
	}
	return refs
}

// targets returns the contact centers in scope, then the apps given a
// relying party: what the trust, verify and retire steps work on.
func (st *State) targets() []ContactCenter {
	return slices.Concat(st.ContactCenters, st.AppTargets)
}

// trustsInScope returns every trust the rotation updates: those of its
// targets, then the unattached trusts in scope.
func (st *State) trustsInScope() []TrustRef {
	refs := trustRefs(st.targets())
	for _, ref := range st.ExtraTrusts {
		if !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	return refs
}

// checkAffected refuses, before any change, a rotation that would switch
// an app whose service provider it does not update and that the operator
// has not acknowledged (an *AffectedAppsError), and a rotation whose
// planned transitions would break a sign-in through an excluded trust (an
// *ExcludeError).
func (e *orgEnv) checkAffected(st *State) error {
	var affected []string
	for _, a := range st.Org.Apps {
		if a.ContactCenter == "" && a.Trust.IsZero() && !a.Pinned && !a.Acknowledged && !a.ToPin {
			affected = append(affected, a.App.Name)
		}
	}
	if len(affected) > 0 {
		return Permanent(&AffectedAppsError{Apps: affected, Certificate: st.OldDefault.SHA256})
	}
	if len(e.opts.ExcludeTrusts) == 0 {
		return nil
	}
	m := st.Org.Clone()
	outage := e.opts.Strategy == StrategyDirect
	steps := []string{StepTrust, StepActivate, StepRetire}
	if outage {
		steps = []string{StepActivate, StepTrust}
	}
	for _, step := range steps {
		for _, t := range e.transitions(st, step, NewCertificate) {
			if err := checkInvariant(m, t, outage); err != nil {
				return Permanent(&ExcludeError{Trusts: slices.Clone(e.opts.ExcludeTrusts), Cause: err})
			}
			m = m.After(t)
		}
	}
	return nil
}
