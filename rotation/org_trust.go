package rotation

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/voicecert/voicecert/samlmeta"
)

// Trust stages: the document a trust holds during the overlap, and at the
// end.
const (
	stageOverlap = "overlap"
	stageFinal   = "final"
)

// trustStep sets every relying party's document: old and new certificates
// (overlap) or the new one and what apps out of scope still need (direct).
type trustStep struct {
	*orgEnv
	stage string
}

func (s *trustStep) Name() string { return StepTrust }
func (s *trustStep) Describe() string {
	if s.stage == stageOverlap {
		return "make every IAM SAML provider trust the old AND the new certificate (same entityID and endpoints), waiting until IAM serves it; where the relying party can judge a sign-in, present each app's Response, signed with the old certificate, to it"
	}
	return "replace every IAM SAML provider's signing certificates with the new one and those of apps out of scope (sign-in fails until this completes)"
}

// Apply sets the stage's documents. Adding a certificate breaks no sign-in,
// so the overlap is checked on the model preflight observed; the direct
// strategy removes certificates, so it reads the signing state first.
func (s *trustStep) Apply(ctx context.Context, st *State) error {
	lv := s.newLive(st.Org)
	if s.stage == stageFinal {
		sig, err := s.readSigning(ctx)
		if err != nil {
			return err
		}
		lv.observeSigning(sig)
		st.revealPins(sig)
	}
	if lt, j, ok := s.oldChecker(); ok {
		return s.setOverlapChecked(ctx, st, lv, lt, j)
	}
	return s.setTrusts(ctx, st, lv, stageOriginal, s.stage)
}

// Rollback puts the original documents back, once the rotation is checked
// to be the latest change.
func (s *trustStep) Rollback(ctx context.Context, st *State) error {
	lv, err := s.checkLatest(ctx, st)
	if err != nil {
		return err
	}
	return s.restoreTrusts(ctx, st, lv, s.stage, stageOriginal)
}

// stageOriginal names the document before any change.
const stageOriginal = "original"

// document returns the document trust ref holds at stage: the original
// snapshot, the original plus the new certificate (overlap), or the
// original with its signing certificates replaced by the new one and those
// that apps out of scope sign with after activation (final), each with the
// validUntil the identity provider gave at preflight. The documents
// are derived, never stored: samlmeta's output is deterministic, so a
// resumed process derives the same bytes.
func (st *State) document(ref TrustRef, stage string) ([]byte, error) {
	st.Lock()
	ts, ok := st.Trusts[ref.ARN]
	newCert := st.New
	st.Unlock()
	if !ok {
		return nil, fmt.Errorf("no snapshot of trust %s: preflight did not run", ref)
	}
	if stage == stageOriginal {
		return ts.Original.Document, nil
	}
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
		err = md.SetSigningCertificates(append([]*samlmeta.Cert{c}, st.keptIn(ref, md)...)...)
	}
	if err != nil {
		return nil, Permanent(err)
	}
	md.SetValidUntil(ts.IdPValidUntil)
	return md.Bytes(), nil
}

// keptIn returns the certificates of md that an app out of scope naming
// ref signs with once the default is switched: a pinned app keeps its own
// (see keptSigning).
func (st *State) keptIn(ref TrustRef, md *samlmeta.Metadata) []*samlmeta.Cert {
	certs, _ := md.SigningCertificates()
	var kept []*samlmeta.Cert
	for _, fp := range keptSigning(st, st.Org.Trusts[ref.ARN]) {
		if i := slices.IndexFunc(certs, func(c *samlmeta.Cert) bool { return c.SHA256 == fp }); i >= 0 {
			kept = append(kept, certs[i])
		}
	}
	return kept
}

// setTrusts moves every trust in scope from the document of stage from to
// that of stage to, canaries first, each call checked (see setTrust).
func (e *orgEnv) setTrusts(ctx context.Context, st *State, lv *liveModel, from, to string) error {
	refs := st.trustsInScope()
	return e.fanOut(ctx, len(refs), func(ctx context.Context, i int) error {
		return e.moveTrust(ctx, st, lv, refs[i], from, to)
	})
}

// restoreTrusts is setTrusts for a rollback: every trust is tried.
func (e *orgEnv) restoreTrusts(ctx context.Context, st *State, lv *liveModel, from, to string) error {
	refs := st.trustsInScope()
	return e.each(ctx, len(refs), func(ctx context.Context, i int) error {
		return e.moveTrust(ctx, st, lv, refs[i], from, to)
	})
}

func (e *orgEnv) moveTrust(ctx context.Context, st *State, lv *liveModel, ref TrustRef, from, to string) error {
	expect, err := st.document(ref, from)
	if err != nil {
		return fmt.Errorf("build %s document for %s: %w", from, ref, err)
	}
	next, err := st.document(ref, to)
	if err != nil {
		return fmt.Errorf("build %s document for %s: %w", to, ref, err)
	}
	return e.setTrust(ctx, st, lv, ref, expect, func(doc []byte) bool { return st.isDocument(ref, from, doc) }, next)
}

// isDocument reports whether doc is the document of stage for trust ref. A
// final document is recognised by its content: the original with its
// signing certificates replaced by the new one and some of the original's
// (the apps out of scope the rotation saw when it set it), so that what
// the State learnt since (see revealPins) does not make it a stranger.
func (st *State) isDocument(ref TrustRef, stage string, doc []byte) bool {
	want, err := st.document(ref, stage)
	if err == nil && bytes.Equal(want, doc) {
		return true
	}
	if stage != stageFinal || err != nil {
		return false
	}
	certs, err := signingCerts(doc)
	if err != nil || len(certs) == 0 || certs[0].SHA256 != st.New.SHA256 {
		return false
	}
	st.Lock()
	orig := st.Trusts[ref.ARN].Original.Document
	st.Unlock()
	md, err := samlmeta.Parse(orig)
	if err != nil {
		return false
	}
	had := signingOf(orig)
	for _, c := range certs[1:] {
		if !slices.Contains(had, c.SHA256) {
			return false
		}
	}
	return md.SetSigningCertificates(certs...) == nil && bytes.Equal(md.Bytes(), doc)
}

// signingCerts returns the signing certificates of a metadata document.
func signingCerts(doc []byte) ([]*samlmeta.Cert, error) {
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return nil, err
	}
	return md.SigningCertificates()
}

// revealPins records in the model the apps out of scope that sig shows
// signing with another certificate than the default: an app pinned to the
// very certificate that was the default looks like a follower until the
// default moves, and its certificate must stay trusted.
func (st *State) revealPins(sig SigningState) {
	st.Lock()
	defer st.Unlock()
	for i, a := range st.Org.Apps {
		if s, ok := sig.App(a.App.Name); ok && !a.InScope && s.Certificate.SHA256 != sig.Default.SHA256 {
			st.Org.Apps[i].Certificate, st.Org.Apps[i].Pinned = bare(s.Certificate), true
		}
	}
}
