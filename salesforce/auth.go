package salesforce

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Login hosts of Salesforce's OAuth token endpoint.
const (
	LoginURL   = "https://login.salesforce.com"
	SandboxURL = "https://test.salesforce.com"
)

const tokenPath = "/services/oauth2/token"

// IsJWTFormat reports whether an access token is a JWT (three base64url
// parts whose header names an alg) rather than an opaque session id.
func IsJWTFormat(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
	}
	return json.Unmarshal(raw, &h) == nil && h.Alg != ""
}

// StaticToken returns a token source that always returns accessToken (an
// opaque session id, "00D…!…") for the org at instanceURL. It cannot
// re-authenticate: a rejected session stays rejected.
func StaticToken(instanceURL, accessToken string) oauth2.TokenSource {
	return staticSource{instanceURL: instanceURL, token: accessToken}
}

type staticSource struct{ instanceURL, token string }

func (s staticSource) Token() (*oauth2.Token, error) {
	return (&oauth2.Token{AccessToken: s.token, TokenType: "Bearer"}).WithExtra(map[string]any{"instance_url": s.instanceURL}), nil
}

func (s staticSource) TokenContext(context.Context) (*oauth2.Token, error) { return s.Token() }

// String never shows the token.
func (s staticSource) String() string { return "salesforce.StaticToken(" + s.instanceURL + ")" }

// JWTBearer is the OAuth 2.0 JWT bearer flow of a connected app (or external
// client app) with a certificate: an RS256 assertion signed with PrivateKey
// is exchanged for an access token. Every Token call performs a new exchange;
// the Client caches the token.
type JWTBearer struct {
	// ClientID is the app's consumer key (the assertion's iss).
	ClientID string
	// Username is the user to act as (sub).
	Username string
	// PrivateKey signs the assertion; its certificate is uploaded to the app.
	PrivateKey *rsa.PrivateKey
	// LoginURL is where the token is requested: LoginURL (default),
	// SandboxURL, or the org's My Domain URL.
	LoginURL string
	// Audience is the assertion's aud; SandboxURL when LoginURL is
	// SandboxURL, else LoginURL (Salesforce's documented values).
	Audience string
	// HTTPClient sends the token request; http.DefaultClient when nil.
	HTTPClient *http.Client
	// Now is the clock for iat/exp; time.Now when nil.
	Now func() time.Time
}

// Token implements oauth2.TokenSource with context.Background.
func (j *JWTBearer) Token() (*oauth2.Token, error) { return j.TokenContext(context.Background()) }

// TokenContext implements ContextTokenSource.
func (j *JWTBearer) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if j.ClientID == "" || j.Username == "" || j.PrivateKey == nil {
		return nil, errors.New("salesforce: JWT bearer needs ClientID, Username and PrivateKey")
	}
	login := strings.TrimRight(j.LoginURL, "/")
	if login == "" {
		login = LoginURL
	}
	if err := checkLoginURL(login); err != nil {
		return nil, err
	}
	aud := j.Audience
	if aud == "" {
		aud = LoginURL
		if login == SandboxURL {
			aud = SandboxURL
		}
	}
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	t := now()
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer:    j.ClientID,
		Subject:   j.Username,
		Audience:  jwt.ClaimStrings{aud},
		IssuedAt:  jwt.NewNumericDate(t),
		ExpiresAt: jwt.NewNumericDate(t.Add(3 * time.Minute)),
	}).SignedString(j.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("salesforce: sign JWT assertion: %w", err)
	}
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	}
	return postToken(ctx, j.HTTPClient, login+tokenPath, form)
}

// ErrInsecureLoginURL is returned, before any assertion is signed or sent,
// when a login URL is not an absolute https URL. Plain http is accepted only
// for loopback hosts (test servers), as for instance URLs: the signed
// assertion is a bearer credential for its lifetime.
var ErrInsecureLoginURL = errors.New("salesforce: login URL must be https (plain http only for loopback hosts)")

// checkLoginURL holds a token endpoint's base URL to https unless loopback.
func checkLoginURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%w: %q is not an absolute URL", ErrInsecureLoginURL, raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrInsecureLoginURL, raw)
}

