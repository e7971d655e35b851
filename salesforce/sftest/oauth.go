package sftest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"

	"github.com/golang-jwt/jwt/v5"
)

const grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// tokenResponse is the token endpoint's success body [C].
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	Signature   string `json:"signature,omitempty"`
	Scope       string `json:"scope"`
	InstanceURL string `json:"instance_url"`
	ID          string `json:"id"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at,omitempty"`
}

func writeOAuthError(w http.ResponseWriter, status int, e oauthError) {
	if status == 0 {
		status = restStatus(e.code)
	}
	writeJSON(w, status, map[string]string{"error": e.code, "error_description": e.description})
}

func (o *Org) handleToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	form := r.PostForm
	grant := form.Get("grant_type")
	clientID := form.Get("client_id")
	basicID, basicSecret, basic := r.BasicAuth()
	if basic && clientID == "" {
		clientID = basicID
	}
	var claims jwt.RegisteredClaims
	if grant == grantJWTBearer {
		_, _, _ = jwt.NewParser().ParseUnverified(form.Get("assertion"), &claims)
		clientID = claims.Issuer
	}
	if f := o.begin(r.Context(), Call{Op: "token", Target: clientID}); f != nil {
		writeOAuthError(w, f.Status, oauthError{f.Code, faultMessage(f)})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var (
		u   *user
		bad *oauthError
	)
	switch grant {
	case grantJWTBearer:
		u, bad = o.jwtBearer(form.Get("assertion"))
	case "client_credentials":
		secret := form.Get("client_secret")
		if basic && secret == "" {
			secret = basicSecret
		}
		u, bad = o.clientCredentials(clientID, secret)
	default:
		bad = &errUnsupportedType
	}
	if bad != nil {
		writeOAuthError(w, http.StatusBadRequest, *bad)
		return
	}
	o.mu.Lock()
	scopes := o.clientScopesLocked(clientID)
	tok := o.mintTokenLocked(u, o.opts.jwtTokens, scopes)
	o.mu.Unlock()
	resp := tokenResponse{
		AccessToken: tok,
		Scope:       scopeString(scopes),
		InstanceURL: o.URL(),
		ID:          o.URL() + "/id/" + o.orgID + "/" + u.id,
		TokenType:   "Bearer",
	}
	if grant == "client_credentials" {
		issued := strconv.FormatInt(o.now().UnixMilli(), 10)
		mac := hmac.New(sha256.New, []byte(o.orgID))
		mac.Write([]byte(resp.ID + issued))
		resp.IssuedAt, resp.Signature = issued, base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// jwtBearer verifies an RS256 assertion against the registered client.
func (o *Org) jwtBearer(assertion string) (*user, *oauthError) {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	var claims jwt.RegisteredClaims
	if _, _, err := parser.ParseUnverified(assertion, &claims); err != nil {
		return nil, &errBadAssertion
	}
	o.mu.Lock()
	client, ok := o.auth.jwtClients[claims.Issuer]
	o.mu.Unlock()
	if !ok {
		return nil, &errUnknownClient
	}
	claims = jwt.RegisteredClaims{}
	if _, err := parser.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) {
		return client.cert.PublicKey, nil
	}); err != nil {
		return nil, &errBadAssertion
	}
	if !slices.ContainsFunc(claims.Audience, func(a string) bool {
		return a == o.URL() || a == loginURL || a == testURL
	}) {
		return nil, &errBadAudience
	}
	if claims.ExpiresAt == nil {
		return nil, &errBadAssertion
	}
	if o.now().After(claims.ExpiresAt.Add(jwtSkew)) {
		return nil, &errExpired
	}
	if claims.Subject != client.username {
		return nil, &errNotApproved
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.auth.users[client.username], nil
}

func (o *Org) clientCredentials(clientID, secret string) (*user, *oauthError) {
	o.mu.Lock()
	defer o.mu.Unlock()
	want, ok := o.auth.secrets[clientID]
	if !ok {
		return nil, &errUnknownClient
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		return nil, &errBadCredentials
	}
	return o.defaultUser, nil
}
