package sftest

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

type user struct {
	username string
	id       string
	// federationID is the user's FederationIdentifier (facts.go: the
	// fake's users have their username).
	federationID string
}

// email is the user's email address (facts.go: the fake's users have
// their username).
func (u *user) email() string { return u.username }

type jwtClient struct {
	username string
	cert     *x509.Certificate
}

// authState holds users, issued session ids and registered OAuth clients.
type authState struct {
	users map[string]*user
	// tokens maps every valid session id to its user; jwtFormat marks the
	// JWT-format ones.
	tokens     map[string]*user
	jwtFormat  map[string]bool
	base       string // the token AccessToken returns
	jwtClients map[string]jwtClient
	secrets    map[string]string
	// browser maps frontdoor session cookies to their user.
	browser map[string]*user
	access  accessState
}

func newAuthState() authState {
	return authState{
		users:      map[string]*user{},
		tokens:     map[string]*user{},
		jwtFormat:  map[string]bool{},
		jwtClients: map[string]jwtClient{},
		secrets:    map[string]string{},
		browser:    map[string]*user{},
		access:     newAccessState(),
	}
}

// userLocked returns the user with the username, creating it.
func (o *Org) userLocked(username string) *user {
	if u, ok := o.auth.users[username]; ok {
		return u
	}
	u := &user{username: username, id: o.nextID(prefixUser), federationID: username}
	o.auth.users[username] = u
	o.seedUserAccessLocked(u)
	return u
}

// AccessToken returns a valid opaque session id (00D…!…) of the org's user,
// usable as a REST Bearer token and as the SOAP SessionHeader sessionId.
// After RevokeSessions it returns a new one.
func (o *Org) AccessToken() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.auth.base == "" {
		o.auth.base = o.mintTokenLocked(o.defaultUser, false, DefaultScopes)
	}
	return o.auth.base
}

// RegisterJWTClient registers a connected app for the OAuth 2.0 JWT bearer
// flow: assertions with iss = clientID and sub = username, signed by the key
// of cert, get a token for that user (created when new).
func (o *Org) RegisterJWTClient(clientID, username string, cert *x509.Certificate) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.userLocked(username)
	o.auth.jwtClients[clientID] = jwtClient{username: username, cert: cert}
}

// RegisterClientCredentials registers a connected app for the OAuth 2.0
// client credentials flow; its tokens run as the org's user.
func (o *Org) RegisterClientCredentials(clientID, clientSecret string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.auth.secrets[clientID] = clientSecret
}

// RevokeSessions invalidates every issued session id and browser session:
// later requests with them get INVALID_SESSION_ID.
func (o *Org) RevokeSessions() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.auth.tokens)
	clear(o.auth.jwtFormat)
	clear(o.auth.browser)
	clear(o.auth.access.scopes)
	o.auth.base = ""
}

// mintTokenLocked issues a session id for u with the OAuth scopes: opaque
// "<15-char org id>!<random>" or, when jwt is set, a JWT-format token.
func (o *Org) mintTokenLocked(u *user, jwt bool, scopes []string) string {
	var tok string
	if jwt {
		enc := base64.RawURLEncoding
		header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "CORE_ATJWT.00D"})
		claims, _ := json.Marshal(map[string]any{
			"iss": o.URL(), "aud": []string{o.URL()}, "sub": "uid:" + u.id, "scp": scopes,
			"iat": o.now().Unix(), "exp": o.now().Add(2 * time.Hour).Unix(), "jti": randomToken(16),
		})
		tok = enc.EncodeToString(header) + "." + enc.EncodeToString(claims) + "." +
			enc.EncodeToString([]byte(randomToken(64)))
		o.auth.jwtFormat[tok] = true
	} else {
		tok = o.orgID[:15] + "!" + randomToken(96)
	}
	o.auth.tokens[tok] = u
	o.auth.access.scopes[tok] = scopes
	return tok
}

// sessionLocked returns the user of a valid session id. SOAP callers pass
// soap=true: JWT-format tokens are not sessions for the SOAP API [C].
func (o *Org) sessionLocked(token string, soap bool) (*user, bool) {
	u, ok := o.auth.tokens[token]
	if !ok || (soap && o.auth.jwtFormat[token]) {
		return nil, false
	}
	return u, true
}

// bearer extracts the token of an "Authorization: Bearer" (or "OAuth")
// header.
func bearer(h string) string {
	for _, p := range []string{"Bearer ", "OAuth "} {
		if len(h) > len(p) && strings.EqualFold(h[:len(p)], p) {
			return strings.TrimSpace(h[len(p):])
		}
	}
	return ""
}
