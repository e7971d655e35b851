package iamtest

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/voicecert/voicecert/aws/internal/ctxsleep"
)

// request is one parsed API request.
type request struct {
	op      string
	form    url.Values
	account string
}

type handler func(s *Server, req *request) (result any, f *Fault)

// handlers are the IAM actions the fake implements; every other action is
// answered with InvalidAction.
var handlers = map[string]handler{
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
		writeError(w, &Fault{Code: "InvalidAction", Message: "IAM accepts only form-encoded POST requests."})
		return
	}
	if form.Get("Action") == "GetCallerIdentity" {
		s.serveCallerIdentity(w, r, body, form)
		return
	}
	req := &request{op: form.Get("Action"), form: form}
	account, authFault := s.authenticate(r, body)
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
		writeError(w, f)
		return
	}
	writeResult(w, req.op, result)
}

// handle runs an authenticated request.
func (s *Server) handle(req *request) (any, *Fault) {
	h, ok := handlers[req.op]
	if !ok || req.form.Get("Version") != Version {
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
	if name := req.form.Get("RoleName"); name != "" && req.account != "" {
		return roleARN(req.account, name)
	}
	return req.form.Get("RoleName")
}

// writeError answers f in IAM's ErrorResponse format.
func writeError(w http.ResponseWriter, f *Fault) {
	fact, known := errorFacts[f.Code]
	if !known {
		fact = errorFact{status: http.StatusBadRequest, typ: "Sender"}
	}
	status, msg := f.Status, f.Message
	if status == 0 {
		status = fact.status
	}
	if msg == "" {
		msg = fact.message
	}
	id := requestID()
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse xmlns="` + xmlns + `"><Error>`)
	writeElement(&b, "Type", fact.typ)
	writeElement(&b, "Code", f.Code)
	writeElement(&b, "Message", msg)
	b.WriteString(`</Error>`)
	writeElement(&b, "RequestId", id)
	b.WriteString(`</ErrorResponse>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeResult answers a success: <OpResponse><OpResult>…</OpResult>
// <ResponseMetadata>…</ResponseMetadata></OpResponse>. A nil result writes no
// Result element (Tag and Untag).
func writeResult(w http.ResponseWriter, op string, result any) {
	id := requestID()
	var b bytes.Buffer
	b.WriteString(`<` + op + `Response xmlns="` + xmlns + `">`)
	if result != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: op + "Result"}}); err != nil {
			writeError(w, &Fault{Code: "ServiceFailure", Message: err.Error()})
			return
		}
		_ = enc.Flush()
	}
	b.WriteString(`<ResponseMetadata>`)
	writeElement(&b, "RequestId", id)
	b.WriteString(`</ResponseMetadata></` + op + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	_, _ = w.Write(b.Bytes())
}

func writeElement(b *bytes.Buffer, name, text string) {
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">")
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

type tagList struct {
	Member []tag `xml:"member"`
}

type getSAMLProviderResult struct {
	SAMLProviderUUID        string
	SAMLMetadataDocument    string
	CreateDate              string
	ValidUntil              string
	AssertionEncryptionMode string
	Tags                    *tagList `xml:",omitempty"`
}

type providerEntry struct {
	Arn        string
	ValidUntil string
	CreateDate string
}

type listSAMLProvidersResult struct {
	SAMLProviderList struct {
		Member []providerEntry `xml:"member"`
	}
}

type updateSAMLProviderResult struct {
	SAMLProviderArn string
}

type listTagsResult struct {
	Tags        tagList
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	MaxSessionDuration       int
}

type getRoleResult struct {
	Role roleXML
}

type listRolesResult struct {
	Roles struct {
		Member []roleXML `xml:"member"`
	}
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// lookupProvider returns the provider named by the request's
// SAMLProviderArn. The caller holds s.mu.
func (s *Server) lookupProvider(req *request) (*provider, *Fault) {
	arn := req.form.Get("SAMLProviderArn")
	account, _, ok := parseARN(arn, "saml-provider/")
	switch {
	case arn == "":
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'sAMLProviderArn' failed to satisfy constraint: Member must not be null"}
	case !ok || len(arn) < 20 || len(arn) > 2048:
		return nil, &Fault{Code: "InvalidInput", Message: "ARN " + arn + " is not valid."}
	case account != req.account:
		return nil, &Fault{Code: "AccessDenied", Message: "User is not authorized to perform: iam:" + req.op + " on resource: " + arn}
	}
	p, found := s.providers[arn]
	if !found {
		return nil, &Fault{Code: "NoSuchEntity", Message: "SAMLProvider " + arn + " does not exist."}
	}
	return p, nil
}

// parseARN splits arn:<partition>:iam::<account>:<kind><name>.
func parseARN(arn, kind string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "iam" || parts[3] != "" {
		return "", "", false
	}
	name, ok = strings.CutPrefix(parts[5], kind)
	if !ok || name == "" || len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return "", "", false
	}
	return parts[4], name, true
}

func (s *Server) getSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	doc := p.doc
	if p.staleLeft > 0 {
		p.staleLeft--
		doc = p.staleDoc
	}
	res := getSAMLProviderResult{
		SAMLProviderUUID:        p.uuid,
		SAMLMetadataDocument:    string(doc),
		CreateDate:              isoTime(p.created),
		ValidUntil:              isoTime(p.validUntil),
		AssertionEncryptionMode: p.encryption,
	}
	if len(p.tags) > 0 {
		res.Tags = &tagList{Member: slices.Clone(p.tags)}
	}
	return res, nil
}

