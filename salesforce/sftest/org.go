package sftest

import (
	"crypto/rsa"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// Option configures an Org.
type Option func(*options)

type options struct {
	orgID     string
	clock     func() time.Time
	pageSize  int
	jwtTokens bool
	signInURL string
	audience  string
	username  string
	logger    *slog.Logger
	keyGen    func(bits int) (*rsa.PrivateKey, error)
	listener  net.Listener
}

// WithOrgID sets the organization id (15 or 18 characters starting with
// 00D). The default is 00D000000000001 with its checksum.
func WithOrgID(id string) Option { return func(o *options) { o.orgID = id } }

// WithListener makes the org serve on l (for a fixed address) instead of a
// new loopback port. The org closes l when it closes.
func WithListener(l net.Listener) Option { return func(o *options) { o.listener = l } }

// WithClock sets the clock used for certificate validity, token expiry
// checks, SAML IssueInstant and timestamps. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithPageSize sets how many records one query page holds (default 2000).
func WithPageSize(n int) Option { return func(o *options) { o.pageSize = n } }

// WithJWTAccessTokens makes the token endpoint issue JWT-format access
// tokens, which the REST API accepts and the SOAP API rejects with
// INVALID_SESSION_ID, as a connected app with "Issue JSON Web Token
// (JWT)-based access tokens" does.
func WithJWTAccessTokens() Option { return func(o *options) { o.jwtTokens = true } }

// WithSignInURL sets the URL the auto-post form of an IdP-initiated login
// posts the SAML Response to (a fake AWS sign-in, say). By default it is
// the app's samlConfig acsUrl (DefaultSignInURL for seeded apps). The
// Response's Destination and Recipient stay the app's acsUrl, as a real
// org writes them.
func WithSignInURL(u string) Option { return func(o *options) { o.signInURL = u } }

// WithAudience sets the Audience of every issued assertion (default: the
// app's Entity ID, its samlConfig entityUrl, as a real org writes it).
func WithAudience(aud string) Option { return func(o *options) { o.audience = aud } }

// WithUsername sets the username of the org's seeded user, the user access
// tokens and client credentials run as and the NameID of SAML assertions.
func WithUsername(u string) Option { return func(o *options) { o.username = u } }

// WithLogger sets the logger for request summaries (default: discard). It
// never receives tokens, secrets or keys.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithKeyGenerator sets how certificate keys are made. By default keys come
// from a process-wide pool: every key is generated once with crypto/rand
// and reused by other Orgs, never twice within one Org, which keeps tests
// that seed many orgs fast. Pass a generator calling rsa.GenerateKey for
// keys no other Org shares.
func WithKeyGenerator(gen func(bits int) (*rsa.PrivateKey, error)) Option {
	return func(o *options) { o.keyGen = gen }
}

// Fault is an error the org answers instead of handling a request, in the
// wire format of the API called: a SOAP fault sf:<Code>, a REST error array,
// an OAuth error object, or a plain-text error on the SSO and metadata
// endpoints.
type Fault struct {
	// Code is Salesforce's error code: "REQUEST_LIMIT_EXCEEDED",
	// "INVALID_SESSION_ID", "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE", ...;
	// for the token endpoint an OAuth error such as "invalid_grant". An
	// empty Code only delays the request by Latency.
	Code string
	// Status is the HTTP status; 0 means the status Salesforce uses for
	// Code (SOAP 500, SERVER_UNAVAILABLE 503, REST INVALID_SESSION_ID 401,
	// REQUEST_LIMIT_EXCEEDED 403, ...).
	Status int
	// Message is the error text; empty gives a default for Code.
	Message string
	// Latency is waited before answering.
	Latency time.Duration
}

// Call is one API request the org handled, as recorded by Calls and passed
// to the hook.
type Call struct {
	// Op is the operation: SOAP "readMetadata", "createMetadata",
	// "updateMetadata", "upsertMetadata", "deleteMetadata", "listMetadata"
	// ("soap" when the body names none); REST "query", "tooling/query";
	// "token"; "metadata" (well-known documents); "idp/login"; "frontdoor".
	Op string
	// Target is the component ("ConnectedApp/Name", several names joined
	// with commas), the queried object, the OAuth client id, or the app.
	Target string
	// Account is unused by this fake (it is the AWS account in iamtest).
	Account string
}

// Org is a fake Salesforce org served over loopback HTTP. It is safe for
// concurrent use. Create it with New and stop it with Close.
type Org struct {
	srv   *httptest.Server
	opts  options
	orgID string
	log   *slog.Logger

	mu          sync.Mutex
	calls       []Call
	hook        func(Call) *Fault
	faults      map[string][]*pendingFault
	latency     time.Duration
	seq         int
	keyIndex    map[int]int
	st          *state
	auth        authState
	locators    map[string]*locator
	defaultUser *user
}

type pendingFault struct {
	f    Fault
	left int
}

// state is the org's metadata. Values are copied by clone so that a call
// can work on a copy and commit it only when valid.
type state struct {
	certs       map[string]*certificate
	idpCert     string
	idpEnabled  bool
	idpModified time.Time
	apps        map[string]*connectedApp
	callCenters map[string]*callCenter
	// ecas are the External Client Apps (eca.go), ecaPolicies their SAML
	// policies by full name.
	ecas        map[string]*connectedApp
	ecaPolicies map[string]*ecaPolicy
}

type certificate struct {
	name, label       string
	id                string
	keyBits           int
	key               *rsa.PrivateKey
	cert              *samlmeta.Cert
	exportable        bool
	created, modified time.Time
}

type connectedApp struct {
	name    string
	id      string // 0H4… ConnectedApplication id
	loginID string // 0sp… id of the IdP-initiated login URL
	// comp holds the component's elements after fullName, in WSDL order.
	comp *node
	// pinned is the certificate the app names as IdP certificate; "" means
	// it follows the org default. Hidden: not part of the metadata.
	pinned string
	// granted names the profiles and permission sets an ECA's users come
	// from (its policies' Manage Profiles and Manage Permission Sets, not
	// part of its metadata); a connected app lists its own in comp
	// (profileName, permissionSetName). Replaced, never changed in place.
	granted           []string
	created, modified time.Time
}

type callCenter struct {
	name              string
	id                string
	comp              *node
	created, modified time.Time
}

func (s *state) clone() *state {
	c := *s
	c.certs = make(map[string]*certificate, len(s.certs))
	for k, v := range s.certs {
		cv := *v
		c.certs[k] = &cv
	}
	c.apps = make(map[string]*connectedApp, len(s.apps))
	for k, v := range s.apps {
		cv := *v
		c.apps[k] = &cv
	}
	c.callCenters = maps.Clone(s.callCenters)
	c.ecas = maps.Clone(s.ecas)
	c.ecaPolicies = maps.Clone(s.ecaPolicies)
	return &c
}

// New starts a fake org on a loopback port.
func New(opts ...Option) *Org {
	o := &Org{
		opts: options{
			clock:    time.Now,
			pageSize: defaultPageSize,
		},
		faults:   map[string][]*pendingFault{},
		keyIndex: map[int]int{},
		locators: map[string]*locator{},
		st: &state{
			certs:       map[string]*certificate{},
			apps:        map[string]*connectedApp{},
			callCenters: map[string]*callCenter{},
			ecas:        map[string]*connectedApp{},
			ecaPolicies: map[string]*ecaPolicy{},
		},
	}
	for _, opt := range opts {
		opt(&o.opts)
	}
	o.orgID = o.opts.orgID
	switch len(o.orgID) {
	case 0:
		o.orgID = newID(prefixOrg, 1)
	case 15:
		o.orgID = sfID18(o.orgID)
	case 18:
	default:
		panic(fmt.Sprintf("sftest: WithOrgID(%q): an org id has 15 or 18 characters", o.orgID))
	}
	if o.opts.pageSize <= 0 {
		o.opts.pageSize = defaultPageSize
	}
	o.log = o.opts.logger
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	o.auth = newAuthState()
	username := o.opts.username
	if username == "" {
		username = "admin@" + strings.ToLower(o.orgID[:15]) + ".example.com"
	}
	o.defaultUser = o.userLocked(username)
	o.srv = httptest.NewUnstartedServer(o.routes())
	if o.opts.listener != nil {
		o.srv.Listener.Close()
		o.srv.Listener = o.opts.listener
	}
	o.srv.Start()
	return o
}

// URL returns the org's instance URL, which is also its My Domain URL and
// its IdP entityID.
func (o *Org) URL() string { return o.srv.URL }

// Client returns an HTTP client for the org's server.
func (o *Org) Client() *http.Client { return o.srv.Client() }

// OrgID returns the 18-character organization id.
func (o *Org) OrgID() string { return o.orgID }

// Username returns the username of the org's seeded user.
func (o *Org) Username() string { return o.defaultUser.username }

// Close stops the server.
func (o *Org) Close() { o.srv.Close() }

// SetHook sets a function called with every API request before it is
// handled (nil removes it). A non-nil *Fault from the hook is answered in the
// API's wire format and the request changes nothing. The hook runs without
// the org's lock held, so it may call the Org's methods.
func (o *Org) SetHook(h func(Call) *Fault) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.hook = h
}

