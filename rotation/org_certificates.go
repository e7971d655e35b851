package rotation

import (
	"context"
	"errors"
	"fmt"
)

// stageStep creates the new certificate.
type stageStep struct{ *orgEnv }

func (s *stageStep) Name() string { return StepStage }
func (s *stageStep) Describe() string {
	return fmt.Sprintf("create a new self-signed %d-bit signing certificate (rollback deletes it unless something uses it)", s.opts.KeyBits)
}

func (s *stageStep) Apply(ctx context.Context, st *State) error {
	label, err := CertificateLabel(s.opts.LabelTemplate, st.ID, s.opts.Now())
	if err != nil {
		return Permanent(err)
	}
	spec := CertificateSpec{Name: CertificateName(st.ID), Label: label, KeyBits: s.opts.KeyBits}
	cert, err := s.idp.CreateCertificate(ctx, spec)
	if err != nil {
		return fmt.Errorf("create certificate %s: %w", spec.Name, err)
	}
	switch {
	case cert.SHA256 == "" || len(cert.DER) == 0:
		return Permanent(fmt.Errorf("created certificate %s came back without its X.509 certificate", spec.Name))
	case cert.KeyBits != s.opts.KeyBits:
		return Permanent(fmt.Errorf("created certificate %s has %d-bit key, asked for %d", spec.Name, cert.KeyBits, s.opts.KeyBits))
	case !cert.NotAfter.After(s.opts.Now()):
		return Permanent(fmt.Errorf("created certificate %s expired at %s", spec.Name, cert.NotAfter))
	}
	st.Lock()
	st.New = cert
	st.Unlock()
	s.opts.Logger.InfoContext(ctx, "audit: certificate created", "certificate", cert.Name, "sha256", cert.SHA256,
		"not_after", cert.NotAfter, "key_bits", cert.KeyBits)
	return nil
}

// Rollback deletes the certificate named after the rotation, whether or not
// Apply got as far as recording it, unless something still uses it.
func (s *stageStep) Rollback(ctx context.Context, st *State) error {
	return s.deleteCertificate(ctx, st, Certificate{Name: CertificateName(st.ID), SHA256: st.New.SHA256})
}

// cleanupStep deletes the previous certificate. It cannot be undone, so it
// is the last step and only runs when asked for.
type cleanupStep struct{ *orgEnv }

func (s *cleanupStep) Name() string { return StepCleanup }
func (s *cleanupStep) Describe() string {
	return "delete the previous certificate unless something still uses it (cannot be undone)"
}

// Apply deletes the previous default. A certificate still in use (by an
// app out of scope, a trust, a rotation another journal may roll back) is
// kept, and the audit log says why.
func (s *cleanupStep) Apply(ctx context.Context, st *State) error {
	if st.OldDefault.Name == "" || st.OldDefault.Name == st.New.Name {
		return nil
	}
	err := s.deleteCertificate(ctx, st, st.OldDefault)
	var inUse *InUseError
	if errors.As(err, &inUse) {
		s.opts.Logger.WarnContext(ctx, "audit: previous certificate kept", "certificate", st.OldDefault.Name, "reason", inUse.Error())
		return nil
	}
	return err
}

func (s *cleanupStep) Rollback(context.Context, *State) error { return nil }
