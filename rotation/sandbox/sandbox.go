package sandbox

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
	"github.com/voicecert/voicecert/samlmeta"
)

// DefaultRequestAttempts is how many times each backend of a sandbox sends
// one request that keeps failing with a transient error.
const DefaultRequestAttempts = 6

// OrgID is the sandbox org's id.
const OrgID = "00D5g000004SCVAEAA"

// Options shape the sandbox world.
type Options struct {
	// ContactCenters is how many contact centers to seed (default 3).
	ContactCenters int
	// Accounts is how many AWS accounts they spread over (default 2).
	Accounts int
	// Pinned is how many apps (the last ones) pin their own certificate
	// instead of following the org default (default 1; -1 for none).
	Pinned int
	// Latency is added to every API call of both fakes.
	Latency time.Duration
	// KeyGenerator makes certificate keys in the fake org (default: the
	// fake's process-wide pool; pass rsa.GenerateKey for fresh keys).
	KeyGenerator func(bits int) (*rsa.PrivateKey, error)
	// PollInterval is how often the backends poll (a pinned app's metadata,
	// IAM propagation); default 10ms.
	PollInterval time.Duration
	// Logger receives the backends' logs (default discard).
	Logger *slog.Logger
	// OrgListener and IAMListener, when set, are where the fake org and
	// the fake IAM serve (default: new loopback ports).
	OrgListener, IAMListener net.Listener
	// RequestAttempts is how many times each backend sends one request that
	// keeps failing with a transient error (the salesforce client's
	// Retry.MaxAttempts, the AWS SDK retryer's MaxAttempts); default
	// DefaultRequestAttempts.
	RequestAttempts int
	// Concurrency bounds how many requests the salesforce backend sends at
	// once in one fan-out (salesforce.Options.Concurrency): 0 for its
	// default, 1 for one request at a time in a fixed order.
	Concurrency int
	// SAMLApps is how many SAML apps of no contact center to seed
	// (World.SAMLApps; default none). Of those, PinnedSAMLApps (the last
	// ones) pin their own certificate instead of following the org default,
	// and ExternalSAMLApps (the first ones) are External Client Apps
	// instead of connected apps.
	SAMLApps, PinnedSAMLApps, ExternalSAMLApps int
	// ExternalContactCenters is how many contact centers (the first ones)
	// sign in through an External Client App instead of a connected app.
	ExternalContactCenters int
	// ExtraProviders names IAM providers of the org's entityID that no app names (see addExtraProviders).
	ExtraProviders []string
}

// ContactCenter is one seeded contact center.
type ContactCenter struct {
	Name, App, LoginID string
	Account            string
	ProviderARN        string
	RoleARN            string
	Pinned             bool
	// Kind is the kind of the app the contact center signs in through.
	Kind rotation.AppKind
}

// World is a running sandbox.
type World struct {
	Org *sftest.Org
	IAM *iamtest.Server
	// IdP and RP are the real backends, wired to the fakes.
	IdP *salesforce.Provider
	RP  aws.Multi
	// Credentials maps each AWS account to its access key id and secret.
	Credentials    map[string][2]string
	Accounts       []string
	ContactCenters []ContactCenter
	// SAMLApps are the seeded SAML apps of no contact center.
	SAMLApps []SAMLApp
	// ExtraProviderARNs are the ARNs of Options.ExtraProviders.
	ExtraProviderARNs []string

	// orgTransport carries the salesforce backend's requests, awsTransport
	// the aws backends' (IAM and STS, every account).
	orgTransport *http.Transport
	awsTransport *http.Transport
	orgHTTP      *http.Client
	opts         Options
	client       *salesforce.Client
}

// NewIdP returns another salesforce backend of the world's org, configured
// as IdP is and sharing its client, but with nothing else in common: what
// a second process would use, for instance to resume a rotation.
func (w *World) NewIdP() *salesforce.Provider { return w.provider(w.client) }

