package rotation

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// verifyStep checks three-way agreement on the new certificate and, where
// the identity provider can produce one, that a signed Response verifies
// against what IAM holds.
type verifyStep struct{ *orgEnv }

func (s *verifyStep) Name() string { return StepVerify }
func (s *verifyStep) Describe() string {
	return "check that the IdP setting, every app's effective certificate and every IAM document agree on the new certificate; verify a signed SAML Response against the metadata IAM holds"
}

// Apply verifies and records in the State what the sign-ins proved, for
// retirement to confirm against the final documents.
func (s *verifyStep) Apply(ctx context.Context, st *State) error {
	v, err := s.verify(ctx, st.targets(), st.ExtraTrusts, st.New.SHA256, nil)
	if err != nil {
		return err
	}
	emitVerification(ctx, v, "Responses signed with the new certificate, after activation")
	if err := v.err(); err != nil {
		return err
	}
	st.Lock()
	st.Verified = v.proofs()
	st.Unlock()
	return nil
}
func (s *verifyStep) Rollback(context.Context, *State) error { return nil }

// VerifyError lists every disagreement verification found. It is transient:
// the engine retries verification before it gives up and rolls back.
type VerifyError struct{ Problems []string }

func (e *VerifyError) Error() string {
	return "verification failed: " + strings.Join(e.Problems, "; ")
}

// Verification is what a verification of an org found.
type Verification struct {
	// Default is the org's default certificate.
	Default Certificate `json:"default"`
	// ContactCenters has one entry per contact center verified.
	ContactCenters []ContactCenterVerification `json:"contactCenters"`
	// Problems lists every disagreement, in words; empty when it passed.
	Problems []string `json:"problems,omitempty"`
	// Warnings lists what passed but should be fixed (an app that signs
	// with SHA-1).
	Warnings []string `json:"warnings,omitempty"`
}

// ContactCenterVerification is the verdict on one contact center.
type ContactCenterVerification struct {
	ContactCenter ContactCenter `json:"contactCenter"`
	// Certificate is the SHA-256 of the certificate its app signs with.
	Certificate string `json:"certificate"`
	// SignedBy is the certificate that verified a signed Response against
	// the trust's document; empty when no Response was checked.
	SignedBy string `json:"signedBy,omitempty"`
	issuer   string
	// Local is verification's own check of the contact center's Response.
	Local LocalCheck `json:"local"`
	// Verdict is the relying party's own verdict on that Response (see
	// SignInJudge); VerdictNotAsked, with why, when it was not asked.
	Verdict SignInVerdict `json:"verdict"`
	// Problems say what is wrong; empty when it verifies.
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether every contact center verified.
func (v *Verification) OK() bool { return len(v.Problems) == 0 }

func (v *Verification) err() error {
	if v.OK() {
		return nil
	}
	return Transient(&VerifyError{Problems: v.Problems})
}

func (v *Verification) proofs() []SignInProof {
	var out []SignInProof
	for _, c := range v.ContactCenters {
		if c.SignedBy != "" {
			out = append(out, SignInProof{App: c.ContactCenter.App.Name, SignedBy: c.SignedBy, Issuer: c.issuer})
		}
	}
	return out
}

func (v *Verification) problem(i int, format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	v.Problems = append(v.Problems, p)
	if i >= 0 {
		v.ContactCenters[i].Problems = append(v.ContactCenters[i].Problems, p)
	}
}

// Verify checks, read-only, every contact center in the plan's scope: its
// app signs with the org default unless pinned, the IAM document of its
// trust holds that certificate, and a SAML Response the org signs for it
// verifies against that document. It is the verification the verify step
// runs, without the requirement that everything agree on a new certificate.
func (p *OrgPlan) Verify(ctx context.Context) (*Verification, error) {
	ccs, err := p.env.discoverScope(ctx)
	if err != nil {
		return nil, err
	}
	return p.env.verify(ctx, ccs, nil, "", nil)
}

// verify reads the signing state, every trust document and, where the
// identity provider can sign one, a Response for every app, all at once
// (they do not depend on each other), and checks each Response against its
// trust's document as soon as both are there, so that the signature checks
// share the CPU with the calls still waiting. Each document is parsed once.
// Each Response goes to a relying party that judges sign-ins (see judge) as
// soon as it is signed and the documents are read, while it is checked
// locally (the signing state is awaited only for a SHA-1 Response: the
// app's configured algorithm), so that the service's answer and the
// signature check overlap.
//
// extra are trusts no app names (see ModelTrust.Unattached): they are
// checked structurally, for holding want.
//
// want, when given, is the certificate everything must agree on; otherwise
// each app must sign with a certificate its trust holds. A failed sign-in
// is reported only when the agreement holds: until then the disagreement is
// the problem. proofs, when given, stand for the sign-ins: what earlier
// checks proved, confirmed against the documents read now.
func (e *orgEnv) verify(ctx context.Context, ccs []ContactCenter, extra []TrustRef, want string, proofs []SignInProof) (*Verification, error) {
	refs := trustRefs(ccs)
	for _, ref := range extra {
		if !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	var (
		sig      SigningState
		trusts   = map[string]trustDoc{}
		sigRead  = make(chan struct{})
		docsRead = make(chan struct{})
		signIns  = make([]signIn, len(ccs))
		j, why   = e.judge()
		lt, logs = e.idp.(LoginTester)
	)
	logs = logs && !e.opts.StructuralVerification
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) {
			if sig, err = e.readSigning(ctx); err == nil {
				close(sigRead)
			}
			return err
		},
		func(ctx context.Context) error {
			snaps, err := e.readTrusts(ctx, refs)
			if err != nil {
				return err
			}
			for _, ref := range refs {
				trusts[ref.ARN] = parseTrustDoc(snaps[ref.ARN].Document)
			}
			close(docsRead)
			return nil
		},
	}
	if logs {
		reads = append(reads, func(ctx context.Context) error {
			return e.parallel(ctx, len(ccs), func(ctx context.Context, i int) error {
				c := ccs[i]
				proof := proofFor(proofs, c.App.Name)
				var resp string
				if proof == nil && !signsIn(c) {
					signIns[i] = notChecked(whyNoLogin)
					return nil
				}
				if proof == nil {
					r, err := lt.SAMLResponse(ctx, c.App)
					if err != nil {
						signIns[i] = noResponse(fmt.Errorf("sign in to app %s: %w", c.App, err))
						return nil // judged below, once the agreement is known
					}
					resp = r
					defer e.judgeAside(ctx, &signIns[i], j, why, c, r)()
				}
				if err := awaitAll(ctx, docsRead); err != nil {
					return err
				}
				td := trusts[c.Trust.ARN]
				if proof != nil {
					a, err := td.confirm(proof.SignedBy, proof.Issuer)
					signIns[i] = signIn{assertion: a, checkErr: err, local: LocalCheck{Result: LocalVerified, Detail: "confirmed what verification proved"},
						verdict: SignInVerdict{Outcome: VerdictNotAsked, Detail: "confirmed what verification proved: no new sign-in"}}
					if err != nil {
						signIns[i].local = LocalCheck{Result: LocalFailed, Detail: err.Error()}
					}
					return nil
				}
				var alg string
				e.check(&signIns[i], td, []byte(resp), c.App, func() string {
					if awaitAll(ctx, sigRead) == nil {
						alg = algorithmOf(sig, c.App)
					}
					return alg
				})
				return nil
			})
		})
	}
	if err := e.all(ctx, reads...); err != nil {
		return nil, err
	}
	v := &Verification{Default: bare(sig.Default), ContactCenters: make([]ContactCenterVerification, len(ccs))}
	v.agreement(ccs, refs, sig, trusts, want)
	agreed := want == "" || v.OK()
	for i := range ccs {
		signs := want
		if signs == "" {
			signs = v.ContactCenters[i].Certificate
		}
		switch {
		case !logs && e.opts.StructuralVerification:
			signIns[i] = notChecked(whyStructural)
		case !logs:
			signIns[i] = notChecked(whyNoResponse)
		case !agreed:
			v.ContactCenters[i].Local, v.ContactCenters[i].Verdict = signIns[i].local, signIns[i].verdict
			continue
		}
		if err := v.signedIn(ctx, e.opts.Logger, i, signs, signIns[i], want != ""); err != nil {
			return nil, err
		}
	}
	if v.OK() {
		e.opts.Logger.InfoContext(ctx, "verified", "sha256", want, "contact_centers", len(ccs))
	}
	return v, nil
}

