package salesforce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// DefaultCertificateTemplate is the template CertificateName uses when given
// an empty one: "SCV_IdP_20260315_083000" / "SCV IdP 2026-03-15 08:30:00".
const DefaultCertificateTemplate = "SCV_IdP_{date}_{time}"

// Limits of a Certificate's unique name and label.
const (
	MaxCertificateNameLen  = 80
	MaxCertificateLabelLen = 64
)

// InvalidCertificateSpecError is a certificate request refused before any
// call to Salesforce. It matches rotation.ErrInvalidInput.
type InvalidCertificateSpecError struct {
	Spec   rotation.CertificateSpec
	Reason string
}

func (e *InvalidCertificateSpecError) Error() string {
	return fmt.Sprintf("salesforce: certificate %q refused: %s", e.Spec.Name, e.Reason)
}

// Unwrap makes errors.Is(err, rotation.ErrInvalidInput) true.
func (e *InvalidCertificateSpecError) Unwrap() error { return rotation.ErrInvalidInput }

var uniqueNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// ValidCertificateName reports why name is not a valid unique name
// (DeveloperName) of a certificate, or "" when it is: letters, digits and
// underscores, starting with a letter, no trailing or doubled underscore, at
// most 80 characters.
func ValidCertificateName(name string) string {
	switch {
	case name == "":
		return "the unique name is empty"
	case len(name) > MaxCertificateNameLen:
		return fmt.Sprintf("the unique name has %d characters, more than %d", len(name), MaxCertificateNameLen)
	case !uniqueNameRE.MatchString(name):
		return "the unique name must start with a letter and contain only letters, digits and underscores"
	case strings.HasSuffix(name, "_") || strings.Contains(name, "__"):
		return "the unique name must not end with an underscore or contain two underscores in a row"
	}
	return ""
}

// CertificateName expands a naming template for a new certificate at now
// (UTC) and returns a valid unique name and label. The template may use
// {date} (20060102) and {time} (150405); DefaultCertificateTemplate applies
// when it is empty. Characters a unique name cannot hold become underscores,
// a name not starting with a letter gets the prefix "C_", and both results
// are cut to their limits (80 and 64 characters). The label is the name with
// spaces for underscores, and the date and time written out.
func CertificateName(template string, now time.Time) (name, label string) {
	if template == "" {
		template = DefaultCertificateTemplate
	}
	now = now.UTC()
	name = strings.NewReplacer("{date}", now.Format("20060102"), "{time}", now.Format("150405")).Replace(template)
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name = b.String()
	for strings.Contains(name, "__") {
		name = strings.ReplaceAll(name, "__", "_")
	}
	name = strings.Trim(name, "_")
	if name == "" || !('A' <= name[0] && name[0] <= 'Z' || 'a' <= name[0] && name[0] <= 'z') {
		name = "C_" + name
	}
	if len(name) > MaxCertificateNameLen {
		name = name[:MaxCertificateNameLen]
	}
	name = strings.TrimRight(name, "_")
	label = strings.NewReplacer("{date}", now.Format("2006-01-02"), "{time}", now.Format("15:04:05"), "_", " ").Replace(template)
	label = strings.Join(strings.Fields(label), " ")
	if len(label) > MaxCertificateLabelLen {
		label = label[:MaxCertificateLabelLen]
	}
	return name, label
}

// validateSpec refuses a spec Salesforce would refuse, or one this package
// will not create.
func validateSpec(spec rotation.CertificateSpec) error {
	if reason := ValidCertificateName(spec.Name); reason != "" {
		return &InvalidCertificateSpecError{Spec: spec, Reason: reason}
	}
	if spec.KeyBits != 2048 && spec.KeyBits != 4096 {
		return &InvalidCertificateSpecError{Spec: spec, Reason: fmt.Sprintf("key size %d: the Metadata API creates 2048- or 4096-bit keys", spec.KeyBits)}
	}
	if len(spec.Label) > MaxCertificateLabelLen {
		return &InvalidCertificateSpecError{Spec: spec, Reason: fmt.Sprintf("the label has %d characters, more than %d", len(spec.Label), MaxCertificateLabelLen)}
	}
	return nil
}