// Start seeds and starts a world. Close it when done.
func Start(ctx context.Context, o Options) (*World, error) {
	if o.ContactCenters == 0 {
		o.ContactCenters = 3
	}
	if o.Accounts == 0 {
		o.Accounts = 2
	}
	if o.Pinned == 0 {
		o.Pinned = 1
	}
	if o.Pinned < 0 {
		o.Pinned = 0
	}
	if o.RequestAttempts <= 0 {
		o.RequestAttempts = DefaultRequestAttempts
	}
	if o.PollInterval == 0 {
		o.PollInterval = 10 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ContactCenters < 1 || o.Accounts < 1 || o.Pinned > o.ContactCenters {
		return nil, fmt.Errorf("sandbox: %d contact centers, %d accounts, %d pinned: need at least one of each and no more pinned than contact centers",
			o.ContactCenters, o.Accounts, o.Pinned)
	}
	if err := o.checkSAMLApps(); err != nil {
		return nil, err
	}

	iamOpts := []iamtest.Option{}
	orgOpts := []sftest.Option{sftest.WithOrgID(OrgID)}
	if o.OrgListener != nil {
		orgOpts = append(orgOpts, sftest.WithListener(o.OrgListener))
	}
	if o.IAMListener != nil {
		iamOpts = append(iamOpts, iamtest.WithListener(o.IAMListener))
	}
	if o.KeyGenerator != nil {
		orgOpts = append(orgOpts, sftest.WithKeyGenerator(o.KeyGenerator))
	}
	w := &World{Credentials: map[string][2]string{}}
	w.IAM = iamtest.New(iamOpts...)
	w.Org = sftest.New(append(orgOpts, sftest.WithSignInURL(w.IAM.SignInURL()))...)

	for i := range o.Accounts {
		acct := accountID(i)
		w.Accounts = append(w.Accounts, acct)
		id, secret := w.IAM.AddAccount(acct)
		w.Credentials[acct] = [2]string{id, secret}
	}

	// Pinned apps are seeded before the org default exists, so that each
	// gets a certificate of its own.
	w.Org.AddCertificate("SelfSignedCert_Previous", 2048)
	seeds := make([]sftest.ContactCenterSeed, o.ContactCenters)
	for i := range o.ContactCenters {
		acct := w.Accounts[i%o.Accounts]
		name := fmt.Sprintf("ContactCenter%02d", i+1)
		cc := ContactCenter{
			Name:        name,
			App:         name + "_Connected_App",
			Account:     acct,
			ProviderARN: "arn:aws:iam::" + acct + ":saml-provider/" + aws.DefaultProviderName,
			RoleARN:     "arn:aws:iam::" + acct + ":role/" + name + "-SAMLRole",
			Pinned:      i >= o.ContactCenters-o.Pinned,
			Kind:        rotation.AppConnected,
		}
		if i < o.ExternalContactCenters {
			cc.App, cc.Kind = name+"_ECA", rotation.AppExternal
		}
		telephony := sftest.TelephonyNative
		if i%2 == 1 {
			telephony = sftest.TelephonyPartner
		}
		seeds[i] = sftest.ContactCenterSeed{
			InternalName: name, DisplayName: fmt.Sprintf("Contact Center %d", i+1), Telephony: telephony,
			AppName: cc.App, Pinned: cc.Pinned, RoleARN: cc.RoleARN, ProviderARN: cc.ProviderARN,
			InstanceID: fmt.Sprintf("%08d-0000-4000-8000-%012d", i+1, i+1), Region: "us-east-1",
			External: cc.Kind == rotation.AppExternal,
		}
		w.ContactCenters = append(w.ContactCenters, cc)
	}
	for i, s := range seeds {
		if s.Pinned {
			_, w.ContactCenters[i].LoginID = w.Org.AddContactCenter(s)
		}
	}
	w.seedSAMLApps(o, true)
	w.Org.SetDefaultCertificate("SelfSignedCert_Previous")
	for i, s := range seeds {
		if !s.Pinned {
			_, w.ContactCenters[i].LoginID = w.Org.AddContactCenter(s)
		}
	}
	w.seedSAMLApps(o, false)

	// Each account's IAM provider trusts what its contact centers sign
	// with now: the org's metadata plus any pinned app's certificate.
	for _, acct := range w.Accounts {
		doc, err := w.accountMetadata(ctx, acct)
		if err != nil {
			w.Close()
			return nil, err
		}
		w.IAM.AddProvider(acct, aws.DefaultProviderName, doc)
		w.addExtraProviders(acct, doc, o.ExtraProviders)
	}
	for _, cc := range w.ContactCenters {
		w.IAM.AddRole(cc.Account, cc.Name+"-SAMLRole", trustPolicy(cc.ProviderARN))
	}

	w.opts, w.orgHTTP, w.awsTransport = o, w.orgClient(), idleTransport()
	client, err := w.newClient(w.Org.AccessToken())
	if err != nil {
		w.Close()
		return nil, err
	}
	w.client = client
	w.IdP = w.NewIdP()
	var rps []*aws.RelyingParty
	for _, acct := range w.Accounts {
		rps = append(rps, aws.New(w.AWSConfig(acct), func(ao *aws.Options) {
			ao.Account = acct
			ao.Logger = o.Logger
			ao.PollInterval = o.PollInterval
			ao.MaxPollInterval = 20 * o.PollInterval
			ao.PropagationTimeout = 30 * time.Second
		}))
	}
	if w.RP, err = aws.NewMulti(rps...); err != nil {
		w.Close()
		return nil, err
	}
	if o.Latency > 0 {
		w.Org.SetLatency(o.Latency)
		w.IAM.SetLatency(o.Latency)
	}
	return w, nil
}

// idleConnsPerHost is how many idle connections the backends' transports
// keep to each fake: as many as a fan-out may use at once. With the
// defaults (two for net/http, ten for the AWS SDK), every request of a
// fan-out beyond them would open a new connection.
const idleConnsPerHost = 256

// orgClient is the fake org's HTTP client with a transport that keeps
// idleConnsPerHost idle connections.
func (w *World) orgClient() *http.Client {
	hc := *w.Org.Client()
	if t, ok := hc.Transport.(*http.Transport); ok {
		w.orgTransport = t.Clone()
		w.orgTransport.MaxIdleConnsPerHost = idleConnsPerHost
		hc.Transport = w.orgTransport
	}
	return &hc
}

// idleTransport is the aws backends' transport: net/http's default one
// keeping idleConnsPerHost idle connections.
func idleTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return t
}

