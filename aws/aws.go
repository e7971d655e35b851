package aws

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/voicecert/voicecert/rotation"
)

// IAMAPI is the part of the IAM API the backend calls. *iam.Client
// satisfies it; tests and callers may substitute their own.
type IAMAPI interface {
	GetSAMLProvider(ctx context.Context, in *iam.GetSAMLProviderInput, optFns ...func(*iam.Options)) (*iam.GetSAMLProviderOutput, error)
	UpdateSAMLProvider(ctx context.Context, in *iam.UpdateSAMLProviderInput, optFns ...func(*iam.Options)) (*iam.UpdateSAMLProviderOutput, error)
	ListSAMLProviders(ctx context.Context, in *iam.ListSAMLProvidersInput, optFns ...func(*iam.Options)) (*iam.ListSAMLProvidersOutput, error)
	ListSAMLProviderTags(ctx context.Context, in *iam.ListSAMLProviderTagsInput, optFns ...func(*iam.Options)) (*iam.ListSAMLProviderTagsOutput, error)
	TagSAMLProvider(ctx context.Context, in *iam.TagSAMLProviderInput, optFns ...func(*iam.Options)) (*iam.TagSAMLProviderOutput, error)
	UntagSAMLProvider(ctx context.Context, in *iam.UntagSAMLProviderInput, optFns ...func(*iam.Options)) (*iam.UntagSAMLProviderOutput, error)
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
}

var _ IAMAPI = (*iam.Client)(nil)

// Options configure a RelyingParty.
type Options struct {
	// Logger receives structured events (account, ARN, fingerprints; never
	// a credential). Default: discard.
	Logger *slog.Logger
	// PropagationTimeout bounds how long SetTrust polls GetSAMLProvider
	// until IAM serves the new document. Default 2 minutes.
	PropagationTimeout time.Duration
	// PollInterval is the first wait between polls and between retries of
	// a ConcurrentModification; waits double up to MaxPollInterval.
	// Default 1 second.
	PollInterval time.Duration
	// MaxPollInterval caps the wait between polls. Default 15 seconds.
	MaxPollInterval time.Duration
	// ConcurrentModificationRetries is how many times a change IAM refused
	// with ConcurrentModification is sent again. Default 5; a negative
	// value sends each change once.
	ConcurrentModificationRetries int
	// Clock returns the current time, used to check a document's validUntil
	// and lock expiry. Waits use real timers. Default time.Now.
	Clock func() time.Time
	// Account is the 12-digit AWS account this relying party serves. When
	// empty it is taken from the first provider ARN the relying party is
	// given or finds (the backend does not call STS).
	Account string
	// OrgID is the Salesforce org id, used only to derive the default
	// provider names FindProvider tries (see DefaultProviderNames).
	OrgID string
	// STS is the client JudgeSignIn asks for AWS's verdict. New sets it to
	// NewSTSClient(cfg) unless given; with NewFromClient it must be given
	// for JudgeSignIn to work.
	STS STSAPI
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PropagationTimeout <= 0 {
		o.PropagationTimeout = 2 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 15 * time.Second
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = o.PollInterval
	}
	if o.ConcurrentModificationRetries < 0 {
		o.ConcurrentModificationRetries = 0
	} else if o.ConcurrentModificationRetries == 0 {
		o.ConcurrentModificationRetries = 5
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// RelyingParty is an AWS account's IAM SAML providers seen as the relying
// party of a rotation. It implements rotation.RelyingParty for one account
// (use Multi for several) and is safe for concurrent use.
type RelyingParty struct {
	client IAMAPI
	opts   Options
	log    *slog.Logger

	mu      sync.Mutex
	account string
}

var _ rotation.RelyingParty = (*RelyingParty)(nil)

// New returns a RelyingParty that calls IAM through an *iam.Client built
// from cfg.
//
// Throttling and 5xx answers are retried by the SDK's retryer as cfg
// configures it (by default the standard retryer with 3 attempts): set
// cfg.RetryMaxAttempts, cfg.RetryMode or cfg.Retryer to change it. The
// backend itself retries only ConcurrentModification (see Options).
//
// JudgeSignIn calls STS through NewSTSClient(cfg): the same region and
// retryer, the STS endpoint of cfg (BaseEndpoint or AWS_ENDPOINT_URL_STS),
// anonymous credentials.
func New(cfg awssdk.Config, optFns ...func(*Options)) *RelyingParty {
	withSTS := func(o *Options) {
		if o.STS == nil {
			o.STS = NewSTSClient(cfg)
		}
	}
	return NewFromClient(iam.NewFromConfig(cfg), "", append(optFns, withSTS)...)
}

// NewFromClient returns a RelyingParty that calls IAM through client for
// account (12 digits; empty to take it from Options.Account or from the
// first ARN seen).
func NewFromClient(client IAMAPI, account string, optFns ...func(*Options)) *RelyingParty {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if account != "" {
		o.Account = account
	}
	o.setDefaults()
	return &RelyingParty{client: client, opts: o, log: o.Logger, account: o.Account}
}

// Name returns "aws:<account>", or "aws" while the account is not known.
func (rp *RelyingParty) Name() string {
	if a := rp.Account(); a != "" {
		return "aws:" + a
	}
	return "aws"
}

// Account returns the account this relying party serves, empty while not
// yet known.
func (rp *RelyingParty) Account() string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.account
}

// resolve checks that ref names a SAML provider of this relying party's
// account and returns it with Account set. The first ARN fixes the account
// of a relying party created without one.
func (rp *RelyingParty) resolve(ref rotation.TrustRef) (rotation.TrustRef, error) {
	a, err := parseARN(ref.ARN, "saml-provider/")
	if err != nil {
		return ref, invalidRef(ref, err.Error())
	}
	if ref.Account != "" && ref.Account != a.account {
		return ref, invalidRef(ref, fmt.Sprintf("names account %s but its ARN is in account %s", ref.Account, a.account))
	}
	if err := rp.adoptAccount(a.account); err != nil {
		return ref, invalidRef(ref, err.Error())
	}
	ref.Account = a.account
	return ref, nil
}

func (rp *RelyingParty) adoptAccount(account string) error {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !validAccount(rp.account) && rp.account != "" {
		return fmt.Errorf("the relying party's account %q is not 12 digits", rp.account)
	}
	if rp.account == "" {
		rp.account = account
		return nil
	}
	if rp.account != account {
		return fmt.Errorf("is in account %s, this relying party serves account %s", account, rp.account)
	}
	return nil
}

func invalidRef(ref rotation.TrustRef, why string) error {
	return fmt.Errorf("aws: trust %q %s: %w", ref.ARN, why, rotation.ErrInvalidInput)
}

// arn is a parsed IAM ARN: arn:<partition>:iam::<account>:<kind><name>.
type arn struct {
	partition, account, name string
}

func parseARN(s, kind string) (arn, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "iam" || parts[3] != "" {
		return arn{}, fmt.Errorf("is not an IAM ARN")
	}
	rest, ok := strings.CutPrefix(parts[5], kind)
	if !ok || rest == "" {
		return arn{}, fmt.Errorf("is not an IAM %s ARN", strings.TrimSuffix(kind, "/"))
	}
	if !validAccount(parts[4]) {
		return arn{}, fmt.Errorf("has no 12-digit account")
	}
	// Roles may have a path: the name is the last segment.
	return arn{partition: parts[1], account: parts[4], name: rest[strings.LastIndex(rest, "/")+1:]}, nil
}

func validAccount(a string) bool {
	return len(a) == 12 && strings.Trim(a, "0123456789") == ""
}