func (s *Server) updateSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	_, hasDoc := req.form["SAMLMetadataDocument"]
	mode := req.form.Get("AssertionEncryptionMode")
	if req.form.Get("AddPrivateKey") != "" || req.form.Get("RemovePrivateKey") != "" {
		return nil, &Fault{Code: "InvalidInput", Message: "iamtest does not implement assertion decryption keys."}
	}
	if !hasDoc && mode == "" {
		return nil, &Fault{Code: "InvalidInput", Message: msgNoUpdates}
	}
	if mode != "" && mode != "Required" && mode != "Allowed" {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value '" + mode + "' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"}
	}
	if hasDoc {
		doc := []byte(req.form.Get("SAMLMetadataDocument"))
		if f := checkMetadata(doc); f != nil {
			return nil, f
		}
		if p.staleArmed > 0 {
			p.staleLeft, p.staleArmed, p.staleDoc = p.staleArmed, 0, p.doc
		}
		p.doc = doc
		p.validUntil = validUntil(doc, s.now())
	}
	if mode != "" {
		p.encryption = mode
	}
	return updateSAMLProviderResult{SAMLProviderArn: p.arn}, nil
}

func (s *Server) listSAMLProviders(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res listSAMLProvidersResult
	for _, p := range s.providers {
		if p.account == req.account {
			res.SAMLProviderList.Member = append(res.SAMLProviderList.Member,
				providerEntry{Arn: p.arn, ValidUntil: isoTime(p.validUntil), CreateDate: isoTime(p.created)})
		}
	}
	slices.SortFunc(res.SAMLProviderList.Member, func(a, b providerEntry) int { return strings.Compare(a.Arn, b.Arn) })
	return res, nil
}

func (s *Server) listSAMLProviderTags(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	page, next, f := paginate(req.form, p.tags)
	if f != nil {
		return nil, f
	}
	return listTagsResult{Tags: tagList{Member: page}, IsTruncated: next != "", Marker: next}, nil
}

func (s *Server) tagSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	var add []tag
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		k, ok := req.form[prefix+"Key"]
		if !ok {
			break
		}
		t := tag{Key: k[0], Value: req.form.Get(prefix + "Value")}
		if t.Key == "" || len(t.Key) > maxTagKeyLen || len(t.Value) > maxTagValueLen {
			return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: tag key must be 1-128 and value 0-256 characters"}
		}
		add = append(add, t)
	}
	if len(add) == 0 {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"}
	}
	tags := slices.Clone(p.tags)
	for _, t := range add {
		if i := slices.IndexFunc(tags, func(x tag) bool { return x.Key == t.Key }); i >= 0 {
			tags[i] = t
		} else {
			tags = append(tags, t)
		}
	}
	if len(tags) > maxTags {
		return nil, &Fault{Code: "LimitExceeded", Message: "The number of tags has reached the maximum limit."}
	}
	p.tags = tags
	return nil, nil
}

func (s *Server) untagSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	var keys []string
	for i := 1; ; i++ {
		k, ok := req.form["TagKeys.member."+strconv.Itoa(i)]
		if !ok {
			break
		}
		keys = append(keys, k[0])
	}
	if len(keys) == 0 {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"}
	}
	p.tags = slices.DeleteFunc(slices.Clone(p.tags), func(t tag) bool { return slices.Contains(keys, t.Key) })
	return nil, nil
}

func (s *Server) getRole(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.form.Get("RoleName")
	if name == "" {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"}
	}
	r, ok := s.roles[roleARN(req.account, name)]
	if !ok {
		return nil, &Fault{Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found."}
	}
	return getRoleResult{Role: r.xml()}, nil
}

func (s *Server) listRoles(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []roleXML
	for _, r := range s.roles {
		if r.account == req.account {
			all = append(all, r.xml())
		}
	}
	slices.SortFunc(all, func(a, b roleXML) int { return strings.Compare(a.RoleName, b.RoleName) })
	page, next, f := paginate(req.form, all)
	if f != nil {
		return nil, f
	}
	var res listRolesResult
	res.Roles.Member, res.IsTruncated, res.Marker = page, next != "", next
	return res, nil
}

func (r *role) xml() roleXML {
	return roleXML{
		Path: "/", RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: isoTime(r.created),
		// [C] IAM returns the trust policy URL-encoded (RFC 3986).
		AssumeRolePolicyDocument: rfc3986(r.policy),
		MaxSessionDuration:       3600,
	}
}

// paginate applies MaxItems (1–1000, default 100) and an opaque Marker.
func paginate[T any](form url.Values, items []T) (page []T, next string, f *Fault) {
	limit := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, "", &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"}
		}
		limit = n
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(m, "iamtest-"))
		if err != nil || n < 0 || n > len(items) {
			return nil, "", &Fault{Code: "InvalidInput", Message: "Invalid Marker."}
		}
		start = n
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = "iamtest-" + strconv.Itoa(end)
	}
	return slices.Clone(items[start:end]), next, nil
}
