package salesforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/oauth2"
)

// DefaultAPIVersion is the API version the package speaks; its Metadata
// structs follow the WSDL of this version.
const DefaultAPIVersion = "66.0"

// maxResponseBytes caps every response body the client reads.
const maxResponseBytes = 32 << 20

// Options configure a Client.
type Options struct {
	// APIVersion is the Salesforce API version, "66.0" by default.
	APIVersion string
	// HTTPClient sends every request; http.DefaultClient when nil. Its
	// transport should keep as many idle connections per host as the
	// client has requests in flight (several fan-outs of Concurrency may
	// run at once): http.DefaultTransport keeps two, and every request
	// beyond them opens a new connection.
	HTTPClient *http.Client
	// Logger receives debug records of each call and warnings of retries;
	// it never receives a token. Discarded when nil.
	Logger *slog.Logger
	// Retry bounds the retries of transient failures.
	Retry RetryOptions
	// Concurrency bounds how many requests one fan-out of an operation
	// sends at once: the chunks of a large read, the per-app metadata
	// reads of SigningState, the independent reads before a change.
	// DefaultConcurrency when 0; 1 sends every request after the previous
	// one answered, in a fixed order.
	Concurrency int
}

// RetryOptions bound the client's retries of transient failures (HTTP 5xx,
// REQUEST_LIMIT_EXCEEDED, SERVER_UNAVAILABLE, transport errors), with
// exponential backoff between attempts.
type RetryOptions struct {
	// MaxAttempts is the number of attempts including the first; 4 when 0.
	// 1 disables retries.
	MaxAttempts int
	// InitialBackoff is the first wait; 500ms when 0.
	InitialBackoff time.Duration
	// MaxBackoff caps each wait; 10s when 0.
	MaxBackoff time.Duration
}

// Client talks to one Salesforce org: the Metadata API over SOAP, REST and
// Tooling queries, and the org's public SAML metadata endpoints. It is safe
// for concurrent use.
type Client struct {
	instanceURL string // may be empty until the first token names it
	opts        Options
	log         *slog.Logger
	ts          oauth2.TokenSource

	mu    sync.Mutex
	tok   *oauth2.Token
	base  string
	epoch int // incremented whenever a new token is fetched
}

