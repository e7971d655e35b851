package iamtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault is an error (or a delay) the server answers instead of handling a
// request.
type Fault struct {
	// Code is IAM's error code: "Throttling", "ServiceFailure",
	// "ConcurrentModification", "NoSuchEntity", "InvalidInput", ... An empty
	// Code with a Latency only delays the request, which is then handled.
	Code string
	// Status is the HTTP status; 0 means the status IAM uses for Code.
	Status int
	// Message is the error message; empty means a default for Code.
	Message string
	// Latency is a delay before answering (with or without an error code).
	Latency time.Duration
}

// Call is one API request the server received.
type Call struct {
	// Op is the IAM action name ("GetSAMLProvider", ...).
	Op string
	// Target is the SAML provider or role ARN the call addresses; empty for
	// list calls.
	Target string
	// Account is the account of the access key that signed the request;
	// empty when the key is unknown or the request is unsigned.
	Account string
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the clock used for CreateDate, ValidUntil and the
// sign-in endpoint's validity checks. Request signatures are always checked
// against the real time, as the SDK signs with it.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithListener makes the server serve on l (for a fixed address) instead of
// a new loopback port. The server closes l when it closes.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// Server is a fake IAM endpoint over loopback HTTP. It is safe for
// concurrent use.
type Server struct {
	srv *httptest.Server
	now func() time.Time

	mu        sync.Mutex
	keys      map[string]credential // access key id -> credential
	providers map[string]*provider  // arn -> provider
	roles     map[string]*role      // arn -> role
	calls     []Call
	hook      func(Call) *Fault
	listener  net.Listener
	faults    []injected
	latency   time.Duration
	signInOK  int
	signInBad int
	issued    []Credentials        // what AssumeRoleWithSAML issued
	seen      map[string]time.Time // accepted assertion ids -> their NotOnOrAfter
	pruneAt   time.Time            // when seen is next cleared of expired ids
	trusts    trustCache           // what each stored document trusts, parsed once
}

// credential is an access key: long-term (token empty) or a session's.
type credential struct{ account, secret, token string }

type provider struct {
	arn, account, name, uuid string
	doc                      []byte
	created, validUntil      time.Time
	encryption               string
	keys                     []privateKey
	tags                     []tag
	staleArmed, staleLeft    int
	staleDoc                 []byte
}

type tag struct{ Key, Value string }

type role struct {
	arn, account, name, id, policy string
	created                        time.Time
}

type injected struct {
	op    string
	fault Fault
	left  int
}

// New starts a fake IAM endpoint. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		now:       time.Now,
		keys:      map[string]credential{},
		providers: map[string]*provider{},
		roles:     map[string]*role{},
		seen:      map[string]time.Time{},
	}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /saml", s.serveSignIn)
	mux.HandleFunc("/", s.serveAPI)
	s.srv = httptest.NewUnstartedServer(mux)
	if s.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = s.listener
	}
	s.srv.Start()
	return s
}

// URL is the endpoint to give the SDK as BaseEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// SignInURL is the fake AWS sign-in endpoint: POST a form with SAMLResponse,
// as a browser does to https://signin.aws.amazon.com/saml.
func (s *Server) SignInURL() string { return s.srv.URL + "/saml" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// AddAccount creates the account if needed and returns a new access key for
// it. Every API request must be SigV4-signed with such a key; the key decides
// the account the request acts in.
func (s *Server) AddAccount(account string) (accessKeyID, secretAccessKey string) {
	mustAccount(account)
	accessKeyID = "AKIA" + strings.ToUpper(randHex(8))
	secretAccessKey = randHex(20)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = credential{account: account, secret: secretAccessKey}
	return accessKeyID, secretAccessKey
}

// AddProvider stores a SAML provider named name in account with the given
// metadata, exactly as given (seeding is not validated), and returns its ARN.
// Adding an existing provider replaces its document.
func (s *Server) AddProvider(account, name string, metadata []byte) (arn string) {
	mustAccount(account)
	arn = providerARN(account, name)
	now := s.now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.providers[arn]
	if !ok {
		p = &provider{arn: arn, account: account, name: name, uuid: randUUID(), created: now, encryption: "Allowed",
			validUntil: farValidUntil(now)}
		s.providers[arn] = p
	}
	p.doc = clone(metadata)
	p.validUntil = validUntil(metadata, p.validUntil)
	return arn
}

// AddRole stores a role named name in account with the given trust policy
// (plain JSON; the server URL-encodes it on the wire as IAM does) and returns
// its ARN. Once any role is seeded in an account, the sign-in endpoint
// accepts only Responses naming a role that exists there.
func (s *Server) AddRole(account, name, trustPolicyJSON string) (arn string) {
	mustAccount(account)
	arn = roleARN(account, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[arn] = &role{arn: arn, account: account, name: name, id: "AROA" + strings.ToUpper(randHex(8)),
		policy: trustPolicyJSON, created: s.now().UTC()}
	return arn
}

// Document returns the document stored for the provider arn (the current
// one, never a stale read), or nil.
func (s *Server) Document(arn string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.providers[arn]; ok {
		return clone(p.doc)
	}
	return nil
}

// Tags returns the tags of the provider arn as a map.
func (s *Server) Tags(arn string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	if p, ok := s.providers[arn]; ok {
		for _, t := range p.tags {
			out[t.Key] = t.Value
		}
	}
	return out
}

// Snapshot returns every stored document by provider ARN, as a string so
// that assert.Equal prints a readable difference (the type of
// rotationtest.RelyingParty's Snapshot).
func (s *Server) Snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.providers))
	for arn, p := range s.providers {
		out[arn] = string(p.doc)
	}
	return out
}

// StaleReads makes the next n GetSAMLProvider calls for arn that follow the
// next UpdateSAMLProvider of arn return the document from before that
// update, as an eventually consistent IAM endpoint may.
func (s *Server) StaleReads(arn string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.providers[arn]; ok {
		p.staleArmed = n
	}
}

// SetHook sets a function called with every API request, in order, before
// it is handled. A non-nil Fault it returns is answered instead, and the
// request changes nothing.
func (s *Server) SetHook(h func(Call) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// InjectFault fails the next count calls of op ("*" for any op) with f. It
// applies after the hook.
func (s *Server) InjectFault(op string, f Fault, count int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, injected{op: op, fault: f, left: count})
}

// SetLatency adds d to every API call.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Calls returns every API request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many calls of op were received.
func (s *Server) CallCount(op string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// SignIns returns how many sign-ins the sign-in endpoint accepted and
// refused.
func (s *Server) SignIns() (ok, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signInOK, s.signInBad
}

func providerARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }

func mustAccount(account string) {
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
		panic(fmt.Sprintf("iamtest: account %q is not 12 digits", account))
	}
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randUUID returns a SAMLProviderUUID-like id: 26 characters of [A-Z0-9].
func randUUID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func requestID() string {
	h := randHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
