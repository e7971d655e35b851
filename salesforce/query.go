package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxQueryPages bounds how many nextRecordsUrl pages one query follows.
const maxQueryPages = 1000

// Query runs a SOQL query on the data API (/services/data/vXX.X/query) and
// returns every record, following nextRecordsUrl while done is false.
func (c *Client) Query(ctx context.Context, soql string) ([]json.RawMessage, error) {
	return c.query(ctx, "query", soql)
}

// ToolingQuery runs a SOQL query on the Tooling API
// (/services/data/vXX.X/tooling/query), following nextRecordsUrl.
func (c *Client) ToolingQuery(ctx context.Context, soql string) ([]json.RawMessage, error) {
	return c.query(ctx, "tooling/query", soql)
}

type queryResult struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	Records        []json.RawMessage `json:"records"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
}

func (c *Client) query(ctx context.Context, op, soql string) ([]json.RawMessage, error) {
	path := "/services/data/v" + c.opts.APIVersion + "/" + op + "?q=" + url.QueryEscape(soql)
	var all []json.RawMessage
	for page := 0; ; page++ {
		if page == maxQueryPages {
			return nil, fmt.Errorf("salesforce: %s: more than %d pages", op, maxQueryPages)
		}
		var res queryResult
		if err := c.getJSON(ctx, op, path, &res); err != nil {
			return nil, err
		}
		all = append(all, res.Records...)
		if res.Done || res.NextRecordsURL == "" {
			return all, nil
		}
		// The bearer token is only ever sent to the instance: refuse a
		// next page URL that is not a path under /services/data/.
		if !strings.HasPrefix(res.NextRecordsURL, "/services/data/") || strings.Contains(res.NextRecordsURL, "//") {
			return nil, fmt.Errorf("salesforce: %s: unexpected nextRecordsUrl %q", op, res.NextRecordsURL)
		}
		path = res.NextRecordsURL
	}
}

// getJSON GETs path (relative to the instance) with the bearer token and
// decodes a JSON answer into out.
func (c *Client) getJSON(ctx context.Context, op, path string, out any) error {
	return c.do(ctx, request{
		op: op,
		build: func(ctx context.Context, token, base string) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "application/json")
			return req, nil
		},
		handle: func(resp *http.Response, body []byte) error {
			if resp.StatusCode/100 != 2 {
				return restError(op, resp, body)
			}
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("salesforce: %s: decode response: %w", op, err)
			}
			return nil
		},
	})
}

// restError decodes a REST error body ([{"message", "errorCode"}]).
func restError(op string, resp *http.Response, body []byte) error {
	var items []struct {
		Message   string `json:"message"`
		ErrorCode string `json:"errorCode"`
	}
	if err := json.Unmarshal(body, &items); err == nil && len(items) > 0 {
		return &APIError{StatusCode: resp.StatusCode, ErrorCode: items[0].ErrorCode, Message: items[0].Message, RetryAfter: retryAfter(resp.Header)}
	}
	return httpError(op, resp, body, nil)
}
