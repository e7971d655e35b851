package salesforce

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// ProviderOptions configure a Provider.
type ProviderOptions struct {
	// OrgID names the provider ("salesforce:<OrgID>"); the instance host is
	// used when empty.
	OrgID string
	// Logger receives warnings about contact centers that cannot be fully
	// resolved; discarded when nil.
	Logger *slog.Logger
	// PollInterval is how often a manual gate's Wait reads the app's
	// metadata endpoint; 15s when 0.
	PollInterval time.Duration
	// ManualTimeout, when positive, is the Timeout of the ManualActionError
	// SetAppCertificate returns; the engine's default applies otherwise.
	ManualTimeout time.Duration
	// Now is the clock used to check a new certificate's expiry; time.Now
	// when nil.
	Now func() time.Time
}

// Provider is the Salesforce org as a rotation.IdentityProvider and
// rotation.LoginTester.
type Provider struct {
	c    *Client
	opts ProviderOptions
	log  *slog.Logger
	// parsed remembers the signing certificate of app metadata documents.
	parsed signingCertCache
	// reads merges concurrent identical reads (see shared).
	reads singleflight.Group
	// kinds maps the API name of each External Client App discovery saw
	// to rotation.AppExternal; other apps are connected apps.
	kinds sync.Map
	// algorithms remembers each app's configured signing algorithm, by
	// app name, from the latest discovery (see algorithm.go).
	algorithms sync.Map
}

var (
	_ rotation.IdentityProvider = (*Provider)(nil)
	_ rotation.LoginTester      = (*Provider)(nil)
	_ rotation.AppLister        = (*Provider)(nil)
)

// NewProvider returns the identity provider backed by c.
func NewProvider(c *Client, optFns ...func(*ProviderOptions)) *Provider {
	o := ProviderOptions{}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 15 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Provider{c: c, opts: o, log: o.Logger}
}

// Client returns the provider's client.
func (p *Provider) Client() *Client { return p.c }

// Name returns "salesforce:<org id>", or "salesforce:<instance host>" when no
// OrgID option was given ("salesforce" while the host is not yet known).
func (p *Provider) Name() string {
	if p.opts.OrgID != "" {
		return "salesforce:" + p.opts.OrgID
	}
	if u, err := url.Parse(p.c.instanceURL); err == nil && u.Host != "" {
		return "salesforce:" + u.Host
	}
	return "salesforce"
}

// Metadata returns the org's IdP metadata document for the zero AppRef, else
// the app's own document (which carries the app's effective certificate).
func (p *Provider) Metadata(ctx context.Context, app rotation.AppRef) ([]byte, error) {
	if app.IsZero() {
		return p.c.IdPMetadata(ctx)
	}
	return p.c.AppMetadata(ctx, app.Name)
}

// certFacts describes a parsed certificate.
func certFacts(name, label string, c *samlmeta.Cert) rotation.Certificate {
	return rotation.Certificate{
		Name:      name,
		Label:     label,
		SHA256:    c.SHA256,
		Subject:   c.Subject,
		NotBefore: c.NotBefore,
		NotAfter:  c.NotAfter,
		KeyBits:   c.KeyBits,
		DER:       c.DER,
	}
}

// certificate reads a Certificate component and parses its content.
// Concurrent reads of one certificate share one request.
func (p *Provider) certificate(ctx context.Context, name string) (rotation.Certificate, error) {
	return shared(ctx, &p.reads, "certificate "+name, func(ctx context.Context) (rotation.Certificate, error) {
		c, err := ReadOne[Certificate](ctx, p.c, name)
		if err != nil {
			return rotation.Certificate{}, err
		}
		return parseCertificate(c)
	})
}

// parseCertificate parses the content of a Certificate component: base64 of
// the .crt file (PEM, the leaf first), or DER.
func parseCertificate(c *Certificate) (rotation.Certificate, error) {
	if len(c.Content) == 0 {
		return rotation.Certificate{}, rotation.Permanent(fmt.Errorf("salesforce: certificate %q: readMetadata returned no content", c.FullName))
	}
	parsed, err := samlmeta.ParseCertPEM(c.Content)
	if err != nil {
		var derErr error
		if parsed, derErr = samlmeta.ParseCertDER(c.Content); derErr != nil {
			return rotation.Certificate{}, rotation.Permanent(fmt.Errorf("salesforce: certificate %q: parse content: %w", c.FullName, err))
		}
	}
	return certFacts(c.FullName, c.MasterLabel, parsed), nil
}

