package rotation

import (
	"context"
	"log/slog"
	"time"
)

// Strategy is the order in which an org rotation changes the relying parties
// and the identity provider.
type Strategy string

const (
	// StrategyOverlap first makes every relying party trust the old and the
	// new certificate, then switches the identity provider, verifies, and
	// only then retires the old certificate: single sign-on never breaks.
	StrategyOverlap Strategy = "overlap"
	// StrategyDirect follows the manual procedure's order: switch the
	// identity provider, then replace each relying party's metadata. Single
	// sign-on fails between the two. Use it only for relying parties that
	// refuse a document with two signing certificates.
	StrategyDirect Strategy = "direct"
)

// Names of the org plan's steps, usable with WithStepBefore and WithStepAfter.
const (
	StepPreflight = "preflight"
	StepStage     = "stage"
	StepTrust     = "trust"
	StepActivate  = "activate"
	StepVerify    = "verify"
	StepSoak      = "soak"
	StepRetire    = "retire"
	StepCleanup   = "cleanup"
)

// Key sizes the org plan accepts for a new certificate. Service Cloud Voice
// accepts keys up to 4096 bits; IAM requires at least 1024, and we never go
// below 2048.
const (
	MinKeyBits     = 2048
	MaxKeyBits     = 4096
	DefaultKeyBits = 4096
)

// OrgOptions configure an org plan. Build them with the With… OrgOption
// functions; NewOrgPlan fills in the defaults.
type OrgOptions struct {
	// Strategy is StrategyOverlap (default) or StrategyDirect.
	Strategy Strategy
	// KeyBits is the new certificate's RSA key size (default 4096).
	KeyBits int
	// LabelTemplate makes the new certificate's label; see CertificateLabel.
	LabelTemplate string
	// Soak is how long to wait after verification before retiring the old
	// certificate from the relying parties (overlap only).
	Soak time.Duration
	// ContactCenters limits the rotation to contact centers with these
	// internal names (all when empty).
	ContactCenters []string
	// Canary is how many contact centers are changed and checked, one at a
	// time, before the rest (default 1).
	Canary int
	// Concurrency bounds how many contact centers (and relying parties) are
	// changed at once after the canaries, and how many independent reads
	// (trust snapshots, verification's reads and sign-ins) go out at once
	// (default 4). 1 makes every call wait for the previous one, in a fixed
	// order.
	Concurrency int
	// DeleteOld deletes the previous certificate at the end. It cannot be
	// undone, so it is off by default and runs as the very last step.
	DeleteOld bool
	// AllowSHA1 accepts SHA-1 signatures when verifying a SAML Response,
	// for every app. Without it SHA-1 is accepted only for an app the
	// identity provider reports configured SHA1 (AppSigning.Algorithm),
	// with a warning.
	AllowSHA1 bool
	// AcceptAffected, AppRelyingParties, PinAffected and ExcludeTrusts say
	// how the rotation handles SAML apps of no contact center and the
	// trusts no app names (see WithAcceptAffected, WithAppRelyingParty,
	// WithPinAffected and WithExcludeTrusts).
	AcceptAffected    []string
	AppRelyingParties map[string]AppRelyingParty
	PinAffected       []string
	ExcludeTrusts     []string
	// LocalVerdictOnly keeps verification from presenting Responses to a
	// relying party that can judge them (see SignInJudge): no STS session
	// is opened, and the report says the verdict is local only.
	LocalVerdictOnly bool
	// StructuralVerification verifies by three-way agreement on the
	// certificates only: no sign-in, no Response checked, no verdict asked.
	// Preflight then does not ask whether sign-ins can work.
	StructuralVerification bool
	// History lists the org's journaled rotations: rollback names the newer
	// rotation that changed what it would restore, and no certificate
	// another rotation may restore is deleted (see JournalDir).
	History History
	// Logger receives the plan's audit records (old and new fingerprints
	// of every change).
	Logger *slog.Logger
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Sleep waits for d or until ctx ends (default a timer); tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// OrgOption configures an org plan.
type OrgOption func(*OrgOptions)

// WithStrategy selects the rotation strategy.
func WithStrategy(s Strategy) OrgOption { return func(o *OrgOptions) { o.Strategy = s } }

// WithKeyBits sets the new certificate's key size: 2048 or 4096.
func WithKeyBits(bits int) OrgOption { return func(o *OrgOptions) { o.KeyBits = bits } }

// WithLabelTemplate sets the template of the new certificate's label.
func WithLabelTemplate(t string) OrgOption { return func(o *OrgOptions) { o.LabelTemplate = t } }

// WithSoak sets how long the overlap lasts after verification.
func WithSoak(d time.Duration) OrgOption { return func(o *OrgOptions) { o.Soak = d } }

// WithContactCenters limits the rotation to the named contact centers.
func WithContactCenters(names ...string) OrgOption {
	return func(o *OrgOptions) { o.ContactCenters = append(o.ContactCenters, names...) }
}

// WithCanary sets how many contact centers go first, one at a time.
func WithCanary(n int) OrgOption { return func(o *OrgOptions) { o.Canary = n } }

// WithConcurrency bounds how many contact centers change at once.
func WithConcurrency(n int) OrgOption { return func(o *OrgOptions) { o.Concurrency = n } }

// WithDeleteOld deletes the previous certificate at the end of a rotation.
func WithDeleteOld(on bool) OrgOption { return func(o *OrgOptions) { o.DeleteOld = on } }

// WithAllowSHA1 accepts SHA-1 signed Responses during verification.
func WithAllowSHA1(on bool) OrgOption { return func(o *OrgOptions) { o.AllowSHA1 = on } }

// WithLocalVerdictOnly verifies Responses locally only: the relying party
// is never asked for its own verdict (no AWS STS AssumeRoleWithSAML call,
// so no session in CloudTrail), and the report says so.
func WithLocalVerdictOnly() OrgOption { return func(o *OrgOptions) { o.LocalVerdictOnly = true } }

// WithStructuralVerification verifies by agreement on the certificates
// only (the IdP setting, every app's effective certificate and every IAM
// document): nothing signs in. Use it when the session cannot open a UI
// session or the user may not sign in to the apps.
func WithStructuralVerification() OrgOption {
	return func(o *OrgOptions) { o.StructuralVerification = true }
}

// WithHistory sets the journaled rotations of the org (see JournalDir).
func WithHistory(h History) OrgOption { return func(o *OrgOptions) { o.History = h } }

// History lists the journaled rotations of an org.
type History interface {
	// Rotations returns the last record of every journaled rotation.
	Rotations(ctx context.Context) ([]*JournalRecord, error)
}

// WithOrgLogger sets the logger for the plan's audit records.
func WithOrgLogger(l *slog.Logger) OrgOption { return func(o *OrgOptions) { o.Logger = l } }

// WithOrgClock replaces the clock and the sleep used by the plan (tests).
func WithOrgClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) OrgOption {
	return func(o *OrgOptions) {
		if now != nil {
			o.Now = now
		}
		if sleep != nil {
			o.Sleep = sleep
		}
	}
}
