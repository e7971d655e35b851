package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// AdminClient calls a World's admin endpoint (see [World.StartAdmin]).
type AdminClient struct {
	URL, Token string
	// HTTPClient sends the requests (default http.DefaultClient).
	HTTPClient *http.Client
}

// AdminStatusError is an answer of the admin endpoint other than success.
type AdminStatusError struct {
	StatusCode int
	Message    string
}

func (e *AdminStatusError) Error() string {
	return fmt.Sprintf("sandbox admin: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// PinApp sets app's IdP Certificate to certificate, as the org's admin
// would in Setup.
func (c *AdminClient) PinApp(ctx context.Context, app, certificate string) error {
	body, _ := json.Marshal(map[string]string{"certificate": certificate})
	return c.do(ctx, http.MethodPut, "/apps/"+app+"/certificate", body, nil)
}

// FollowDefault makes app follow the org default certificate again.
func (c *AdminClient) FollowDefault(ctx context.Context, app string) error {
	return c.do(ctx, http.MethodDelete, "/apps/"+app+"/certificate", nil, nil)
}

// Apps returns the org's signing configuration.
func (c *AdminClient) Apps(ctx context.Context) (AdminState, error) {
	var s AdminState
	err := c.do(ctx, http.MethodGet, "/apps", nil, &s)
	return s, err
}

func (c *AdminClient) do(ctx context.Context, method, path string, body []byte, out any) error {
	// Each path segment of an app name is escaped.
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.URL, "/")+strings.Join(segs, "/"), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e adminError
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &AdminStatusError{StatusCode: resp.StatusCode, Message: e.Error}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
