package rotation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// Level grades how close a certificate is to expiry.
type Level string

const (
	LevelOK       Level = "ok"
	LevelNotice   Level = "notice"   // within the first threshold (60 days by default)
	LevelWarning  Level = "warning"  // within the second (30 days)
	LevelCritical Level = "critical" // within the last (10 days)
	LevelExpired  Level = "expired"
)

// DefaultThresholds are the lead times at which Salesforce itself sends
// expiry e-mails: 60, 30 and 10 days.
var DefaultThresholds = []time.Duration{60 * 24 * time.Hour, 30 * 24 * time.Hour, 10 * 24 * time.Hour}

// CheckOptions configure Check.
type CheckOptions struct {
	// Thresholds are the notice, warning and critical lead times, longest
	// first (default DefaultThresholds).
	Thresholds []time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// ContactCenters limits the report to these internal names; a name
	// that matches no contact center is an error matching ErrInvalidInput.
	ContactCenters []string
}

// Report is the expiry and agreement report of an org.
type Report struct {
	CheckedAt time.Time `json:"checkedAt"`
	// Default is the org's IdP certificate.
	Default CertificateStatus `json:"default"`
	// ContactCenters has one entry per contact center in scope.
	ContactCenters []ContactCenterStatus `json:"contactCenters"`
}

// CertificateStatus is a certificate and how close it is to expiry.
type CertificateStatus struct {
	Certificate Certificate `json:"certificate"`
	DaysLeft    int         `json:"daysLeft"`
	Level       Level       `json:"level"`
}

// ContactCenterStatus reports one contact center's effective certificate and
// whether its IAM trust agrees with it.
type ContactCenterStatus struct {
	ContactCenter ContactCenter     `json:"contactCenter"`
	Effective     CertificateStatus `json:"effective"`
	Pinned        bool              `json:"pinned"`
	// TrustCertificates are the SHA-256 fingerprints of the signing
	// certificates the IAM document holds.
	TrustCertificates []string `json:"trustCertificates"`
	// TrustAgrees reports that the IAM document trusts the effective
	// certificate.
	TrustAgrees bool `json:"trustAgrees"`
	// TrustValidUntil is how close the IAM document's validUntil is, when
	// it has one.
	TrustValidUntil *ValidUntilStatus `json:"trustValidUntil,omitempty"`
	// Problems says what is wrong, in words; empty when healthy.
	Problems []string `json:"problems,omitempty"`
}

// Healthy reports whether no certificate is within within of expiry and
// every trust agrees with its app.
func (r *Report) Healthy(within time.Duration) bool {
	for _, c := range r.ContactCenters {
		if len(c.Problems) > 0 || !c.TrustAgrees || c.Effective.Certificate.NotAfter.Sub(r.CheckedAt) <= within {
			return false
		}
	}
	return true
}

