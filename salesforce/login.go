package salesforce

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
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

var (
	inputRE = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attrRE  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

// formValue returns the value of the input named name in an HTML page.
func formValue(page, name string) (string, error) {
	for _, tag := range inputRE.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
			attrs[strings.ToLower(m[1])] = m[2] + m[3]
		}
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