// agreement checks the signing state and the documents: with want, that
// the default, every app and every trust agree on it; without, that every
// app that follows the default signs with it and its trust holds what it
// signs with.
func (v *Verification) agreement(ccs []ContactCenter, refs []TrustRef, sig SigningState, trusts map[string]trustDoc, want string) {
	if want != "" && sig.Default.SHA256 != want {
		v.problem(-1, "org IdP certificate is %s, want %s", sig.Default.SHA256, want)
	}
	for i, c := range ccs {
		a, ok := sig.App(c.App.Name)
		v.ContactCenters[i] = ContactCenterVerification{ContactCenter: c, Certificate: a.Certificate.SHA256}
		switch {
		case !ok:
			v.problem(i, "app %s has no signing certificate", c.App)
		case want != "" && a.Certificate.SHA256 != want:
			v.problem(i, "app %s signs with %s, want %s", c.App, a.Certificate.SHA256, want)
		case want == "" && !a.Pinned && a.Certificate.SHA256 != sig.Default.SHA256:
			v.problem(i, "app %s follows the org default %s but signs with %s", c.App, short(sig.Default.SHA256), short(a.Certificate.SHA256))
		}
	}
	for _, ref := range refs {
		td := trusts[ref.ARN]
		switch {
		case td.err != nil:
			v.problem(-1, "trust %s: %v", ref, td.err)
		case want != "" && !td.holds(want):
			v.problem(-1, "trust %s does not trust %s", ref, want)
		}
	}
	if want != "" {
		return
	}
	for i, c := range ccs {
		if td := trusts[c.Trust.ARN]; td.err == nil && !td.holds(v.ContactCenters[i].Certificate) {
			v.problem(i, "IAM does not trust the certificate the app signs with (%s)", short(v.ContactCenters[i].Certificate))
		}
	}
}

// proofFor returns the proof of app, or nil.
func proofFor(proofs []SignInProof, app string) *SignInProof {
	for i := range proofs {
		if proofs[i].App == app {
			return &proofs[i]
		}
	}
	return nil
}

// awaitAll waits until every channel is closed or ctx ends.
func awaitAll(ctx context.Context, chans ...chan struct{}) error {
	for _, c := range chans {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
