package rotation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/voicecert/voicecert/samlmeta"
)

// preflightStep discovers the contact centers, snapshots every setting the
// rotation may change, and checks the preconditions. It changes nothing.
type preflightStep struct{ p *OrgPlan }

func (s *preflightStep) Name() string { return StepPreflight }
func (s *preflightStep) Describe() string {
	return "discover the contact centers, snapshot the IdP certificate, every app's certificate and every IAM metadata document; check preconditions"
}

// Apply discovers the contact centers once and then snapshots their trusts
// while the identity provider's signing state is read: the two do not
// depend on each other (see OrgOptions.Concurrency).
func (s *preflightStep) Apply(ctx context.Context, st *State) error {
	p := s.p
	var (
		all, ccs []ContactCenter
		inScope  []TrustRef
		snaps    []TrustSnapshot
		sig      SigningState
	)
	discover := func(ctx context.Context) error {
		var err error
		if all, err = p.idp.ContactCenters(ctx); err != nil {
			return fmt.Errorf("discover contact centers: %w", err)
		}
		if ccs, err = p.scope(all); err != nil {
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
		inScope = trustRefs(ccs)
		snaps = make([]TrustSnapshot, len(inScope))
		return p.parallel(ctx, len(inScope), func(ctx context.Context, i int) error {
			snap, err := p.rp.Trust(ctx, inScope[i])
			if err != nil {
				return fmt.Errorf("snapshot trust %s: %w", inScope[i], err)
			}
			snaps[i] = snap
			return nil
		})
	}
	signing := func(ctx context.Context) error {
		var err error
		if sig, err = p.idp.SigningState(ctx); err != nil {
			return fmt.Errorf("read signing state: %w", err)
		}
		return nil
	}
	if err := p.all(ctx, discover, signing); err != nil {
		return err
	}
	if sig.Default.IsZero() {
		return Permanent(fmt.Errorf("%w: the org has no identity provider certificate", ErrInvalidInput))
	}
	// Switching the org default also switches every app that follows it; an
	// app outside the scope whose IAM trust the rotation does not update
	// would lose single sign-on.
	for _, c := range all {
		if slices.ContainsFunc(ccs, func(x ContactCenter) bool { return x.Name == c.Name }) {
			continue
		}
		a, ok := sig.App(c.App.Name)
		if ok && !a.Pinned && !c.Trust.IsZero() && !slices.Contains(inScope, c.Trust) {
			return Permanent(fmt.Errorf("%w: contact center %q is out of scope but its app follows the org default certificate, so the rotation would break its sign-in; include it", ErrInvalidInput, c.Name))
		}
	}
	apps := map[string]AppState{}
	for _, c := range ccs {
		a, ok := sig.App(c.App.Name)
		if !ok {
			return fmt.Errorf("signing state has no entry for app %q of contact center %q", c.App, c.Name)
		}
		apps[c.App.Name] = AppState{App: c.App, Before: a.Certificate, Pinned: a.Pinned}
	}
	trusts := map[string]TrustState{}
	for i, ref := range inScope {
		snap := snaps[i]
		md, err := samlmeta.Parse(snap.Document)
		if err != nil {
			return Permanent(fmt.Errorf("trust %s holds a document that is not usable metadata: %w", ref, err))
		}
		certs, _ := md.SigningCertificates()
		for _, c := range ccs {
			a := apps[c.App.Name]
			if c.Trust == ref && !slices.ContainsFunc(certs, func(x *samlmeta.Cert) bool { return x.SHA256 == a.Before.SHA256 }) {
				p.opts.Logger.WarnContext(ctx, "IAM trust does not trust the certificate the app signs with now; sign-in is probably failing already",
					"trust", ref.ARN, "app", c.App.Name, "app_sha256", a.Before.SHA256)
			}
		}
		trusts[ref.ARN] = TrustState{Original: snap}
	}

	st.Lock()
	defer st.Unlock()
	st.ContactCenters = ccs
	st.OldDefault = sig.Default
	st.Apps = apps
	st.Trusts = trusts
	return nil
}

func (s *preflightStep) Rollback(context.Context, *State) error { return nil }

// stageStep creates the new certificate.
type stageStep struct{ p *OrgPlan }

func (s *stageStep) Name() string { return StepStage }
func (s *stageStep) Describe() string {
	return fmt.Sprintf("create a new self-signed %d-bit signing certificate (rollback deletes it)", s.p.opts.KeyBits)
}

func (s *stageStep) Apply(ctx context.Context, st *State) error {
	p := s.p
	label, err := CertificateLabel(p.opts.LabelTemplate, st.ID, p.opts.Now())
	if err != nil {
		return Permanent(err)
	}
	spec := CertificateSpec{Name: CertificateName(st.ID), Label: label, KeyBits: p.opts.KeyBits}
	cert, err := p.idp.CreateCertificate(ctx, spec)
	if err != nil {
		return fmt.Errorf("create certificate %s: %w", spec.Name, err)
	}
	switch {
	case cert.SHA256 == "" || len(cert.DER) == 0:
		return Permanent(fmt.Errorf("created certificate %s came back without its X.509 certificate", spec.Name))
	case cert.KeyBits != p.opts.KeyBits:
		return Permanent(fmt.Errorf("created certificate %s has %d-bit key, asked for %d", spec.Name, cert.KeyBits, p.opts.KeyBits))
	case !cert.NotAfter.After(p.opts.Now()):
		return Permanent(fmt.Errorf("created certificate %s expired at %s", spec.Name, cert.NotAfter))
	}
	st.Lock()
	st.New = cert
	st.Unlock()
	p.opts.Logger.InfoContext(ctx, "audit: certificate created", "certificate", cert.Name, "sha256", cert.SHA256,
		"not_after", cert.NotAfter, "key_bits", cert.KeyBits)
	return nil
}

// Rollback deletes the certificate named after the rotation, whether or not
// Apply got as far as recording it.
func (s *stageStep) Rollback(ctx context.Context, st *State) error {
	name := CertificateName(st.ID)
	if err := s.p.idp.DeleteCertificate(ctx, name); err != nil {
		return fmt.Errorf("delete certificate %s: %w", name, err)
	}
	s.p.opts.Logger.InfoContext(ctx, "audit: certificate deleted", "certificate", name, "sha256", st.New.SHA256)
	return nil
}

// Trust stages.
const (
	stageOverlap = "overlap"
	stageFinal   = "final"
)

// trustStep sets every relying party's document: old and new certificates
// (overlap) or the new one only (direct).
type trustStep struct {
	p     *OrgPlan
	stage string
}

func (s *trustStep) Name() string { return StepTrust }
func (s *trustStep) Describe() string {
	if s.stage == stageOverlap {
		return "make every IAM SAML provider trust the old AND the new certificate (same entityID and endpoints), waiting until IAM serves it"
	}
	return "replace every IAM SAML provider's signing certificate with the new one (sign-in fails until this completes)"
}

func (s *trustStep) Apply(ctx context.Context, st *State) error {
	return s.p.setTrusts(ctx, st, s.stage)
}

func (s *trustStep) Rollback(ctx context.Context, st *State) error {
	return s.p.restoreTrusts(ctx, st, func(ts TrustState) []byte { return ts.Original.Document })
}

// trustDocument derives the document of a stage from the original snapshot.
func trustDocument(ts TrustState, newCert Certificate, stage string) ([]byte, error) {
	md, err := samlmeta.Parse(ts.Original.Document)
	if err != nil {
		return nil, Permanent(err)
	}
	c, err := samlmeta.ParseCertDER(newCert.DER)
	if err != nil {
		return nil, Permanent(fmt.Errorf("new certificate: %w", err))
	}
	if stage == stageOverlap {
		err = md.AddSigningCertificate(c)
	} else {
		err = md.SetSigningCertificates(c)
	}
	if err != nil {
		return nil, Permanent(err)
	}
	return md.Bytes(), nil
}

// setTrusts sets every trust in scope to the document of stage, canaries
// first.
func (p *OrgPlan) setTrusts(ctx context.Context, st *State, stage string) error {
	refs := trustRefs(st.ContactCenters)
	return p.fanOut(ctx, len(refs), func(ctx context.Context, i int) error {
		ref := refs[i]
		st.Lock()
		ts, ok := st.Trusts[ref.ARN]
		newCert := st.New
		st.Unlock()
		if !ok {
			return fmt.Errorf("no snapshot of trust %s: preflight did not run", ref)
		}
		doc, err := trustDocument(ts, newCert, stage)
		if err != nil {
			return fmt.Errorf("build %s document for %s: %w", stage, ref, err)
		}
		if err := p.rp.SetTrust(ctx, ref, doc); err != nil {
			return fmt.Errorf("set %s trust %s: %w", stage, ref, err)
		}
		st.Lock()
		if stage == stageOverlap {
			ts.Overlap = doc
		} else {
			ts.Final = doc
		}
		ts.Stage = stage
		st.Trusts[ref.ARN] = ts
		st.Unlock()
		p.opts.Logger.InfoContext(ctx, "audit: trust document set", "trust", ref.ARN, "stage", stage,
			"added_sha256", newCert.SHA256, "bytes", len(doc))
		return nil
	})
}

// restoreTrusts puts back, where it differs, the document pick chooses.
// It reads before it writes so that it is idempotent and writes nothing
// that is already in place.
func (p *OrgPlan) restoreTrusts(ctx context.Context, st *State, pick func(TrustState) []byte) error {
	refs := trustRefs(st.ContactCenters)
	return p.each(ctx, len(refs), func(ctx context.Context, i int) error {
		ref := refs[i]
		st.Lock()
		ts := st.Trusts[ref.ARN]
		st.Unlock()
		want := pick(ts)
		if len(want) == 0 {
			return nil
		}
		cur, err := p.rp.Trust(ctx, ref)
		if err != nil {
			return fmt.Errorf("read trust %s: %w", ref, err)
		}
		if bytes.Equal(cur.Document, want) {
			return nil
		}
		if err := p.rp.SetTrust(ctx, ref, want); err != nil {
			return fmt.Errorf("restore trust %s: %w", ref, err)
		}
		p.opts.Logger.InfoContext(ctx, "audit: trust document restored", "trust", ref.ARN, "bytes", len(want))
		return nil
	})
}

// activateStep switches the identity provider to the new certificate.
type activateStep struct{ p *OrgPlan }

func (s *activateStep) Name() string { return StepActivate }
func (s *activateStep) Describe() string {
	return "make the new certificate the org's IdP certificate; switch every pinned app (a person may be asked)"
}

func (s *activateStep) Apply(ctx context.Context, st *State) error {
	p := s.p
	if err := p.idp.SetDefaultCertificate(ctx, st.New.Name); err != nil {
		return fmt.Errorf("set IdP certificate %s: %w", st.New.Name, err)
	}
	p.opts.Logger.InfoContext(ctx, "audit: IdP certificate set", "old", st.OldDefault.Name, "old_sha256", st.OldDefault.SHA256,
		"new", st.New.Name, "new_sha256", st.New.SHA256)
	return p.setApps(ctx, st, func(a AppState) string { return st.New.Name }, true)
}

// Rollback restores the org default first, then asks every app back onto
// the certificate it had. Going through every app, not only those seen as
// pinned, also catches an app pinned to the very certificate that was the
// default (which no endpoint can tell from following the default).
func (s *activateStep) Rollback(ctx context.Context, st *State) error {
	p := s.p
	if st.OldDefault.Name != "" {
		if err := p.idp.SetDefaultCertificate(ctx, st.OldDefault.Name); err != nil {
			return fmt.Errorf("restore IdP certificate %s: %w", st.OldDefault.Name, err)
		}
		p.opts.Logger.InfoContext(ctx, "audit: IdP certificate restored", "certificate", st.OldDefault.Name, "sha256", st.OldDefault.SHA256)
	}
	return p.setApps(ctx, st, func(a AppState) string { return a.Before.Name }, false)
}

// setApps sets every in-scope app to the certificate target names; an app
// that follows the default needs nothing and the backend says so. Changes
// that need a person are gathered into one *ManualActionError whose Wait
// waits for all of them. Forward it stops at the first error (canaries
// first); backward it tries every app.
func (p *OrgPlan) setApps(ctx context.Context, st *State, target func(AppState) string, forward bool) error {
	var apps []AppState
	for _, c := range st.ContactCenters {
		a, ok := st.Apps[c.App.Name]
		if ok && !slices.ContainsFunc(apps, func(x AppState) bool { return x.App == a.App }) {
			apps = append(apps, a)
		}
	}
	var (
		mu     sync.Mutex
		manual []*ManualActionError
	)
	run := p.fanOut
	if !forward {
		run = p.each
	}
	err := run(ctx, len(apps), func(ctx context.Context, i int) error {
		a := apps[i]
		name := target(a)
		if name == "" {
			return Permanent(fmt.Errorf("app %s: the certificate to set has no name known to the identity provider", a.App))
		}
		err := p.idp.SetAppCertificate(ctx, a.App, name)
		// A pinned app switched forward ends on the new certificate;
		// backward it is back on its own.
		record := func() {
			if a.Pinned {
				st.Lock()
				a.Switched = forward
				st.Apps[a.App.Name] = a
				st.Unlock()
			}
		}
		var m *ManualActionError
		switch {
		case errors.As(err, &m):
			if wait := m.Wait; wait != nil {
				mm := *m
				mm.Wait = func(ctx context.Context) error {
					if err := wait(ctx); err != nil {
						return err
					}
					record()
					return nil
				}
				m = &mm
			}
			mu.Lock()
			manual = append(manual, m)
			mu.Unlock()
			return nil
		case err != nil:
			return fmt.Errorf("set certificate of app %s: %w", a.App, err)
		}
		record()
		return nil
	})
	if err != nil {
		return err
	}
	return joinManual(manual)
}

// joinManual merges the manual actions of several apps into one whose Wait
// waits for all; nil when there is none.
func joinManual(ms []*ManualActionError) error {
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	slices.SortFunc(ms, func(a, b *ManualActionError) int { return strings.Compare(a.App.Name, b.App.Name) })
	var actions, instructions []string
	var changes []AppChange
	for _, m := range ms {
		actions = append(actions, m.Action)
		instructions = append(instructions, m.Instructions)
		changes = append(changes, m.AppChanges()...)
	}
	out := &ManualActionError{
		Action:       strings.Join(actions, "; "),
		Instructions: strings.Join(instructions, "\n\n"),
		App:          changes[0].App,
		Certificate:  changes[0].Certificate,
		Changes:      changes,
		Wait: func(ctx context.Context) error {
			g, ctx := errgroup.WithContext(ctx)
			for _, m := range ms {
				if m.Wait != nil {
					g.Go(func() error { return m.Wait(ctx) })
				}
			}
			return g.Wait()
		},
	}
	for _, m := range ms {
		out.Timeout = max(out.Timeout, m.Timeout)
	}
	return out
}

// fanOut runs fn for items 0..n-1: the first Canary items one at a time,
// then the rest with bounded concurrency. The first error stops the rest.
func (p *OrgPlan) fanOut(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	canary := min(p.opts.Canary, n)
	for i := range canary {
		if err := fn(ctx, i); err != nil {
			return err
		}
	}
	return p.parallel(ctx, n-canary, func(ctx context.Context, i int) error { return fn(ctx, canary+i) })
}

// each runs fn for every item with bounded concurrency, never stopping early,
// and joins the errors (rollback wants every item tried).
func (p *OrgPlan) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(p.opts.Concurrency)
	for i := range n {
		g.Go(func() error { errs[i] = fn(ctx, i); return nil })
	}
	_ = g.Wait()
	return joinManualAware(errs)
}

