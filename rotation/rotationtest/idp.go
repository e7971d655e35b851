package rotationtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// IdentityProvider is an in-memory rotation.IdentityProvider that behaves as
// the salesforce backend does: certificates by unique name, an org default,
// apps that follow it or pin their own certificate (then SetAppCertificate
// needs a person: a *rotation.ManualActionError whose Wait polls until
// [IdentityProvider.PinApp] plays the administrator). It logs every call and
// can fail any of them (see FailCall and OnCall). It is safe for concurrent
// use.
type IdentityProvider struct {
	*faults

	name     string
	entityID string
	keys     KeyGenerator
	keySizes []int
	poll     time.Duration
	now      func() time.Time

	mu      sync.Mutex
	certs   map[string]rotation.Certificate
	def     string
	centers []rotation.ContactCenter
	apps    map[string]*fakeApp
}

type fakeApp struct {
	pinned bool
	cert   string // when pinned
}

// IdPOption configures an IdentityProvider.
type IdPOption func(*IdentityProvider)

// WithIdPName sets Name(); the default is "fake-idp".
func WithIdPName(name string) IdPOption { return func(p *IdentityProvider) { p.name = name } }

// WithEntityID sets the entityID of the metadata; the default is
// "https://example.my.salesforce.com".
func WithEntityID(id string) IdPOption { return func(p *IdentityProvider) { p.entityID = id } }

// WithKeyGenerator sets how keys are made; the default is FreshKey.
func WithKeyGenerator(g KeyGenerator) IdPOption { return func(p *IdentityProvider) { p.keys = g } }

// WithKeySizes sets the key sizes CreateCertificate accepts; the default is
// 2048 and 4096, as Salesforce. Smaller sizes make faster tests.
func WithKeySizes(bits ...int) IdPOption { return func(p *IdentityProvider) { p.keySizes = bits } }

// WithPollInterval sets how often a manual action's Wait looks for the
// change; the default is 5ms.
func WithPollInterval(d time.Duration) IdPOption { return func(p *IdentityProvider) { p.poll = d } }

