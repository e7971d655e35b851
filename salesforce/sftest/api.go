package sftest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// routes maps the org's endpoints.
func (o *Org) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/services/Soap/m/{version}", o.handleSOAP)
	mux.HandleFunc("/services/data/{version}/query", o.handleQuery(dataAPI))
	mux.HandleFunc("/services/data/{version}/tooling/query", o.handleQuery(toolingAPI))
	mux.HandleFunc("/services/data/{version}/query/{locator}", o.handleQueryMore(dataAPI))
	mux.HandleFunc("/services/data/{version}/tooling/query/{locator}", o.handleQueryMore(toolingAPI))
	mux.HandleFunc("/services/oauth2/token", o.handleToken)
	mux.HandleFunc("GET /services/oauth2/userinfo", o.handleUserInfo)
	mux.HandleFunc("GET /services/data", o.handleVersions)
	mux.HandleFunc("GET /services/data/{$}", o.handleVersions)
	mux.HandleFunc("GET /services/data/{version}", o.handleResources)
	mux.HandleFunc("GET /services/data/{version}/{$}", o.handleResources)
	mux.HandleFunc("GET /services/data/{version}/limits", o.handleLimits)
	mux.HandleFunc("GET /services/data/{version}/sobjects/User/{id}", o.handleUser)
	mux.HandleFunc("/.well-known/samlidp.xml", o.handleOrgMetadata)
	mux.HandleFunc("/.well-known/samlidp/{file}", o.handleAppMetadata)
	mux.HandleFunc("/secur/frontdoor.jsp", o.handleFrontdoor)
	mux.HandleFunc("/idp/login", o.handleIdPLogin)
	mux.HandleFunc("/{$}", o.handleLoginPage)
	return collapseSlashes(mux)
}

// collapseSlashes serves a path with repeated slashes as the path with
// single ones, as Salesforce does (clientFacts), instead of the redirect
// http.ServeMux would answer: the Salesforce CLI keeps an instance URL with
// a trailing slash and asks for "//services/data/...".
func collapseSlashes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "//") {
			r2 := r.Clone(r.Context())
			for strings.Contains(r2.URL.Path, "//") {
				r2.URL.Path = strings.ReplaceAll(r2.URL.Path, "//", "/")
			}
			r2.URL.RawPath = ""
			r = r2
		}
		h.ServeHTTP(w, r)
	})
}

// begin records the call, consults the hook and the injected faults and
// waits the latency. It returns the fault to answer, or nil to handle the
// request.
func (o *Org) begin(ctx context.Context, c Call) *Fault {
	o.mu.Lock()
	o.calls = append(o.calls, c)
	hook, latency := o.hook, o.latency
	o.mu.Unlock()

	var f *Fault
	if hook != nil {
		f = hook(c)
	}
	if f == nil {
		o.mu.Lock()
		f = o.takeFaultLocked(c.Op)
		o.mu.Unlock()
	}
	if f != nil {
		latency += f.Latency
	}
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	o.log.Debug("sftest request", "op", c.Op, "target", c.Target, "fault", f != nil && f.Code != "")
	if f == nil || f.Code == "" {
		return nil
	}
	return f
}

func (o *Org) takeFaultLocked(op string) *Fault {
	q := o.faults[op]
	if len(q) == 0 {
		return nil
	}
	f := q[0].f
	if q[0].left--; q[0].left == 0 {
		o.faults[op] = q[1:]
	}
	return &f
}

// restError is one element of a REST error body.
type restError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

// writeRESTError answers [{"message","errorCode"}] with status (0: the
// code's usual status).
func writeRESTError(w http.ResponseWriter, status int, code, msg string) {
	if status == 0 {
		status = restStatus(code)
	}
	writeJSON(w, status, []restError{{Message: msg, ErrorCode: code}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// faultMessage is f's message or the default one for its code.
func faultMessage(f *Fault) string {
	if f.Message != "" {
		return f.Message
	}
	return defaultMessage(f.Code)
}

// writePlainFault answers a fault on the SSO and metadata endpoints.
func writePlainFault(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = restStatus(f.Code)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(f.Code + ": " + faultMessage(f) + "\n"))
}