// ContextTokenSource is implemented by token sources that honour a per-call
// context. The client prefers TokenContext over Token when a source has it;
// every token source of this package does.
type ContextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// NewClient returns a client for the org at instanceURL (its My Domain URL,
// "https://example.my.salesforce.com"). When instanceURL is empty, the
// instance_url of the first token is used. The token source is asked for a
// token on the first call, and once more when Salesforce answers
// INVALID_SESSION_ID; it should therefore not cache tokens itself (the
// sources of this package do not).
//
// Plain http is accepted only for loopback hosts (test servers), so that a
// session id never crosses a network unencrypted.
func NewClient(instanceURL string, ts oauth2.TokenSource, optFns ...func(*Options)) (*Client, error) {
	if ts == nil {
		return nil, errors.New("salesforce: nil token source")
	}
	o := Options{}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.APIVersion == "" {
		o.APIVersion = DefaultAPIVersion
	}
	if _, err := strconv.ParseFloat(o.APIVersion, 64); err != nil || !strings.Contains(o.APIVersion, ".") {
		return nil, fmt.Errorf("salesforce: API version %q is not of the form 66.0", o.APIVersion)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 4
	}
	if o.Retry.InitialBackoff <= 0 {
		o.Retry.InitialBackoff = 500 * time.Millisecond
	}
	if o.Retry.MaxBackoff <= 0 {
		o.Retry.MaxBackoff = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	c := &Client{opts: o, log: o.Logger, ts: ts}
	if instanceURL != "" {
		base, err := checkInstanceURL(instanceURL)
		if err != nil {
			return nil, err
		}
		c.instanceURL, c.base = base, base
	}
	return c, nil
}

// NewFromEnv returns a client configured from the environment:
// SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN (required; a static
// token, see StaticToken) and SALESFORCE_API_VERSION (optional). It is the
// only function of the package that reads the environment.
func NewFromEnv(optFns ...func(*Options)) (*Client, error) {
	instance := os.Getenv("SALESFORCE_INSTANCE_URL")
	token := os.Getenv("SALESFORCE_ACCESS_TOKEN")
	if instance == "" || token == "" {
		return nil, errors.New("salesforce: SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN must be set")
	}
	if v := os.Getenv("SALESFORCE_API_VERSION"); v != "" {
		optFns = append([]func(*Options){func(o *Options) { o.APIVersion = v }}, optFns...)
	}
	return NewClient(instance, StaticToken(instance, token), optFns...)
}

// checkInstanceURL validates an instance URL and returns it without a
// trailing slash.
func checkInstanceURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("salesforce: instance URL %q is not an absolute http(s) URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("salesforce: instance URL %q: plain http is only allowed for loopback hosts", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", fmt.Errorf("salesforce: instance URL %q must have no path, query or fragment", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// APIVersion returns the API version the client speaks.
func (c *Client) APIVersion() string { return c.opts.APIVersion }

// InstanceURL returns the org's instance URL, fetching a token first when
// the URL comes from the token.
func (c *Client) InstanceURL(ctx context.Context) (string, error) {
	if c.instanceURL != "" {
		return c.instanceURL, nil
	}
	_, base, _, err := c.session(ctx, false, false)
	return base, err
}

// OrgID returns the 15-character org id carried by the session id
// ("00D…!…"), or an error when the token does not have that form.
func (c *Client) OrgID(ctx context.Context) (string, error) {
	tok, _, _, err := c.session(ctx, false, false)
	if err != nil {
		return "", err
	}
	id, _, ok := strings.Cut(tok, "!")
	if !ok || len(id) < 15 || !strings.HasPrefix(id, "00D") {
		return "", errors.New("salesforce: the access token does not carry an org id")
	}
	return id[:15], nil
}

// session returns a valid access token and the base URL. refresh forces a
// new token unless another call already replaced the one of epoch seen.
// forSOAP refuses JWT-format tokens.
func (c *Client) session(ctx context.Context, refresh, forSOAP bool, seen ...int) (token, base string, epoch int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stale := c.tok == nil || !c.tok.Valid()
	if refresh && (len(seen) == 0 || seen[0] == c.epoch) {
		stale = true
	}
	if stale {
		var tok *oauth2.Token
		if cts, ok := c.ts.(ContextTokenSource); ok {
			tok, err = cts.TokenContext(ctx)
		} else {
			tok, err = c.ts.Token()
		}
		if err != nil {
			return "", "", 0, fmt.Errorf("salesforce: get access token: %w", err)
		}
		if tok == nil || tok.AccessToken == "" {
			return "", "", 0, errors.New("salesforce: the token source returned no access token")
		}
		if c.instanceURL == "" {
			inst, _ := tok.Extra("instance_url").(string)
			if inst == "" {
				return "", "", 0, errors.New("salesforce: no instance URL: give one to NewClient or use a token source that reports instance_url")
			}
			b, err := checkInstanceURL(inst)
			if err != nil {
				return "", "", 0, err
			}
			c.base = b
		}
		c.tok = tok
		c.epoch++
		c.log.LogAttrs(ctx, slog.LevelDebug, "salesforce: new access token", slog.String("instance", c.base))
	}
	if forSOAP && IsJWTFormat(c.tok.AccessToken) {
		return "", "", 0, ErrJWTAccessToken
	}
	return c.tok.AccessToken, c.base, c.epoch, nil
}

// request describes one HTTP exchange; build makes a fresh *http.Request for
// every attempt with the current token and base URL.
type request struct {
	op      string // for logs and errors: "readMetadata", "query", ...
	soap    bool
	build   func(ctx context.Context, token, base string) (*http.Request, error)
	handle  func(resp *http.Response, body []byte) error
	noToken bool
	// client, when set, gives the HTTP client for base instead of the
	// configured one.
	client func(base string) *http.Client
}

// do runs r with retries of transient failures and one re-authentication on
// INVALID_SESSION_ID. The returned error is classified for the rotation
// engine (transient or permanent).
func (c *Client) do(ctx context.Context, r request) error {
	err := c.attempts(ctx, r, false, 0)
	var epochErr *reauthNeeded
	if errors.As(err, &epochErr) {
		c.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: session rejected; re-authenticating once", slog.String("op", r.op))
		err = c.attempts(ctx, r, true, epochErr.epoch)
		if errors.As(err, &epochErr) {
			err = epochErr.err
		}
	}
	return classify(err)
}

// reauthNeeded carries an INVALID_SESSION_ID answer out of the retry loop.
type reauthNeeded struct {
	err   error
	epoch int
}

func (e *reauthNeeded) Error() string { return e.err.Error() }
func (e *reauthNeeded) Unwrap() error { return e.err }

func (c *Client) attempts(ctx context.Context, r request, refresh bool, seen int) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = c.opts.Retry.InitialBackoff
	b.MaxInterval = c.opts.Retry.MaxBackoff
	attempt := 0
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		attempt++
		err := c.once(ctx, r, refresh, seen)
		refresh = false
		switch {
		case err == nil:
			return struct{}{}, nil
		case errors.As(err, new(*reauthNeeded)):
			return struct{}{}, backoff.Permanent(err)
		case retryable(err):
			return struct{}{}, err
		default:
			return struct{}{}, backoff.Permanent(err)
		}
	},
		backoff.WithBackOff(b),
		backoff.WithMaxTries(uint(c.opts.Retry.MaxAttempts)),
		backoff.WithMaxElapsedTime(0),
		backoff.WithNotify(func(err error, next time.Duration) {
			c.log.LogAttrs(ctx, slog.LevelWarn, "salesforce: transient failure; retrying",
				slog.String("op", r.op), slog.Int("attempt", attempt), slog.Duration("wait", next), slog.String("error", err.Error()))
		}),
	)
	return err
}

func (c *Client) once(ctx context.Context, r request, refresh bool, seen int) error {
	var token, base string
	var epoch int
	if r.noToken {
		if c.instanceURL != "" {
			base = c.instanceURL
		} else {
			var err error
			if _, base, _, err = c.session(ctx, false, false); err != nil {
				return err
			}
		}
	} else {
		var err error
		token, base, epoch, err = c.session(ctx, refresh, r.soap, seen)
		if err != nil {
			return err
		}
	}
	req, err := r.build(ctx, token, base)
	if err != nil {
		return err
	}
	hc := c.opts.HTTPClient
	if r.client != nil {
		hc = r.client(base)
	}
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return scrubURLError(err, r.op)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("salesforce: %s: read response: %w", r.op, err)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "salesforce: call",
		slog.String("op", r.op), slog.Int("status", resp.StatusCode), slog.Duration("elapsed", time.Since(start)))
	err = r.handle(resp, body)
	if !r.noToken && isInvalidSession(err) {
		return &reauthNeeded{err: err, epoch: epoch}
	}
	return err
}

// scrubURLError replaces the URL of a transport error (which may carry a
// session id in its query, e.g. frontdoor.jsp) with the operation name.
func scrubURLError(err error, op string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: op, Err: ue.Err}
	}
	return err
}

// retryAfter parses a Retry-After header given in seconds.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}