// CreateCertificate creates a self-signed certificate (createMetadata
// Certificate, caSigned false), reads it back (readMetadata returns its
// content) and checks its key size and expiry. It is idempotent by
// spec.Name: a certificate of that name found by a first read, or reported
// as DUPLICATE_VALUE, is returned instead of creating another one, provided
// its key size is the one asked for.
func (p *Provider) CreateCertificate(ctx context.Context, spec rotation.CertificateSpec) (rotation.Certificate, error) {
	if err := validateSpec(spec); err != nil {
		return rotation.Certificate{}, err
	}
	if spec.Label == "" {
		spec.Label = spec.Name
	}
	existing, err := ReadMetadata[Certificate](ctx, p.c, spec.Name)
	if err != nil {
		return rotation.Certificate{}, err
	}
	if existing[0] == nil {
		err = p.c.CreateMetadata(ctx, &Certificate{
			FullName:    spec.Name,
			CASigned:    false,
			KeySize:     spec.KeyBits,
			MasterLabel: spec.Label,
		})
		var se *SaveError
		switch {
		case errors.As(err, &se) && se.StatusCode == CodeDuplicateValue:
			p.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: certificate already exists; adopting it", slog.String("certificate", spec.Name))
		case err != nil:
			return rotation.Certificate{}, fmt.Errorf("salesforce: create certificate %q: %w", spec.Name, err)
		}
	} else {
		p.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: certificate already exists; adopting it", slog.String("certificate", spec.Name))
	}
	cert, err := p.certificate(ctx, spec.Name)
	if err != nil {
		return rotation.Certificate{}, fmt.Errorf("salesforce: read back certificate %q: %w", spec.Name, err)
	}
	if cert.KeyBits != spec.KeyBits {
		return rotation.Certificate{}, rotation.Permanent(fmt.Errorf("salesforce: certificate %q has a %d-bit key, not the %d bits asked for", spec.Name, cert.KeyBits, spec.KeyBits))
	}
	if now := p.opts.Now(); !cert.NotAfter.After(now) {
		return rotation.Certificate{}, rotation.Permanent(fmt.Errorf("salesforce: certificate %q expired at %s", spec.Name, cert.NotAfter.Format(time.RFC3339)))
	}
	return cert, nil
}

// DeleteCertificate deletes a certificate (deleteMetadata). A certificate
// that does not exist is not an error. Salesforce refuses to delete the
// certificate the identity provider uses.
func (p *Provider) DeleteCertificate(ctx context.Context, name string) error {
	existing, err := ReadMetadata[Certificate](ctx, p.c, name)
	if err != nil {
		return err
	}
	if existing[0] == nil {
		return nil
	}
	if err := p.c.DeleteMetadata(ctx, TypeCertificate, name); err != nil {
		return fmt.Errorf("salesforce: delete certificate %q: %w", name, err)
	}
	return nil
}

// SetDefaultCertificate makes name the org's IdP certificate: a
// read-modify-write of IdentityProviderSettings that sends both required
// fields (certificateName, enableIdentityProvider=true). A certificate that
// does not exist is rotation.ErrNotFound. Setting the current certificate
// again changes nothing. The setting and the certificate are read at once
// unless the client sends one request at a time (then the certificate is
// read only when the setting differs).
func (p *Provider) SetDefaultCertificate(ctx context.Context, name string) error {
	if reason := ValidCertificateName(name); reason != "" {
		return fmt.Errorf("salesforce: set default certificate %q: %s: %w", name, reason, rotation.ErrInvalidInput)
	}
	var (
		s       *IdentityProviderSettings
		certErr error
		read    bool
	)
	// Salesforce would answer INVALID_CROSS_REFERENCE_KEY; reading first
	// makes a missing certificate rotation.ErrNotFound.
	readCert := func(ctx context.Context) error {
		_, certErr = ReadOne[Certificate](ctx, p.c, name)
		read = true
		return nil
	}
	reads := []func(ctx context.Context) error{func(ctx context.Context) (err error) { s, err = p.idpSettings(ctx); return err }}
	if p.c.concurrent() {
		reads = append(reads, readCert)
	}
	if err := p.c.all(ctx, reads...); err != nil {
		return err
	}
	if s.CertificateName == name && s.EnableIdentityProvider {
		return nil
	}
	if !read {
		_ = readCert(ctx)
	}
	if certErr != nil {
		return fmt.Errorf("salesforce: set default certificate: %w", certErr)
	}
	s.CertificateName = name
	s.EnableIdentityProvider = true
	if err := p.c.UpdateMetadata(ctx, s); err != nil {
		return fmt.Errorf("salesforce: set default certificate %q: %w", name, err)
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: org IdP certificate set", slog.String("certificate", name))
	return nil
}