// joinManualAware joins errs, keeping manual actions as one
// *ManualActionError when they are the only errors.
func joinManualAware(errs []error) error {
	var manual []*ManualActionError
	var other []error
	for _, err := range errs {
		var m *ManualActionError
		switch {
		case err == nil:
		case errors.As(err, &m):
			manual = append(manual, m)
		default:
			other = append(other, err)
		}
	}
	if len(other) > 0 {
		return errors.Join(other...)
	}
	return joinManual(manual)
}

// verifyStep checks three-way agreement and, where the identity provider can
// produce one, that a signed Response verifies against what IAM holds.
type verifyStep struct {
	p    *OrgPlan
	name string
}

func (s *verifyStep) Name() string { return s.name }
func (s *verifyStep) Describe() string {
	return "check that the IdP setting, every app's effective certificate and every IAM document agree on the new certificate; verify a signed SAML Response against the metadata IAM holds"
}

func (s *verifyStep) Apply(ctx context.Context, st *State) error {
	signIns, err := s.p.verify(ctx, st, nil)
	if err == nil && signIns != nil {
		s.p.recent.keep(st, s.p.opts.Now(), signIns)
	}
	return err
}
func (s *verifyStep) Rollback(context.Context, *State) error { return nil }

// VerifyError lists every disagreement verification found. It is transient:
// the engine retries verification before it gives up and rolls back.
type VerifyError struct{ Problems []string }

