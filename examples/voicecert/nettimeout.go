package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Default network timeouts of every call voicecert makes (--connect-timeout,
// --timeout).
const (
	defaultConnectTimeout = 10 * time.Second
	defaultTimeout        = 60 * time.Second
)

// networkError is a call that got no answer: the connection failed, the
// name did not resolve, or nothing came back in time. It names the service
// and the host, and hides the transport's own error types so that a retry
// layer does not retry what cannot succeed on retry (a name that does not
// resolve, a server that stays silent for the whole timeout).
type networkError struct {
	service, host string
	what          string
	err           error
}

func (e *networkError) Error() string {
	return fmt.Sprintf("%s at %s: %s", e.service, e.host, e.what)
}

// Unwrap exposes the DNS error, when there is one, and nothing else: a
// *net.OpError in the chain makes retry layers retry.
func (e *networkError) Unwrap() error {
	var dns *net.DNSError
	if errors.As(e.err, &dns) {
		return dns
	}
	return nil
}

// timeoutTransport bounds each request to timeout (connect, headers and
// body) and names service and host in every transport error.
type timeoutTransport struct {
	base    func(*http.Request) (*http.Response, error)
	service string
	connect time.Duration
	timeout time.Duration
}

// idleConnsPerHost is how many idle connections each client keeps to a
// host: more than the requests a rotation has in flight to one service at
// once with the default flags (fan-outs of --concurrency, reads alongside
// them, a sign-in per contact center), so that a fan-out finds the
// previous one's connections instead of opening new ones (a TLS handshake
// each). net/http keeps two by default, the AWS SDK ten.
const idleConnsPerHost = 64

// newHTTPClient returns the HTTP client of one service with the timeouts.
func newHTTPClient(service string, connect, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = connect
	tr.ResponseHeaderTimeout = timeout
	tr.MaxIdleConnsPerHost = idleConnsPerHost
	return &http.Client{Transport: &timeoutTransport{base: tr.RoundTrip, service: service, connect: connect, timeout: timeout}}
}

// newAWSHTTPClient is newHTTPClient for the AWS SDK, whose configuration
// needs a client it can adjust (a custom CA bundle).
func newAWSHTTPClient(connect, timeout time.Duration) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = connect }).
		WithTransportOptions(func(tr *http.Transport) {
			tr.TLSHandshakeTimeout = connect
			tr.ResponseHeaderTimeout = timeout
			tr.MaxIdleConnsPerHost = idleConnsPerHost
		})
}

// withTimeout wraps the AWS SDK's client as timeoutTransport does.
func withTimeout(base interface {
	Do(*http.Request) (*http.Response, error)
}, service string, connect, timeout time.Duration) *timeoutTransport {
	return &timeoutTransport{base: base.Do, service: service, connect: connect, timeout: timeout}
}

// Do makes timeoutTransport an AWS SDK HTTP client.
func (t *timeoutTransport) Do(req *http.Request) (*http.Response, error) { return t.RoundTrip(req) }

func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base(req.WithContext(ctx))
	if err != nil {
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil
		cancel()
		if req.Context().Err() != nil {
			return nil, err // the caller's cancellation, not the network's
		}
		return nil, t.classify(req, err, timedOut)
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel, t: t, req: req, ctx: ctx}
	return resp, nil
}

func (t *timeoutTransport) classify(req *http.Request, err error, timedOut bool) error {
	ne := &networkError{service: t.service, host: req.URL.Host, err: err}
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		ne.what = fmt.Sprintf("the name %s does not resolve (%v); check the URL", dns.Name, dns.Err)
	case errors.As(err, &op) && op.Op == "dial" && isTimeout(err):
		ne.what = fmt.Sprintf("cannot connect within %s (--connect-timeout): %v", t.connect, op.Err)
	case timedOut || isTimeout(err):
		ne.what = fmt.Sprintf("no answer within %s (raise it with --timeout, or check the network)", t.timeout)
	default:
		// A refused or broken connection may succeed on retry: keep the
		// error for the retry layer.
		return fmt.Errorf("%s at %s: %w", t.service, req.URL.Host, err)
	}
	return ne
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// cancelOnClose ends the request's timeout when its body is closed, and
// names the host when the body stalls past the timeout.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
	t      *timeoutTransport
	req    *http.Request
	ctx    context.Context
}

func (c *cancelOnClose) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err != nil && err != io.EOF && errors.Is(c.ctx.Err(), context.DeadlineExceeded) && c.req.Context().Err() == nil {
		err = c.t.classify(c.req, err, true)
	}
	return n, err
}

func (c *cancelOnClose) Close() error {
	defer c.cancel()
	return c.ReadCloser.Close()
}