// String never shows the key.
func (j *JWTBearer) String() string {
	return fmt.Sprintf("salesforce.JWTBearer{ClientID: %s, Username: %s, LoginURL: %s}", j.ClientID, j.Username, j.LoginURL)
}

// LogValue implements slog.LogValuer without the key.
func (j *JWTBearer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", j.ClientID), slog.String("username", j.Username), slog.String("login_url", j.LoginURL))
}

// postToken posts an OAuth token request and decodes Salesforce's answer.
// oauth2.Config has no generic assertion grant (Exchange would add a stray
// "code" parameter), so the request is built here; errors are
// *oauth2.RetrieveError like those of golang.org/x/oauth2.
func postToken(ctx context.Context, hc *http.Client, tokenURL string, form url.Values) (*oauth2.Token, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("salesforce: token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("salesforce: token response: %w", err)
	}
	var raw map[string]any
	_ = json.Unmarshal(body, &raw)
	str := func(k string) string { s, _ := raw[k].(string); return s }
	if resp.StatusCode/100 != 2 || str("error") != "" {
		re := &oauth2.RetrieveError{Response: resp, ErrorCode: str("error"), ErrorDescription: str("error_description")}
		if re.ErrorCode == "" {
			// Keep the body out of the error: it is not known to be free of secrets.
			re.ErrorCode = resp.Status
		}
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return nil, &tokenUnavailable{re}
		}
		return nil, re
	}
	if str("access_token") == "" {
		return nil, errors.New("salesforce: token response has no access_token")
	}
	tok := &oauth2.Token{AccessToken: str("access_token"), TokenType: str("token_type")}
	return tok.WithExtra(raw), nil
}

// tokenUnavailable marks a token endpoint failure worth retrying.
type tokenUnavailable struct{ err *oauth2.RetrieveError }

func (e *tokenUnavailable) Error() string   { return e.err.Error() }
func (e *tokenUnavailable) Unwrap() error   { return e.err }
func (e *tokenUnavailable) Temporary() bool { return true }

// ClientCredentials is the OAuth 2.0 client credentials flow of a connected
// app with a run-as user, against the org's My Domain. Every Token call
// requests a new token (golang.org/x/oauth2/clientcredentials); the Client
// caches it.
type ClientCredentials struct {
	// InstanceURL is the org's My Domain URL; the token URL is
	// InstanceURL + "/services/oauth2/token".
	InstanceURL  string
	ClientID     string
	ClientSecret string
	// HTTPClient sends the token request; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Token implements oauth2.TokenSource with context.Background.
func (c *ClientCredentials) Token() (*oauth2.Token, error) {
	return c.TokenContext(context.Background())
}

// TokenContext implements ContextTokenSource.
func (c *ClientCredentials) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if c.InstanceURL == "" || c.ClientID == "" || c.ClientSecret == "" {
		return nil, errors.New("salesforce: client credentials need InstanceURL, ClientID and ClientSecret")
	}
	if c.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, c.HTTPClient)
	}
	cfg := clientcredentials.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		TokenURL:     strings.TrimRight(c.InstanceURL, "/") + tokenPath,
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	tok, err := cfg.Token(ctx)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// RetrieveError prints the response body when it has no
			// error code; keep only what is known to be safe.
			clean := &oauth2.RetrieveError{Response: re.Response, ErrorCode: re.ErrorCode, ErrorDescription: re.ErrorDescription}
			if clean.ErrorCode == "" && re.Response != nil {
				clean.ErrorCode = re.Response.Status
			}
			if re.Response != nil && re.Response.StatusCode >= 500 {
				return nil, &tokenUnavailable{clean}
			}
			return nil, clean
		}
		return nil, err
	}
	return tok, nil
}

// String never shows the secret.
func (c *ClientCredentials) String() string {
	return fmt.Sprintf("salesforce.ClientCredentials{InstanceURL: %s, ClientID: %s}", c.InstanceURL, c.ClientID)
}

// LogValue implements slog.LogValuer without the secret.
func (c *ClientCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("instance_url", c.InstanceURL), slog.String("client_id", c.ClientID))
}