func (e *VerifyError) Error() string {
	return "verification failed: " + strings.Join(e.Problems, "; ")
}

// signIn is one app's IdP-initiated login: the Response, or why none came;
// or, once a Response passed its check, what it proved: the certificate
// that verified it and its Issuer (the Response itself, a bearer
// credential while valid, is then dropped).
type signIn struct {
	resp string
	err  error

	signedBy, issuer string
}

// proven returns what the check a of a Response proved.
func proven(a *samlmeta.Assertion) signIn {
	if a == nil || a.SignedBy == nil {
		return signIn{}
	}
	return signIn{signedBy: a.SignedBy.SHA256, issuer: a.Issuer}
}

// signIns signs in to every app in scope at once; nil when the identity
// provider cannot sign a Response.
func (p *OrgPlan) signIns(ctx context.Context, st *State) []signIn {
	lt, ok := p.idp.(LoginTester)
	if !ok {
		return nil
	}
	out := make([]signIn, len(st.ContactCenters))
	_ = p.parallel(ctx, len(out), func(ctx context.Context, i int) error {
		out[i] = p.signIn(ctx, lt, st.ContactCenters[i].App)
		return nil
	})
	return out
}

func (p *OrgPlan) signIn(ctx context.Context, lt LoginTester, app AppRef) signIn {
	resp, err := lt.SAMLResponse(ctx, app)
	if err != nil {
		return signIn{err: fmt.Errorf("sign in to app %s: %w", app, err)}
	}
	return signIn{resp: resp}
}

