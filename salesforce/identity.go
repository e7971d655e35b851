package salesforce

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// TokenKind says how a Client gets its access token.
type TokenKind string

// The token kinds of the token sources of this package.
const (
	TokenStatic            TokenKind = "static"
	TokenJWTBearer         TokenKind = "jwt-bearer"
	TokenClientCredentials TokenKind = "client-credentials"
	TokenCLI               TokenKind = "sf-cli"
	// TokenOther is a token source from outside this package.
	TokenOther TokenKind = "other"
)

// Sources of Identity.Scopes.
const (
	ScopesFromTokenResponse = "token response"
	ScopesFromTokenClaims   = "access token claims"
)

// Identity is who a Provider acts as in the org.
type Identity struct {
	UserID      string    `json:"userId"`
	Username    string    `json:"username"`
	OrgID       string    `json:"orgId"`
	InstanceURL string    `json:"instanceUrl"`
	TokenKind   TokenKind `json:"tokenKind"`
	// JWTFormat reports a JWT-format access token, which the SOAP
	// Metadata API refuses.
	JWTFormat bool `json:"jwtFormat"`
	// Scopes are the token's OAuth scopes; nil when neither the token
	// response nor the token says (a static or Salesforce CLI token).
	Scopes []string `json:"scopes,omitempty"`
	// ScopesFrom is where Scopes come from (ScopesFromTokenResponse,
	// ScopesFromTokenClaims), empty when unknown.
	ScopesFrom string `json:"scopesFrom,omitempty"`
	// UISession reports whether frontdoor.jsp turns the session into a UI
	// session, which sign-in verification needs: from the scopes (web or
	// full) when known, otherwise by asking frontdoor.jsp.
	UISession bool `json:"uiSession"`
	// Why says, when UISession is false, what is missing and how to fix it.
	Why string `json:"why,omitempty"`
}

// userInfo is the part of the OpenID Connect UserInfo answer Identity uses.
type userInfo struct {
	UserID   string `json:"user_id"`
	OrgID    string `json:"organization_id"`
	Username string `json:"preferred_username"`
}

// Identity reports who the provider acts as: the user and org of the
// session (GET /services/oauth2/userinfo), how the token is obtained, its
// scopes and whether it can open a UI session. It changes nothing; when the
// scopes are unknown it opens frontdoor.jsp once (a UI session, no change).
//
// The scopes come from the token endpoint's answer (its scope field, which
// the JWT bearer and client credentials flows return) or the scp claim of a
// JWT-format token. Salesforce's token introspection endpoint
// (/services/oauth2/introspect, answering active, scope, client_id,
// username, sub; Help "OpenID Connect Token Introspection") would say the
// same, but it authenticates the caller with a connected app's client id
// and secret, which a JWT bearer, static or Salesforce CLI login does not
// have; so it is not used.
func (p *Provider) Identity(ctx context.Context) (Identity, error) {
	var ui userInfo
	if err := p.c.getJSON(ctx, "userinfo", "/services/oauth2/userinfo", &ui); err != nil {
		return Identity{}, err
	}
	tok, base, err := p.c.currentToken(ctx)
	if err != nil {
		return Identity{}, err
	}
	id := Identity{UserID: ui.UserID, Username: ui.Username, OrgID: ui.OrgID, InstanceURL: base,
		TokenKind: tokenKind(p.c.ts), JWTFormat: IsJWTFormat(tok.AccessToken)}
	id.Scopes, id.ScopesFrom = tokenScopes(tok)
	if id.ScopesFrom != "" {
		id.UISession = slices.Contains(id.Scopes, "web") || slices.Contains(id.Scopes, "full")
		if !id.UISession {
			id.Why = "the token's scopes (" + strings.Join(id.Scopes, " ") + ") have neither web nor full, which frontdoor.jsp needs to open the UI session " +
				"sign-in verification uses: add \"Manage user data via Web browsers (web)\" or \"Full access (full)\" to the OAuth scopes of the app that issues the token, then get a new token"
		}
		return id, nil
	}
	if id.UISession, err = p.probeUISession(ctx); err != nil {
		return Identity{}, err
	}
	if !id.UISession {
		id.Why = "frontdoor.jsp did not open a UI session with this token: it needs the web or full scope (the OAuth scopes of the app that issued it) " +
			"and a user without API Only User; log in again through an app with the web scope (sf org login web does)"
	}
	return id, nil
}

// currentToken returns the client's token and base URL, fetching one when
// needed.
func (c *Client) currentToken(ctx context.Context) (*oauth2.Token, string, error) {
	if _, _, _, err := c.session(ctx, false, false); err != nil {
		return nil, "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tok, c.base, nil
}

func tokenKind(ts oauth2.TokenSource) TokenKind {
	switch ts.(type) {
	case staticSource:
		return TokenStatic
	case *JWTBearer:
		return TokenJWTBearer
	case *ClientCredentials:
		return TokenClientCredentials
	case *CLI:
		return TokenCLI
	}
	return TokenOther
}

// tokenScopes are the scopes of tok: the token response's scope, or the scp
// claim of a JWT-format token.
func tokenScopes(tok *oauth2.Token) ([]string, string) {
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		return strings.Fields(s), ScopesFromTokenResponse
	}
	if !IsJWTFormat(tok.AccessToken) {
		return nil, ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(strings.Split(tok.AccessToken, ".")[1], "="))
	if err != nil {
		return nil, ""
	}
	var claims struct {
		Scp any `json:"scp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return nil, ""
	}
	switch v := claims.Scp.(type) {
	case string:
		return strings.Fields(v), ScopesFromTokenClaims
	case []any:
		var out []string
		for _, s := range v {
			if str, ok := s.(string); ok {
				out = append(out, str)
			}
		}
		return out, ScopesFromTokenClaims
	}
	return nil, ""
}

// uiProbePath is where the frontdoor probe asks to be sent.
const uiProbePath = "/home/home.jsp"

// probeUISession asks frontdoor.jsp for a UI session without following its
// redirect: a session it accepts is sent to retURL, one it refuses to the
// login page.
func (p *Provider) probeUISession(ctx context.Context) (bool, error) {
	var ok bool
	err := p.c.do(ctx, request{
		op: "frontdoor",
		build: func(ctx context.Context, token, base string) (*http.Request, error) {
			u := base + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(token) + "&retURL=" + url.QueryEscape(uiProbePath)
			return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		},
		client: func(string) *http.Client {
			hc := *p.c.opts.HTTPClient
			hc.Jar = nil
			hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			return &hc
		},
		handle: func(resp *http.Response, body []byte) error {
			switch resp.StatusCode / 100 {
			case 3:
				loc, err := resp.Location()
				ok = err == nil && loc.Path == uiProbePath
				return nil
			case 2:
				return nil // a login page
			}
			return restError("frontdoor", resp, body)
		},
	})
	return ok, err
}