// InjectFault makes the next count calls of op (after the hook) answer f.
func (o *Org) InjectFault(op string, f Fault, count int) {
	if count <= 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.faults[op] = append(o.faults[op], &pendingFault{f: f, left: count})
}

// SetLatency adds d before every API answer.
func (o *Org) SetLatency(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.latency = d
}

// Calls returns every API request handled so far, in order.
func (o *Org) Calls() []Call {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Call(nil), o.calls...)
}

// nextID returns a new record id with the key prefix.
func (o *Org) nextID(prefix string) string {
	o.seq++
	return newID(prefix, o.seq)
}

// AddCertificate seeds a self-signed certificate with a key of keyBits
// (2048 or 4096), as createMetadata would make it. It panics when the name
// is taken or keyBits is not allowed: seeding mistakes are test bugs.
func (o *Org) AddCertificate(name string, keyBits int) {
	if keyBits != 2048 && keyBits != 4096 {
		panic(fmt.Sprintf("sftest: AddCertificate %s: key size %d is not 2048 or 4096", name, keyBits))
	}
	key, err := o.newKey(keyBits)
	if err != nil {
		panic(fmt.Sprintf("sftest: AddCertificate %s: %v", name, err))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.st.certs[name]; dup {
		panic(fmt.Sprintf("sftest: AddCertificate: certificate %s exists", name))
	}
	c, err := o.newCertificateLocked(name, name, key, true)
	if err != nil {
		panic(fmt.Sprintf("sftest: AddCertificate %s: %v", name, err))
	}
	o.st.certs[name] = c
}

// SetDefaultCertificate seeds the IdentityProviderSettings: the org's IdP
// certificate becomes name and the identity provider is enabled. It panics
// when no such certificate exists.
func (o *Org) SetDefaultCertificate(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.st.certs[name]; !ok {
		panic(fmt.Sprintf("sftest: SetDefaultCertificate: no certificate %s", name))
	}
	o.st.idpCert, o.st.idpEnabled, o.st.idpModified = name, true, o.now()
}

// SetAppCertificate plays the admin who selects certName as the connected
// app's (or External Client App's) IdP Certificate in Setup: the app is pinned to it and no longer
// follows the org default.
func (o *Org) SetAppCertificate(appName, certName string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	app := o.st.anyApp(appName)
	if app == nil {
		return fmt.Errorf("sftest: no connected app or external client app %q", appName)
	}
	if _, ok := o.st.certs[certName]; !ok {
		return fmt.Errorf("sftest: no certificate %q", certName)
	}
	app.pinned, app.modified = certName, o.now()
	return nil
}

// FollowDefault plays the admin who sets the connected app's IdP Certificate
// to "Default IdP Certificate": the app follows the org default again.
func (o *Org) FollowDefault(appName string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	app := o.st.anyApp(appName)
	if app == nil {
		return fmt.Errorf("sftest: no connected app or external client app %q", appName)
	}
	app.pinned, app.modified = "", o.now()
	return nil
}

func (o *Org) now() time.Time { return o.opts.clock() }