// STSURL is the fake STS endpoint (AssumeRoleWithSAML), for
// AWS_ENDPOINT_URL_STS: the fake IAM's own listener.
func (w *World) STSURL() string { return w.IAM.STSURL() }

// AWSConfig is the SDK configuration of one account of the sandbox: static
// credentials, the fake's endpoint (for IAM and STS alike: aws.New's STS
// client, and so RP's JudgeSignIn, reach the fake STS through it), an HTTP
// client that keeps a fan-out's connections open, and a retryer with short
// waits (and no client-side rate limit, so that a test's fault storm cannot
// starve it).
func (w *World) AWSConfig(account string) awssdk.Config {
	c := w.Credentials[account]
	return awssdk.Config{
		Region:       "us-east-1",
		BaseEndpoint: awssdk.String(w.IAM.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(c[0], c[1], ""),
		HTTPClient:   &http.Client{Transport: w.awsTransport},
		Retryer: func() awssdk.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = w.opts.RequestAttempts
				so.MaxBackoff = 20 * time.Millisecond
				so.RateLimiter = ratelimit.None
			})
		},
	}
}

// accountMetadata builds the document an admin would have uploaded to one
// account's provider: the org metadata, plus the certificate of each pinned
// app of that account.
func (w *World) accountMetadata(ctx context.Context, acct string) ([]byte, error) {
	body, err := w.get(ctx, w.Org.OrgMetadataURL())
	if err != nil {
		return nil, err
	}
	md, err := samlmeta.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("sandbox: org metadata: %w", err)
	}
	for _, cc := range w.ContactCenters {
		if cc.Account != acct || !cc.Pinned {
			continue
		}
		appDoc, err := w.get(ctx, w.Org.MetadataURL(cc.App))
		if err != nil {
			return nil, err
		}
		am, err := samlmeta.Parse(appDoc)
		if err != nil {
			return nil, fmt.Errorf("sandbox: metadata of %s: %w", cc.App, err)
		}
		certs, err := am.SigningCertificates()
		if err != nil {
			return nil, err
		}
		for _, c := range certs {
			if err := md.AddSigningCertificate(c); err != nil {
				return nil, err
			}
		}
	}
	return md.Bytes(), nil
}

// Close stops both fakes.
func (w *World) Close() {
	for _, t := range []*http.Transport{w.orgTransport, w.awsTransport} {
		if t != nil {
			t.CloseIdleConnections()
		}
	}
	if w.Org != nil {
		w.Org.Close()
	}
	if w.IAM != nil {
		w.IAM.Close()
	}
}

// PlayAdmin answers a manual gate as the org's administrator would: it sets
// each app named in the request to the requested certificate in Setup.
func (w *World) PlayAdmin(_ context.Context, req rotation.ManualRequest) error {
	changes := req.Changes
	if len(changes) == 0 && !req.App.IsZero() {
		changes = []rotation.AppChange{{App: req.App, Certificate: req.Certificate}}
	}
	if len(changes) == 0 {
		return errors.New("sandbox: the manual request names no app")
	}
	for _, c := range changes {
		if err := w.Org.SetAppCertificate(c.App.Name, c.Certificate); err != nil {
			return err
		}
	}
	return nil
}

// Snapshot is everything a rotation may change in the world, comparable
// with assert.Equal.
type Snapshot struct {
	// Org is the fake org's signing configuration.
	Org sftest.Snapshot
	// IAM maps each SAML provider's ARN to its stored document.
	IAM map[string]string
}

// Snapshot returns the world's state.
func (w *World) Snapshot() Snapshot {
	return Snapshot{Org: w.Org.Snapshot(), IAM: w.IAM.Snapshot()}
}