// verify reads the signing state, every trust document and, where the
// identity provider can sign one, a Response for every app, all at once
// (they do not depend on each other), and checks each Response against its
// trust's document as soon as both are there, so that the signature checks
// share the CPU with the calls still waiting. Each document is parsed once.
// A failed sign-in is reported only when the three-way agreement holds:
// until then the disagreement is the problem.
//
// signed, when given, stands for the sign-ins: Responses to check, or what
// earlier checks proved (see signIn), which is confirmed against the
// documents read now. Otherwise verify returns what its own sign-ins
// proved, when everything passed.
func (p *OrgPlan) verify(ctx context.Context, st *State, signed []signIn) ([]signIn, error) {
	refs := trustRefs(st.ContactCenters)
	var (
		sig       SigningState
		trusts    = map[string]trustDoc{}
		docsRead  = make(chan struct{})
		loginErrs = make([]error, len(st.ContactCenters))
		checked   = make([]*samlmeta.Assertion, len(st.ContactCenters))
		checkErrs = make([]error, len(st.ContactCenters))
		made      = make([]signIn, len(st.ContactCenters))
	)
	var vopts []samlmeta.VerifyOption
	if p.opts.AllowSHA1 {
		vopts = append(vopts, samlmeta.AllowSHA1())
	}
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) {
			if sig, err = p.idp.SigningState(ctx); err != nil {
				return fmt.Errorf("read signing state: %w", err)
			}
			return nil
		},
		func(ctx context.Context) error {
			read := make([]trustDoc, len(refs))
			err := p.parallel(ctx, len(refs), func(ctx context.Context, i int) error {
				snap, err := p.rp.Trust(ctx, refs[i])
				if err != nil {
					return fmt.Errorf("read trust %s: %w", refs[i], err)
				}
				read[i] = parseTrustDoc(snap.Document)
				return nil
			})
			if err != nil {
				return err
			}
			for i, ref := range refs {
				trusts[ref.ARN] = read[i]
			}
			close(docsRead)
			return nil
		},
	}
	lt, canLogin := p.idp.(LoginTester)
	if canLogin {
		reads = append(reads, func(ctx context.Context) error {
			return p.parallel(ctx, len(st.ContactCenters), func(ctx context.Context, i int) error {
				c := st.ContactCenters[i]
				var in signIn
				if signed != nil {
					in = signed[i]
				} else {
					in = p.signIn(ctx, lt, c.App)
				}
				if in.err != nil {
					loginErrs[i] = in.err
					return nil // judged below, once the agreement is known
				}
				select {
				case <-docsRead:
				case <-ctx.Done():
					return ctx.Err()
				}
				td := trusts[c.Trust.ARN]
				if in.signedBy != "" {
					checked[i], checkErrs[i] = td.confirm(in.signedBy, in.issuer)
				} else {
					checked[i], checkErrs[i] = td.verifyResponse([]byte(in.resp), vopts...)
					made[i] = proven(checked[i])
				}
				return nil
			})
		})
	}
	if err := p.all(ctx, reads...); err != nil {
		return nil, err
	}

	want := st.New.SHA256
	var problems []string
	if sig.Default.SHA256 != want {
		problems = append(problems, fmt.Sprintf("org IdP certificate is %s, want %s", sig.Default.SHA256, want))
	}
	for _, c := range st.ContactCenters {
		a, ok := sig.App(c.App.Name)
		if !ok || a.Certificate.SHA256 != want {
			problems = append(problems, fmt.Sprintf("app %s signs with %s, want %s", c.App, a.Certificate.SHA256, want))
		}
	}
	for _, ref := range refs {
		td := trusts[ref.ARN]
		switch {
		case td.err != nil:
			problems = append(problems, fmt.Sprintf("trust %s: %v", ref, td.err))
		case !slices.ContainsFunc(td.certs, func(c *samlmeta.Cert) bool { return c.SHA256 == want }):
			problems = append(problems, fmt.Sprintf("trust %s does not trust %s", ref, want))
		}
	}
	if canLogin && len(problems) == 0 {
		for i, c := range st.ContactCenters {
			switch a := checked[i]; {
			case loginErrs[i] != nil:
				return nil, loginErrs[i]
			case checkErrs[i] != nil:
				problems = append(problems, fmt.Sprintf("a Response for app %s does not verify against trust %s: %v", c.App, c.Trust, checkErrs[i]))
			case a.SignedBy == nil || a.SignedBy.SHA256 != want:
				problems = append(problems, fmt.Sprintf("a Response for app %s is not signed with the new certificate", c.App))
			}
		}
	}
	if len(problems) > 0 {
		return nil, Transient(&VerifyError{Problems: problems})
	}
	p.opts.Logger.InfoContext(ctx, "verified", "sha256", want, "contact_centers", len(st.ContactCenters))
	if !canLogin || signed != nil {
		return nil, nil
	}
	return made, nil
}