// Check reads, without changing anything, the effective signing certificate
// of every contact center, its expiry, whether the app is pinned, and
// whether the IAM document that trusts the contact center holds that
// certificate.
func Check(ctx context.Context, idp IdentityProvider, rp RelyingParty, opts ...func(*CheckOptions)) (*Report, error) {
	o := CheckOptions{Thresholds: DefaultThresholds, Now: time.Now}
	for _, fn := range opts {
		fn(&o)
	}
	ccs, err := idp.ContactCenters(ctx)
	if err != nil {
		return nil, fmt.Errorf("discover contact centers: %w", err)
	}
	for _, name := range o.ContactCenters {
		if !slices.ContainsFunc(ccs, func(c ContactCenter) bool { return c.Name == name }) {
			return nil, fmt.Errorf("%w: no Amazon Connect contact center named %q", ErrInvalidInput, name)
		}
	}
	if len(o.ContactCenters) > 0 {
		ccs = slices.DeleteFunc(ccs, func(c ContactCenter) bool { return !slices.Contains(o.ContactCenters, c.Name) })
	}
	sig, err := idp.SigningState(ctx)
	if err != nil {
		return nil, fmt.Errorf("read signing state: %w", err)
	}
	now := o.Now()
	r := &Report{CheckedAt: now, Default: status(sig.Default, now, o.Thresholds)}
	docs := map[string]trustFacts{}
	for _, c := range ccs {
		cs := ContactCenterStatus{ContactCenter: c}
		if a, ok := sig.App(c.App.Name); ok {
			cs.Effective = status(a.Certificate, now, o.Thresholds)
			cs.Pinned = a.Pinned
			if a.Pinned {
				cs.Problems = append(cs.Problems, "the app is pinned to its own IdP certificate: set it to the default IdP certificate once so rotations need no person")
			}
		} else {
			cs.Problems = append(cs.Problems, "no signing state for the app")
		}
		if lvl := cs.Effective.Level; lvl != LevelOK {
			cs.Problems = append(cs.Problems, fmt.Sprintf("certificate %s: %s, %d days left", cs.Effective.Certificate.Name, lvl, cs.Effective.DaysLeft))
		}
		switch {
		case c.Trust.IsZero():
			cs.Problems = append(cs.Problems, errNoTrust.Error())
		default:
			tf, ok := docs[c.Trust.ARN]
			if !ok {
				tf, err = readTrustFacts(ctx, rp, c.Trust)
				if err != nil {
					return nil, err
				}
				docs[c.Trust.ARN] = tf
			}
			cs.TrustCertificates = tf.fingerprints
			cs.TrustAgrees = slices.Contains(tf.fingerprints, cs.Effective.Certificate.SHA256)
			cs.TrustValidUntil = validUntilStatus(c.Trust, tf.validUntil, now, o.Thresholds, &cs.Problems)
			if !cs.TrustAgrees {
				cs.Problems = append(cs.Problems, fmt.Sprintf("IAM trust %s does not trust the certificate the app signs with (%s): sign-in fails", c.Trust, cs.Effective.Certificate.SHA256))
			}
		}
		r.ContactCenters = append(r.ContactCenters, cs)
	}
	return r, nil
}

// trustFacts is what check reads of an IAM document.
type trustFacts struct {
	fingerprints []string
	validUntil   time.Time
}

func readTrustFacts(ctx context.Context, rp RelyingParty, ref TrustRef) (trustFacts, error) {
	snap, err := rp.Trust(ctx, ref)
	if err != nil {
		return trustFacts{}, fmt.Errorf("read trust %s: %w", ref, err)
	}
	md, err := samlmeta.Parse(snap.Document)
	if err != nil {
		return trustFacts{}, fmt.Errorf("trust %s: %w", ref, err)
	}
	certs, err := md.SigningCertificates()
	if err != nil {
		return trustFacts{}, fmt.Errorf("trust %s: %w", ref, err)
	}
	fps := make([]string, 0, len(certs))
	for _, c := range certs {
		fps = append(fps, c.SHA256)
	}
	return trustFacts{fingerprints: fps, validUntil: md.ValidUntil()}, nil
}

func status(c Certificate, now time.Time, thresholds []time.Duration) CertificateStatus {
	days, level := levelAt(c.NotAfter, now, thresholds)
	return CertificateStatus{Certificate: c, DaysLeft: days, Level: level}
}

// levelAt grades how close until is: the days left and the level of the
// thresholds it is within.
func levelAt(until, now time.Time, thresholds []time.Duration) (int, Level) {
	left := until.Sub(now)
	days := int(left.Hours() / 24)
	if left <= 0 {
		return days, LevelExpired
	}
	level := LevelOK
	levels := []Level{LevelNotice, LevelWarning, LevelCritical}
	for i, t := range thresholds {
		if i < len(levels) && left <= t {
			level = levels[i]
		}
	}
	return days, level
}

// RenewalDue reports whether c should be renewed now: when it expires within
// before, or, when before is zero, within one third of its lifetime (the
// renewal point cert-manager uses by default).
func RenewalDue(c Certificate, before time.Duration, now time.Time) bool {
	if before <= 0 {
		before = c.NotAfter.Sub(c.NotBefore) / 3
	}
	return c.NotAfter.Sub(now) <= before
}