// NewIdentityProvider returns an IdentityProvider with no certificate and no
// contact center.
func NewIdentityProvider(opts ...IdPOption) *IdentityProvider {
	p := &IdentityProvider{
		faults:   &faults{},
		name:     "fake-idp",
		entityID: "https://example.my.salesforce.com",
		keys:     FreshKey,
		keySizes: []int{2048, 4096},
		poll:     5 * time.Millisecond,
		now:      time.Now,
		certs:    map[string]rotation.Certificate{},
		apps:     map[string]*fakeApp{},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

var _ rotation.IdentityProvider = (*IdentityProvider)(nil)

// Name returns the provider's name.
func (p *IdentityProvider) Name() string { return p.name }

// EntityID returns the entityID of the metadata the provider serves.
func (p *IdentityProvider) EntityID() string { return p.entityID }

// AddCertificate seeds a certificate of any key size (no call is logged).
func (p *IdentityProvider) AddCertificate(name string, keyBits int) (rotation.Certificate, error) {
	c, err := p.newCert(rotation.CertificateSpec{Name: name, Label: name, KeyBits: keyBits})
	if err != nil {
		return c, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.certs[name] = c
	return c, nil
}

// UseDefault seeds the org default certificate.
func (p *IdentityProvider) UseDefault(name string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.hasCert(name); err != nil {
		return err
	}
	p.def = name
	return nil
}

// AddContactCenter seeds a contact center; its app follows the org default.
func (p *IdentityProvider) AddContactCenter(cc rotation.ContactCenter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.centers = append(p.centers, cc)
	p.apps[cc.App.Name] = &fakeApp{}
}

// PinApp plays the administrator in Setup: it makes app name certName as its
// own IdP certificate.
func (p *IdentityProvider) PinApp(app, certName string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, err := p.app(app)
	if err != nil {
		return err
	}
	if err := p.hasCert(certName); err != nil {
		return err
	}
	a.pinned, a.cert = true, certName
	return nil
}

// FollowDefault plays the administrator unpinning app.
func (p *IdentityProvider) FollowDefault(app string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, err := p.app(app)
	if err != nil {
		return err
	}
	a.pinned, a.cert = false, ""
	return nil
}

// Certificate returns the certificate named name.
func (p *IdentityProvider) Certificate(name string) (rotation.Certificate, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.certs[name]
	return c, ok
}

// IdPSnapshot is the whole state of an IdentityProvider, comparable with
// assert.Equal. Its fields are named and typed as those of sftest.Snapshot,
// the fake Salesforce org's.
type IdPSnapshot struct {
	// DefaultCertificate is the name of the org default certificate.
	DefaultCertificate string
	// Certificates maps each certificate's unique name to its SHA-256
	// fingerprint.
	Certificates map[string]string
	// AppCertificates maps each app's name to the name of the certificate
	// it signs with.
	AppCertificates map[string]string
	// Pinned lists the apps that name their own certificate, sorted.
	Pinned []string
}

// Snapshot returns the provider's state.
func (p *IdentityProvider) Snapshot() IdPSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := IdPSnapshot{DefaultCertificate: p.def, Certificates: map[string]string{}, AppCertificates: map[string]string{}}
	for n, c := range p.certs {
		s.Certificates[n] = c.SHA256
	}
	for n, a := range p.apps {
		s.AppCertificates[n] = p.effective(a)
		if a.pinned {
			s.Pinned = append(s.Pinned, n)
		}
	}
	slices.Sort(s.Pinned)
	return s
}

// app returns the app named name; p.mu must be held.
func (p *IdentityProvider) app(name string) (*fakeApp, error) {
	a, ok := p.apps[name]
	if !ok {
		return nil, fmt.Errorf("fake idp: app %q: %w", name, rotation.ErrNotFound)
	}
	return a, nil
}

// hasCert reports a missing certificate; p.mu must be held.
func (p *IdentityProvider) hasCert(name string) error {
	if _, ok := p.certs[name]; !ok {
		return fmt.Errorf("fake idp: certificate %q: %w", name, rotation.ErrNotFound)
	}
	return nil
}

func (p *IdentityProvider) effective(a *fakeApp) string {
	if a.pinned {
		return a.cert
	}
	return p.def
}

// ContactCenters returns the seeded contact centers.
func (p *IdentityProvider) ContactCenters(ctx context.Context) ([]rotation.ContactCenter, error) {
	if err := p.enter(ctx, "ContactCenters", ""); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.centers), nil
}

// SigningState returns the default certificate and each app's effective one.
func (p *IdentityProvider) SigningState(ctx context.Context) (rotation.SigningState, error) {
	if err := p.enter(ctx, "SigningState", ""); err != nil {
		return rotation.SigningState{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := rotation.SigningState{Default: p.certs[p.def]}
	for _, cc := range p.centers {
		a := p.apps[cc.App.Name]
		st.Apps = append(st.Apps, rotation.AppSigning{App: cc.App, Certificate: p.certs[p.effective(a)], Pinned: a.pinned})
	}
	return st, nil
}

// CreateCertificate creates a self-signed certificate, or returns the one
// already named spec.Name. A size outside WithKeySizes is refused.
func (p *IdentityProvider) CreateCertificate(ctx context.Context, spec rotation.CertificateSpec) (rotation.Certificate, error) {
	if err := p.enter(ctx, "CreateCertificate", spec.Name); err != nil {
		return rotation.Certificate{}, err
	}
	if spec.Name == "" {
		return rotation.Certificate{}, fmt.Errorf("fake idp: certificate without a name: %w", rotation.ErrInvalidInput)
	}
	if !slices.Contains(p.keySizes, spec.KeyBits) {
		return rotation.Certificate{}, fmt.Errorf("fake idp: key size %d not in %v: %w", spec.KeyBits, p.keySizes, rotation.ErrInvalidInput)
	}
	if c, ok := p.Certificate(spec.Name); ok {
		return c, nil
	}
	c, err := p.newCert(spec)
	if err != nil {
		return c, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.certs[spec.Name]; ok {
		return old, nil
	}
	p.certs[spec.Name] = c
	return c, nil
}

func (p *IdentityProvider) newCert(spec rotation.CertificateSpec) (rotation.Certificate, error) {
	key, err := p.keys(spec.KeyBits)
	if err != nil {
		return rotation.Certificate{}, fmt.Errorf("fake idp: key: %w", err)
	}
	return NewCertificate(spec.Name, spec.Label, key, p.now())
}

// DeleteCertificate deletes a certificate; a missing one is not an error. A
// certificate in use (the default, or pinned by an app) is refused.
func (p *IdentityProvider) DeleteCertificate(ctx context.Context, name string) error {
	if err := p.enter(ctx, "DeleteCertificate", name); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.certs[name]; !ok {
		return nil
	}
	if p.def == name {
		return fmt.Errorf("fake idp: certificate %q is the IdP certificate: %w", name, rotation.ErrInvalidInput)
	}
	for _, app := range slices.Sorted(maps.Keys(p.apps)) {
		if a := p.apps[app]; a.pinned && a.cert == name {
			return fmt.Errorf("fake idp: certificate %q is used by app %q: %w", name, app, rotation.ErrInvalidInput)
		}
	}
	delete(p.certs, name)
	return nil
}

// SetDefaultCertificate makes name the org default.
func (p *IdentityProvider) SetDefaultCertificate(ctx context.Context, name string) error {
	if err := p.enter(ctx, "SetDefaultCertificate", name); err != nil {
		return err
	}
	return p.UseDefault(name)
}

// SetAppCertificate returns nil for an app that follows the default or
// already uses name, and otherwise a *rotation.ManualActionError whose Wait
// polls until the app uses name (see PinApp).
func (p *IdentityProvider) SetAppCertificate(ctx context.Context, app rotation.AppRef, name string) error {
	if err := p.enter(ctx, "SetAppCertificate", app.Name); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	a, err := p.app(app.Name)
	if err != nil {
		return err
	}
	if err := p.hasCert(name); err != nil {
		return err
	}
	if !a.pinned || a.cert == name {
		return nil
	}
	return &rotation.ManualActionError{
		Action:       fmt.Sprintf("set the IdP certificate of app %s to %s", app.Name, name),
		Instructions: fmt.Sprintf("In Setup, edit the connected app %s and set its IdP Certificate to %s.", app.Name, name),
		App:          app,
		Certificate:  name,
		Wait:         func(ctx context.Context) error { return p.waitApp(ctx, app.Name, name) },
	}
}

func (p *IdentityProvider) waitApp(ctx context.Context, app, name string) error {
	t := time.NewTicker(p.poll)
	defer t.Stop()
	for {
		p.mu.Lock()
		done := p.effective(p.apps[app]) == name
		p.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fake idp: app %s does not use certificate %s: %w", app, name, ctx.Err())
		case <-t.C:
		}
	}
}

// Metadata returns the IdP metadata of app (its effective certificate), or
// of the org (the default) for the zero AppRef.
func (p *IdentityProvider) Metadata(ctx context.Context, app rotation.AppRef) ([]byte, error) {
	if err := p.enter(ctx, "Metadata", app.Name); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	name := p.def
	if !app.IsZero() {
		a, err := p.app(app.Name)
		if err != nil {
			return nil, err
		}
		name = p.effective(a)
	}
	c, ok := p.certs[name]
	if !ok {
		return nil, fmt.Errorf("fake idp: no IdP certificate: %w", rotation.ErrNotFound)
	}
	return MetadataDocument(p.entityID, c.DER), nil
}
