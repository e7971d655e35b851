package salesforce

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// SAMLResponse performs an IdP-initiated login into app as the API user and
// returns the base64 SAMLResponse form value the IdP posts to the app's ACS:
// GET /secur/frontdoor.jsp with the session id (which sets a browser session
// cookie), then /idp/login?app=<LoginID>, whose HTML auto-post form carries
// the SAMLResponse. The response is not posted anywhere.
//
// Verified against sftest only: that a real org lets an API session through
// frontdoor.jsp to /idp/login, and the exact HTML of the form, are not
// confirmed (see doc.go).
func (p *Provider) SAMLResponse(ctx context.Context, app rotation.AppRef) (string, error) {
	if app.LoginID == "" {
		return "", fmt.Errorf("salesforce: SAML login into %s: the app has no login id (app= of its IdP-initiated login URL): %w", app, rotation.ErrInvalidInput)
	}
	ret := "/idp/login?app=" + url.QueryEscape(app.LoginID)
	var value string
	err := p.c.do(ctx, request{
		op: "idp/login",
		build: func(ctx context.Context, token, base string) (*http.Request, error) {
			u := base + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(token) + "&retURL=" + url.QueryEscape(ret)
			return http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		},
		client: func(base string) *http.Client { return p.c.browser(base) },
		handle: func(resp *http.Response, body []byte) error {
			if resp.StatusCode == http.StatusUnauthorized {
				return &APIError{StatusCode: resp.StatusCode, ErrorCode: CodeInvalidSession, Message: "frontdoor.jsp refused the session"}
			}
			if resp.StatusCode/100 != 2 {
				return restError("idp/login", resp, body)
			}
			if resp.Request != nil && resp.Request.URL.Path != "/idp/login" {
				// frontdoor.jsp sends a session it does not accept to the
				// login page: treat it as INVALID_SESSION_ID (one re-auth).
				return &APIError{StatusCode: resp.StatusCode, ErrorCode: CodeInvalidSession,
					Message: "frontdoor.jsp did not accept the session: the login ended at " + resp.Request.URL.Path + ", not /idp/login"}
			}
			v, err := formValue(string(body), "SAMLResponse")
			if err != nil {
				return fmt.Errorf("salesforce: SAML login into %s: %w", app, err)
			}
			value = v
			return nil
		},
	})
	return value, err
}

// browser returns an HTTP client with a fresh cookie jar that follows
// redirects only within the instance.
func (c *Client) browser(base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	hc := *c.opts.HTTPClient
	hc.Jar = jar
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme+"://"+req.URL.Host != base {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &hc
}

// formValue returns the value of the input named name in an HTML page. It
// scans the page's <input> tags and their quoted attributes (names compared
// without case, values unescaped, white space removed from the value, as a
// browser posts a base64 value that the page wrapped).
func formValue(page, name string) (string, error) {
	lower := strings.ToLower(page)
	for i := 0; ; {
		j := strings.Index(lower[i:], "<input")
		if j < 0 {
			break
		}
		start := i + j + len("<input")
		end := strings.IndexByte(page[start:], '>')
		if end < 0 {
			break
		}
		i = start + end + 1
		if start < len(page) && isNameByte(page[start]) {
			continue // <inputs>, not <input>
		}
		attrs := tagAttributes(page[start : i-1])
		if html.UnescapeString(attrs["name"]) == name {
			v := strings.Join(strings.Fields(html.UnescapeString(attrs["value"])), "")
			if v == "" {
				return "", fmt.Errorf("the %s input is empty", name)
			}
			return v, nil
		}
	}
	return "", fmt.Errorf("the page has no %s form input", name)
}

// tagAttributes returns the quoted attributes of a tag's inside, by
// lower-case name. Unquoted values and bare names are skipped.
func tagAttributes(s string) map[string]string {
	attrs := map[string]string{}
	for i := 0; i < len(s); {
		if !isNameByte(s[i]) {
			i++
			continue
		}
		n := i
		for i < len(s) && isNameByte(s[i]) {
			i++
		}
		key := strings.ToLower(s[n:i])
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			continue
		}
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) || (s[i] != '"' && s[i] != '\'') {
			continue
		}
		q := s[i]
		end := strings.IndexByte(s[i+1:], q)
		if end < 0 {
			break
		}
		if _, seen := attrs[key]; !seen {
			attrs[key] = s[i+1 : i+1+end]
		}
		i += end + 2
	}
	return attrs
}

func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == ':' || b == '-'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
