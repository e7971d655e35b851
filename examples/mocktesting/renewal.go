package mocktesting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// ErrBlocked is returned by RenewIfDue when a renewal is due but some IAM
// trust does not trust the certificate its contact center signs with today:
// sign-in is already broken there, and a person must look before anything
// is rotated on top of it.
var ErrBlocked = errors.New("renewal blocked: an IAM trust disagrees with its contact center")

// Renewer carries out a renewal. OrgRenewer is the real one; tests pass a
// RenewerFunc.
type Renewer interface {
	Renew(ctx context.Context) error
}

// RenewerFunc adapts a function to the Renewer interface.
type RenewerFunc func(ctx context.Context) error

// Renew calls f(ctx).
func (f RenewerFunc) Renew(ctx context.Context) error { return f(ctx) }

// Options configure RenewIfDue.
type Options struct {
	// RenewBefore renews a certificate that expires within it; zero renews
	// at two thirds of its lifetime (see rotation.RenewalDue).
	RenewBefore time.Duration
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// ContactCenters limits the check to these internal names (all when
	// empty).
	ContactCenters []string
	// Logger receives the decision (default discard).
	Logger *slog.Logger
}

// Option configures RenewIfDue.
type Option func(*Options)

// WithRenewBefore sets Options.RenewBefore.
func WithRenewBefore(d time.Duration) Option { return func(o *Options) { o.RenewBefore = d } }

// WithClock sets Options.Now.
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Now = now } }

// WithContactCenters sets Options.ContactCenters.
func WithContactCenters(names ...string) Option {
	return func(o *Options) { o.ContactCenters = append(o.ContactCenters, names...) }
}

// WithLogger sets Options.Logger.
func WithLogger(l *slog.Logger) Option { return func(o *Options) { o.Logger = l } }

// Decision is what RenewIfDue found and did.
type Decision struct {
	// Report is the rotation.Check report the decision is made from.
	Report *rotation.Report
	// Due says, one line per certificate, why a renewal is due; empty when
	// none is.
	Due []string
	// Blocked lists the contact centers whose IAM trust disagrees with
	// their signing certificate.
	Blocked []string
	// Renewed reports that the Renewer ran and succeeded.
	Renewed bool
}

// Message returns the decision as one chat message.
func (d *Decision) Message() string {
	switch {
	case len(d.Due) == 0:
		msg := "No certificate renewal due."
		if len(d.Blocked) > 0 {
			msg += " Sign-in is broken for: " + strings.Join(d.Blocked, "; ") + "."
		}
		return msg
	case d.Renewed:
		return "Renewed the SAML signing certificate: " + strings.Join(d.Due, "; ") + "."
	case len(d.Blocked) > 0:
		return "Renewal due (" + strings.Join(d.Due, "; ") + ") but blocked: " + strings.Join(d.Blocked, "; ") + "."
	default:
		return "Renewal due (" + strings.Join(d.Due, "; ") + ") and not done: see the logs."
	}
}

// RenewIfDue checks the org with rotation.Check, which changes nothing, and
// calls renew when the org default certificate or any contact center's
// effective certificate is due for renewal.
//
// It never calls a mutating method of idp or rp itself. A failed check is
// returned as is (wrapped, so rotation.IsTransient and errors.Is still
// classify it) with a nil Decision; a due renewal that is blocked returns
// the Decision and an error matching ErrBlocked without calling renew; an
// error of renew is returned with the Decision.
func RenewIfDue(ctx context.Context, idp rotation.IdentityProvider, rp rotation.RelyingParty, renew Renewer, opts ...Option) (*Decision, error) {
	o := Options{Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	for _, fn := range opts {
		fn(&o)
	}
	report, err := rotation.Check(ctx, idp, rp, func(c *rotation.CheckOptions) {
		c.Now, c.ContactCenters = o.Now, o.ContactCenters
	})
	if err != nil {
		return nil, fmt.Errorf("renewal check: %w", err)
	}
	d := decide(report, o.RenewBefore)
	log := o.Logger.With("due", len(d.Due), "blocked", len(d.Blocked))
	switch {
	case len(d.Due) == 0:
		log.InfoContext(ctx, "no renewal due")
		return d, nil
	case len(d.Blocked) > 0:
		log.WarnContext(ctx, "renewal due but blocked", "contactCenters", d.Blocked)
		return d, fmt.Errorf("%w: %s", ErrBlocked, strings.Join(d.Blocked, "; "))
	}
	log.InfoContext(ctx, "renewal due", "reasons", d.Due)
	if err := renew.Renew(ctx); err != nil {
		log.ErrorContext(ctx, "renewal failed", "error", err)
		return d, fmt.Errorf("renew: %w", err)
	}
	d.Renewed = true
	log.InfoContext(ctx, "renewed")
	return d, nil
}

// decide lists what is due (each certificate once) and what blocks.
func decide(r *rotation.Report, before time.Duration) *Decision {
	d := &Decision{Report: r}
	var seen []string
	due := func(who string, c rotation.Certificate) {
		if c.IsZero() || slices.Contains(seen, c.SHA256) || !rotation.RenewalDue(c, before, r.CheckedAt) {
			return
		}
		seen = append(seen, c.SHA256)
		on := c.NotAfter.UTC().Format("2006-01-02")
		if left := c.NotAfter.Sub(r.CheckedAt); left > 0 {
			d.Due = append(d.Due, fmt.Sprintf("%s: certificate %s expires on %s, in %d days", who, c.Name, on, int(left.Hours()/24)))
		} else {
			d.Due = append(d.Due, fmt.Sprintf("%s: certificate %s expired on %s", who, c.Name, on))
		}
	}
	due("org default", r.Default.Certificate)
	for _, cc := range r.ContactCenters {
		due("contact center "+cc.ContactCenter.Name, cc.Effective.Certificate)
		if !cc.TrustAgrees {
			d.Blocked = append(d.Blocked, fmt.Sprintf("contact center %s: IAM trust %q does not trust certificate %s",
				cc.ContactCenter.Name, cc.ContactCenter.Trust.ARN, cc.Effective.Certificate.Name))
		}
	}
	return d
}

// OrgRenewer is the Renewer that rotates the org with the rotation
// package's org plan.
type OrgRenewer struct {
	IdP rotation.IdentityProvider
	RP  rotation.RelyingParty
	// ID names the rotation and its new certificate; a retry with the same
	// ID adopts the certificate already created. Empty means the current
	// UTC date ("20260105").
	ID string
	// Plan and Rotator are passed to rotation.NewOrgPlan and rotation.New.
	Plan    []rotation.OrgOption
	Rotator []rotation.Option
}

// Renew runs one org rotation. A failure is a *rotation.RotationError that
// says what was rolled back.
func (o OrgRenewer) Renew(ctx context.Context) error {
	plan, err := rotation.NewOrgPlan(o.IdP, o.RP, o.Plan...)
	if err != nil {
		return err
	}
	r, err := rotation.New(plan.Steps(), o.Rotator...)
	if err != nil {
		return err
	}
	id := o.ID
	if id == "" {
		id = time.Now().UTC().Format("20060102")
	}
	return r.Run(ctx, plan.NewState(id))
}
