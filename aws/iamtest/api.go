package iamtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/voicecert/voicecert/aws/internal/ctxsleep"
)

// request is one parsed API request.
type request struct {
	op      string
	form    url.Values
	account string
	sts     bool // Version is STS's: route to stsHandlers
}

type handler func(s *Server, req *request) (result any, f *Fault)

// handlers are the IAM actions the fake implements; every other action is
// answered with InvalidAction.
var handlers = map[string]handler{
	"CreateSAMLProvider":   (*Server).createSAMLProvider,
	"GetSAMLProvider":      (*Server).getSAMLProvider,
	"UpdateSAMLProvider":   (*Server).updateSAMLProvider,
	"ListSAMLProviders":    (*Server).listSAMLProviders,
	"ListSAMLProviderTags": (*Server).listSAMLProviderTags,
	"TagSAMLProvider":      (*Server).tagSAMLProvider,
	"UntagSAMLProvider":    (*Server).untagSAMLProvider,
	"GetRole":              (*Server).getRole,
	"ListRoles":            (*Server).listRoles,
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	form, _ := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, &Fault{Code: "InvalidAction", Message: "IAM accepts only form-encoded POST requests."}, false)
		return
	}
	if form.Get("Action") == "GetCallerIdentity" {
		s.serveCallerIdentity(w, r, body, form)
		return
	}
	req := &request{op: form.Get("Action"), form: form, sts: form.Get("Version") == stsVersion}
	var account string
	var authFault *Fault
	if !req.sts { // [C model] STS AssumeRoleWithSAML is unsigned.
		account, authFault = s.authenticate(r, body)
	}
	req.account = account
	call := Call{Op: req.op, Target: target(req), Account: account}

	s.mu.Lock()
	s.calls = append(s.calls, call)
	hook, latency := s.hook, s.latency
	s.mu.Unlock()

	// The hook sees the call first; then injected faults. A fault without a
	// code only adds latency.
	var f *Fault
	if hook != nil {
		if hf := hook(call); hf != nil {
			latency += hf.Latency
			if hf.Code != "" {
				f = hf
			}
		}
	}
	if f == nil {
		if inj := s.takeFault(req.op); inj != nil {
			latency += inj.Latency
			if inj.Code != "" {
				f = inj
			}
		}
	}
	if !ctxsleep.Sleep(r.Context(), latency) {
		return
	}
	if f == nil {
		f = authFault
	}
	var result any
	if f == nil {
		result, f = s.handle(req)
	}
	if f != nil {
		writeError(w, f, req.sts)
		return
	}
	writeResult(w, req.op, result, req.sts)
}

// handle runs an authenticated request.
func (s *Server) handle(req *request) (any, *Fault) {
	h, ok := handlers[req.op]
	if req.sts {
		h, ok = stsHandlers[req.op]
	} else if req.form.Get("Version") != Version {
		ok = false
	}
	if !ok {
		return nil, &Fault{Code: "InvalidAction", Message: "Could not find operation " + req.op + " for version " + req.form.Get("Version")}
	}
	return h(s, req)
}

func (s *Server) takeFault(op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		inj := &s.faults[i]
		if inj.left > 0 && (inj.op == op || inj.op == "*") {
			inj.left--
			f := inj.fault
			return &f
		}
	}
	return nil
}

// target names what a request addresses, for the call log.
func target(req *request) string {
	if arn := req.form.Get("SAMLProviderArn"); arn != "" {
		return arn
	}
	if arn := req.form.Get("RoleArn"); arn != "" {
		return arn
	}
	if name := req.form.Get("RoleName"); name != "" && req.account != "" {
		return roleARN(req.account, name)
	}
	return req.form.Get("RoleName")
}