// trustDoc is a relying party's document, parsed once for every check.
type trustDoc struct {
	entityID string
	certs    []*samlmeta.Cert
	err      error
}

func parseTrustDoc(doc []byte) trustDoc {
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return trustDoc{err: err}
	}
	certs, err := md.SigningCertificates()
	if err == nil && len(certs) == 0 {
		err = fmt.Errorf("%w: metadata of %s has no signing certificate", samlmeta.ErrNoSigningKey, md.EntityID())
	}
	return trustDoc{entityID: md.EntityID(), certs: certs, err: err}
}

// confirm checks what an earlier check of a Response proved against this
// document: the certificate that verified it is one of the document's
// signing certificates, and its Issuer is the document's entityID. A
// signature that one certificate verified, that certificate verifies again,
// so this is the check of the same Response against this document, without
// parsing it again.
func (t trustDoc) confirm(signedBy, issuer string) (*samlmeta.Assertion, error) {
	if t.err != nil {
		return nil, t.err
	}
	i := slices.IndexFunc(t.certs, func(c *samlmeta.Cert) bool { return c.SHA256 == signedBy })
	if i < 0 {
		return nil, fmt.Errorf("%w: the certificate %s that verified the Response is not in the metadata", samlmeta.ErrInvalidResponse, signedBy)
	}
	if issuer != t.entityID {
		return nil, fmt.Errorf("%w: issuer %q is not the metadata's entityID %q", samlmeta.ErrInvalidResponse, issuer, t.entityID)
	}
	return &samlmeta.Assertion{Issuer: issuer, SignedBy: t.certs[i]}, nil
}

