package rotation

import (
	"context"
	"fmt"
)

// soakStep keeps the overlap for a while before the old certificate is
// retired.
type soakStep struct{ *orgEnv }

func (s *soakStep) Name() string { return StepSoak }
func (s *soakStep) Describe() string {
	if s.opts.Soak <= 0 {
		return "no soak: retire the old certificate right after verification"
	}
	return fmt.Sprintf("keep trusting both certificates for %s before retiring the old one", s.opts.Soak)
}
func (s *soakStep) Apply(ctx context.Context, _ *State) error { return s.opts.Sleep(ctx, s.opts.Soak) }
func (s *soakStep) Rollback(context.Context, *State) error    { return nil }

// retireStep removes the old certificate from every relying party, keeping
// what apps out of scope still sign with, and verifies again.
type retireStep struct{ *orgEnv }

func (s *retireStep) Name() string { return StepRetire }
func (s *retireStep) Describe() string {
	return "make every IAM SAML provider trust only the new certificate and those apps out of scope sign with (entityID and endpoints unchanged), then verify again"
}

// Apply reads the signing state (the model the removals are checked on),
// sets the final documents, then verifies again. Retiring changes only the
// relying parties: an app that, in the signing state just read, still
// signs with the certificate that verified its Response at verification
// (State.Verified) signs the same way now, so what that Response proved is
// confirmed against the final documents (see trustDoc.confirm) instead of
// signing in again.
func (s *retireStep) Apply(ctx context.Context, st *State) error {
	sig, err := s.readSigning(ctx)
	if err != nil {
		return err
	}
	st.revealPins(sig)
	lv := s.newLive(st.Org)
	lv.observeSigning(sig)
	if err := s.setTrusts(ctx, st, lv, stageOverlap, stageFinal); err != nil {
		return err
	}
	st.Lock()
	var proofs []SignInProof
	for _, p := range st.Verified {
		if a, ok := sig.App(p.App); ok && a.Certificate.SHA256 == p.SignedBy {
			proofs = append(proofs, p)
		}
	}
	st.Unlock()
	v, err := s.verify(ctx, st.targets(), st.ExtraTrusts, st.New.SHA256, proofs)
	if err != nil {
		return err
	}
	return v.err()
}

// Rollback puts the overlap documents back, once the rotation is checked
// to be the latest change.
func (s *retireStep) Rollback(ctx context.Context, st *State) error {
	lv, err := s.checkLatest(ctx, st)
	if err != nil {
		return err
	}
	return s.restoreTrusts(ctx, st, lv, stageFinal, stageOverlap)
}
