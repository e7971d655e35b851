package salesforce_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/voicecert/voicecert/internal/syncbuf"
	"github.com/voicecert/voicecert/salesforce"
)

// testToken is the session id the stub tests send; it appears in golden files.
const testToken = "00D000000000001!AQ4AQGoldenSessionId"

// stubRequest is one request a stub server received.
type stubRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// stub is an httptest server whose answers a test scripts.
type stub struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []stubRequest
}

func (s *stub) requests() []stubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stubRequest(nil), s.got...)
}

// newStub serves h and records every request.
func newStub(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte)) *stub {
	t.Helper()
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.got = append(s.got, stubRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		h(w, r, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// fastRetry makes retries quick in tests.
func fastRetry(o *salesforce.Options) {
	o.Retry = salesforce.RetryOptions{MaxAttempts: 4, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

// stubClient returns a client of the stub with the fixed test token.
func stubClient(t *testing.T, s *stub, optFns ...func(*salesforce.Options)) *salesforce.Client {
	t.Helper()
	c, err := salesforce.NewClient(s.srv.URL, salesforce.StaticToken(s.srv.URL, testToken), append([]func(*salesforce.Options){fastRetry}, optFns...)...)
	require.NoError(t, err)
	return c
}

// soapOK writes a SOAP response whose body holds inner.
func soapOK(w http.ResponseWriter, inner string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`+inner+`</soapenv:Body></soapenv:Envelope>`)
}

// soapFault writes a Metadata API fault as Salesforce does (HTTP 500).
func soapFault(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault><faultcode>sf:`+code+`</faultcode><faultstring>`+code+`: `+msg+`</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
}

// countingSource hands out tokens from a list (the last one repeats) and
// counts the calls.
type countingSource struct {
	mu     sync.Mutex
	tokens []string
	calls  int
	inst   string
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.tokens[min(s.calls, len(s.tokens)-1)]
	s.calls++
	return (&oauth2.Token{AccessToken: tok}).WithExtra(map[string]any{"instance_url": s.inst}), nil
}

func (s *countingSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// logBuffer is what a slog JSON handler wrote, safe for concurrent use.
type logBuffer struct{ syncbuf.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// between returns the text of s between the first start and the next end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, end)
	return before
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