// verifyResponse checks a Response as samlmeta.VerifyResponseWithMetadata
// does against the document: signed by one of its signing certificates,
// issued by its entityID.
func (t trustDoc) verifyResponse(resp []byte, opts ...samlmeta.VerifyOption) (*samlmeta.Assertion, error) {
	if t.err != nil {
		return nil, t.err
	}
	a, err := samlmeta.VerifyResponse(resp, t.certs, opts...)
	if err != nil {
		return nil, err
	}
	if a.Issuer != t.entityID {
		return nil, fmt.Errorf("%w: issuer %q is not the metadata's entityID %q", samlmeta.ErrInvalidResponse, a.Issuer, t.entityID)
	}
	return a, nil
}

// soakStep keeps the overlap for a while before the old certificate is
// retired.
type soakStep struct{ p *OrgPlan }

func (s *soakStep) Name() string { return StepSoak }
func (s *soakStep) Describe() string {
	if s.p.opts.Soak <= 0 {
		return "no soak: retire the old certificate right after verification"
	}
	return fmt.Sprintf("keep trusting both certificates for %s before retiring the old one", s.p.opts.Soak)
}
func (s *soakStep) Apply(ctx context.Context, _ *State) error {
	return s.p.opts.Sleep(ctx, s.p.opts.Soak)
}
func (s *soakStep) Rollback(context.Context, *State) error { return nil }

