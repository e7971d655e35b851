package rotation

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// preflightStep observes the whole org into the State's Model, snapshots
// every setting the rotation may change, and checks the preconditions. It
// changes nothing.
type preflightStep struct{ *orgEnv }

func (s *preflightStep) Name() string { return StepPreflight }
func (s *preflightStep) Describe() string {
	return "discover every contact center (in scope or not), read the IdP certificate, every app's certificate and every IAM metadata document into the model; check preconditions"
}

// Apply discovers the contact centers once and then reads every trust they
// name while the identity provider's signing state is read: the two do not
// depend on each other (see OrgOptions.Concurrency).
func (s *preflightStep) Apply(ctx context.Context, st *State) error {
	if err := s.observeOrg(ctx, st); err != nil {
		return err
	}
	if err := s.pinGate(st, s.Apply); err != nil {
		return err
	}
	return s.checkAffected(st)
}

// observeOrg is Apply without the refusal of apps the rotation would
// change without updating their service providers (see checkAffected):
// what a plan shows.
func (s *preflightStep) observeOrg(ctx context.Context, st *State) error {
	var (
		all, ccs []ContactCenter
		snaps    map[string]TrustSnapshot
		until    map[string]time.Time
		sig      SigningState
		list     []SAMLApp
		unatt    []ModelTrust
	)
	discover := func(ctx context.Context) error {
		var err error
		if all, err = s.idp.ContactCenters(ctx); err != nil {
			return fmt.Errorf("discover contact centers: %w", err)
		}
		if ccs, err = s.scope(all); err != nil {
			return err
		}
		if len(ccs) == 0 {
			return Permanent(fmt.Errorf("%w: the org has no Amazon Connect contact center", ErrInvalidInput))
		}
		for _, c := range ccs {
			if c.Trust.IsZero() {
				return Permanent(fmt.Errorf("%w: contact center %q: %w", ErrInvalidInput, c.Name, errNoTrust))
			}
		}
		named := append(trustRefs(all), s.appTrustRefs()...)
		snaps, unatt, until, err = s.preflightReads(ctx, named, trustRefs(all), ccs)
		return err
	}
	signing := func(ctx context.Context) (err error) { sig, list, err = s.signingAndApps(ctx, true); return err }
	if err := s.all(ctx, discover, signing); err != nil {
		return err
	}
	if sig.Default.IsZero() {
		return Permanent(fmt.Errorf("%w: the org has no identity provider certificate", ErrInvalidInput))
	}
	if name := CertificateName(st.ID); sig.Default.Name == name || slices.ContainsFunc(sig.Apps, func(a AppSigning) bool { return a.Certificate.Name == name }) {
		return Permanent(fmt.Errorf("%w: rotation id %q is already used: certificate %s is in use; start a new rotation with a new id", ErrInvalidInput, st.ID, name))
	}
	ccApps := modelApps(all, ccs)
	others, targets, err := s.otherApps(list, ccApps)
	if err != nil {
		return err
	}
	m := modelOf(append(ccApps, others...), unatt, sig, documents(snaps))
	if err := s.outOfScopeFollowers(m); err != nil {
		return err
	}
	apps := map[string]AppState{}
	for _, c := range ccs {
		a, ok := m.App(c.App.Name)
		if !ok || a.Certificate.IsZero() {
			return fmt.Errorf("signing state has no entry for app %q of contact center %q", c.App, c.Name)
		}
		apps[c.App.Name] = AppState{App: c.App, Before: a.Certificate, Pinned: a.Pinned, Algorithm: algorithmOf(sig, c.App)}
	}
	for _, b := range m.Broken() {
		s.opts.Logger.WarnContext(ctx, "IAM trust does not trust the certificate the app signs with now; sign-in is probably failing already",
			"trust", b.Trust, "app", b.App, "app_sha256", b.Certificate)
	}
	trusts := map[string]TrustState{}
	extra := extraTrusts(unatt)
	for _, ref := range slices.Concat(trustRefs(slices.Concat(ccs, targets)), extra) {
		if len(m.Trusts[ref.ARN].Signing) == 0 {
			return Permanent(fmt.Errorf("trust %s holds a document that is not usable metadata: %w", ref, unusable(snaps[ref.ARN].Document)))
		}
		trusts[ref.ARN] = TrustState{Original: snaps[ref.ARN], IdPValidUntil: until[ref.ARN]}
	}

	st.Lock()
	defer st.Unlock()
	st.Org = m
	st.ContactCenters = ccs
	st.AppTargets, st.ExtraTrusts = targets, extra
	st.OldDefault = sig.Default
	st.Apps = apps
	st.Trusts = trusts
	return nil
}

// outOfScopeFollowers refuses a scope that leaves out an app that follows
// the org default while its trust is not updated: switching the default
// switches it too, and its sign-in would break.
func (s *preflightStep) outOfScopeFollowers(m Model) error {
	for _, a := range m.Apps {
		if a.InScope || a.Pinned || a.Trust.IsZero() {
			continue
		}
		if !slices.ContainsFunc(m.Apps, func(x ModelApp) bool { return x.InScope && x.Trust == a.Trust }) {
			return Permanent(fmt.Errorf("%w: contact center %q is out of scope but its app follows the org default certificate, so the rotation would break its sign-in; include it", ErrInvalidInput, a.ContactCenter))
		}
	}
	return nil
}

func (s *preflightStep) Rollback(context.Context, *State) error { return nil }