// idpSettings reads the IdentityProviderSettings; a missing record means the
// org's identity provider was never enabled. Concurrent reads share one
// request; each caller gets its own copy to change.
func (p *Provider) idpSettings(ctx context.Context) (*IdentityProviderSettings, error) {
	s, err := shared(ctx, &p.reads, "identity provider settings", func(ctx context.Context) (IdentityProviderSettings, error) {
		s, err := ReadOne[IdentityProviderSettings](ctx, p.c, IdentityProviderName)
		if errors.Is(err, rotation.ErrNotFound) {
			return IdentityProviderSettings{}, fmt.Errorf("salesforce: the org's identity provider is not set up (no IdentityProviderSettings): %w", err)
		}
		if err != nil {
			return IdentityProviderSettings{}, err
		}
		return *s, nil
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// defaultCertificate returns the org's IdP signing certificate.
func (p *Provider) defaultCertificate(ctx context.Context) (rotation.Certificate, error) {
	s, err := p.idpSettings(ctx)
	if err != nil {
		return rotation.Certificate{}, err
	}
	return p.certificateOf(ctx, s)
}

// certificateOf returns the certificate the IdP settings s name.
func (p *Provider) certificateOf(ctx context.Context, s *IdentityProviderSettings) (rotation.Certificate, error) {
	if s.CertificateName == "" {
		return rotation.Certificate{}, fmt.Errorf("salesforce: IdentityProviderSettings names no certificate: %w", rotation.ErrNotFound)
	}
	return p.certificate(ctx, s.CertificateName)
}

// appCertificate returns the certificate the app's metadata endpoint
// publishes: the certificate its assertions are signed with.
func (p *Provider) appCertificate(ctx context.Context, appName string) (*samlmeta.Cert, error) {
	doc, err := p.c.appMetadataRaw(ctx, appName)
	if err != nil {
		return nil, err
	}
	if c := p.parsed.get(doc); c != nil {
		return c, nil
	}
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return nil, rotation.Permanent(fmt.Errorf("salesforce: metadata of app %q: %w", appName, err))
	}
	certs, err := md.SigningCertificates()
	if err != nil {
		return nil, rotation.Permanent(fmt.Errorf("salesforce: metadata of app %q: %w", appName, err))
	}
	if len(certs) == 0 {
		return nil, rotation.Permanent(fmt.Errorf("salesforce: metadata of app %q has no signing certificate", appName))
	}
	p.parsed.put(doc, certs[0])
	return certs[0], nil
}

// signingCertCacheSize bounds signingCertCache: a handful of distinct
// documents (the org default's, each pinned app's) is the common case.
const signingCertCacheSize = 16

// signingCertCache remembers the first signing certificate of metadata
// documents already parsed, by the SHA-256 of their bytes. Every app that
// follows the org default publishes the same document, and parsing it once
// per app cost more CPU than the rest of a rotation's reads of it; the
// same bytes always parse to the same certificate.
type signingCertCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*samlmeta.Cert
	order   [][sha256.Size]byte
}

func (c *signingCertCache) get(doc []byte) *samlmeta.Cert {
	key := sha256.Sum256(doc)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

func (c *signingCertCache) put(doc []byte, cert *samlmeta.Cert) {
	key := sha256.Sum256(doc)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[[sha256.Size]byte]*samlmeta.Cert{}
	}
	if _, ok := c.entries[key]; ok {
		return
	}
	if len(c.order) == signingCertCacheSize {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = cert
	c.order = append(c.order, key)
}

// certificatesByFingerprint reads every Certificate of the org and indexes
// them by SHA-256 fingerprint. Certificates whose content cannot be parsed
// are skipped.
func (p *Provider) certificatesByFingerprint(ctx context.Context) (map[string]rotation.Certificate, error) {
	_, certs, err := listAndRead[Certificate](ctx, p.c)
	if err != nil {
		return nil, err
	}
	out := map[string]rotation.Certificate{}
	for _, c := range certs {
		if c == nil {
			continue
		}
		facts, err := parseCertificate(c)
		if err != nil {
			p.log.LogAttrs(ctx, slog.LevelDebug, "salesforce: skipping certificate", slog.String("certificate", c.FullName), slog.String("error", err.Error()))
			continue
		}
		out[facts.SHA256] = facts
	}
	return out, nil
}

// SigningState reports the org default certificate (IdentityProviderSettings
// certificateName) and, for each contact center's app (a connected app or an
// External Client App), the certificate its
// metadata endpoint publishes. An app whose certificate differs from the
// default is Pinned; its certificate is named by matching fingerprints with
// the org's certificates when possible.
//
// The default certificate, the contact centers and then every app's
// metadata are read concurrently (Options.Concurrency); so are the org's
// certificates, in case an app turns out to be pinned, unless the client
// sends one request at a time, when they are read only for a pinned app.
func (p *Provider) SigningState(ctx context.Context) (rotation.SigningState, error) {
	var apps []rotation.AppRef
	def, effs, certs, err := p.readSigning(ctx, func(ctx context.Context) ([]string, error) {
		ccs, err := p.ContactCenters(ctx)
		if err != nil {
			return nil, err
		}
		var names []string
		seen := map[string]bool{}
		for _, cc := range ccs {
			if cc.App.Name != "" && !seen[cc.App.Name] {
				seen[cc.App.Name] = true
				apps = append(apps, cc.App)
				names = append(names, cc.App.Name)
			}
		}
		return names, nil
	})
	if err != nil {
		return rotation.SigningState{}, err
	}
	st := rotation.SigningState{Default: def}
	for i, app := range apps {
		as := rotation.AppSigning{App: app, Algorithm: p.algorithm(app.Name)}
		var err error
		if as.Certificate, as.Pinned, err = p.effective(ctx, def, effs[i], &certs); err != nil {
			return rotation.SigningState{}, err
		}
		st.Apps = append(st.Apps, as)
	}
	return st, nil
}

// readSigning reads the default certificate and, at once, the apps that
// list names and then every app's metadata (effs[i] is the certificate
// apps[i] publishes); so are the org's certificates, in case an app turns
// out to be pinned, unless the client sends one request at a time (certs is
// then nil, and effective reads them for a pinned app).
func (p *Provider) readSigning(ctx context.Context, list func(ctx context.Context) ([]string, error)) (
	def rotation.Certificate, effs []*samlmeta.Cert, certs map[string]rotation.Certificate, err error) {
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) { def, err = p.defaultCertificate(ctx); return err },
		func(ctx context.Context) error {
			names, err := list(ctx)
			if err != nil {
				return err
			}
			effs = make([]*samlmeta.Cert, len(names))
			return p.c.parallel(ctx, len(names), func(ctx context.Context, i int) (err error) {
				effs[i], err = p.appCertificate(ctx, names[i])
				return err
			})
		},
	}
	if p.c.concurrent() {
		// Read ahead; a failure matters only if a pinned app needs a name.
		reads = append(reads, func(ctx context.Context) error {
			certs, _ = p.certificatesByFingerprint(ctx)
			return nil
		})
	}
	err = p.c.all(ctx, reads...)
	return def, effs, certs, err
}

// effective names the certificate eff an app signs with: the default when
// their fingerprints match, else (pinned) the org's certificate of that
// fingerprint, read into *certs on first need when it was not read ahead,
// or the bare X.509 facts when the org has none.
func (p *Provider) effective(ctx context.Context, def rotation.Certificate, eff *samlmeta.Cert,
	certs *map[string]rotation.Certificate) (rotation.Certificate, bool, error) {
	if eff.SHA256 == def.SHA256 {
		return def, false, nil
	}
	if *certs == nil {
		var err error
		if *certs, err = p.certificatesByFingerprint(ctx); err != nil {
			return rotation.Certificate{}, true, err
		}
	}
	if named, ok := (*certs)[eff.SHA256]; ok {
		return named, true, nil
	}
	return certFacts("", "", eff), true, nil
}