// retireStep removes the old certificate from every relying party and
// verifies again.
type retireStep struct{ p *OrgPlan }

func (s *retireStep) Name() string { return StepRetire }
func (s *retireStep) Describe() string {
	return "make every IAM SAML provider trust only the new certificate (entityID and endpoints unchanged), then verify again"
}

// Apply sets the final documents, then verifies again. Retiring changes
// only the relying parties, so what the identity provider signed during the
// verification that just passed is what it signs now: if that was recent
// (see reuseSignInsFor), what those Responses proved is confirmed against
// the final documents (see trustDoc.confirm) instead of signing in again.
// Otherwise the sign-ins run while the documents change.
func (s *retireStep) Apply(ctx context.Context, st *State) error {
	signIns := s.p.recent.take(st, s.p.opts.Now())
	if signIns != nil {
		if err := s.p.setTrusts(ctx, st, stageFinal); err != nil {
			return err
		}
	} else {
		err := s.p.all(ctx,
			func(ctx context.Context) error { return s.p.setTrusts(ctx, st, stageFinal) },
			func(ctx context.Context) error { signIns = s.p.signIns(ctx, st); return nil })
		if err != nil {
			return err
		}
	}
	_, err := s.p.verify(ctx, st, signIns)
	return err
}

func (s *retireStep) Rollback(ctx context.Context, st *State) error {
	return s.p.restoreTrusts(ctx, st, func(ts TrustState) []byte { return ts.Overlap })
}

// cleanupStep deletes the previous certificate. It cannot be undone, so it
// is the last step and only runs when asked for.
type cleanupStep struct{ p *OrgPlan }

func (s *cleanupStep) Name() string { return StepCleanup }
func (s *cleanupStep) Describe() string {
	return "delete the previous certificate (cannot be undone)"
}

func (s *cleanupStep) Apply(ctx context.Context, st *State) error {
	if st.OldDefault.Name == "" || st.OldDefault.Name == st.New.Name {
		return nil
	}
	if err := s.p.idp.DeleteCertificate(ctx, st.OldDefault.Name); err != nil {
		return fmt.Errorf("delete previous certificate %s: %w", st.OldDefault.Name, err)
	}
	s.p.opts.Logger.InfoContext(ctx, "audit: previous certificate deleted", "certificate", st.OldDefault.Name, "sha256", st.OldDefault.SHA256)
	return nil
}

func (s *cleanupStep) Rollback(context.Context, *State) error { return nil }
