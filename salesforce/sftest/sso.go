package sftest

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/voicecert/voicecert/samlmeta"
)

// metadataDoc builds the IdP metadata document naming cert.
func (o *Org) metadataDoc(cert *samlmeta.Cert) ([]byte, error) {
	return samlmeta.Build(samlmeta.BuildSpec{
		EntityID: o.URL(),
		SSOServices: []samlmeta.Endpoint{
			{Binding: samlmeta.BindingHTTPPost, Location: o.URL() + "/idp/endpoint/HttpPost"},
			{Binding: samlmeta.BindingHTTPRedirect, Location: o.URL() + "/idp/endpoint/HttpRedirect"},
		},
		Certificates: []*samlmeta.Cert{cert},
		ValidUntil:   o.now().Add(metadataValidity),
	})
}

// plainBegin records a call on an SSO or metadata endpoint and answers its
// fault; it reports whether to go on.
func (o *Org) plainBegin(w http.ResponseWriter, r *http.Request, c Call) bool {
	if f := o.begin(r.Context(), c); f != nil {
		writePlainFault(w, f)
		return false
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return false
	}
	return true
}

func (o *Org) serveMetadata(w http.ResponseWriter, cert *samlmeta.Cert) {
	doc, err := o.metadataDoc(cert)
	if err != nil {
		http.Error(w, "metadata: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	_, _ = w.Write(doc)
}

// handleOrgMetadata serves /.well-known/samlidp.xml: the org default
// certificate. No authentication.
func (o *Org) handleOrgMetadata(w http.ResponseWriter, r *http.Request) {
	if !o.plainBegin(w, r, Call{Op: "metadata"}) {
		return
	}
	o.mu.Lock()
	c, ok := o.st.certs[o.st.idpCert]
	enabled := o.st.idpEnabled
	o.mu.Unlock()
	if !ok || !enabled {
		http.Error(w, "The identity provider is not enabled", http.StatusNotFound)
		return
	}
	o.serveMetadata(w, c.cert)
}

// handleAppMetadata serves /.well-known/samlidp/<app>.xml: the app's
// effective certificate. No authentication.
func (o *Org) handleAppMetadata(w http.ResponseWriter, r *http.Request) {
	name, isXML := strings.CutSuffix(r.PathValue("file"), ".xml")
	if !o.plainBegin(w, r, Call{Op: "metadata", Target: name}) {
		return
	}
	o.mu.Lock()
	var cert *certificate
	if app := o.st.samlApp(name); app != nil && app.comp.child("samlConfig") != nil && o.st.idpEnabled {
		cert = o.st.certs[o.st.effectiveCert(app)]
	}
	o.mu.Unlock()
	if !isXML || cert == nil {
		http.Error(w, "No SAML-enabled connected app "+name, http.StatusNotFound)
		return
	}
	o.serveMetadata(w, cert.cert)
}

// handleFrontdoor serves /secur/frontdoor.jsp?sid=<session id>&retURL=<path>:
// a valid session id gets a browser session cookie and a redirect to retURL.
func (o *Org) handleFrontdoor(w http.ResponseWriter, r *http.Request) {
	if !o.plainBegin(w, r, Call{Op: "frontdoor"}) {
		return
	}
	q := r.URL.Query()
	ret := q.Get("retURL")
	if !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") {
		ret = "/"
	}
	o.mu.Lock()
	u, ok := o.sessionLocked(q.Get("sid"), false)
	ok = ok && o.uiSessionLocked(q.Get("sid"))
	var cookie string
	if ok {
		cookie = randomToken(48)
		o.auth.browser[cookie] = u
	}
	o.mu.Unlock()
	if !ok {
		http.Redirect(w, r, "/?ec=302&startURL="+url.QueryEscape(ret), http.StatusFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: cookie, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteNoneMode, Secure: r.TLS != nil})
	http.Redirect(w, r, ret, http.StatusFound)
}

// handleLoginPage serves the login page unauthenticated browsers land on.
func (o *Org) handleLoginPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body>` +
		`<form method="post" action="/"><input name="username"/><input name="pw" type="password"/></form></body></html>`))
}

var postForm = template.Must(template.New("post").Parse(`<!DOCTYPE html>
<html><head><title>Working...</title></head>
<body onload="document.forms[0].submit()">
<form method="POST" action="{{.Action}}">
<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}"/>
{{if .RelayState}}<input type="hidden" name="RelayState" value="{{.RelayState}}"/>
{{end}}<noscript><input type="submit" value="Continue"/></noscript>
</form></body></html>
`))

// handleIdPLogin serves /idp/login?app=<0sp id>: an IdP-initiated login into
// the connected app for the browser session's user, answered with an
// auto-post form carrying a signed SAML Response.
func (o *Org) handleIdPLogin(w http.ResponseWriter, r *http.Request) {
	loginID := r.URL.Query().Get("app")
	if !o.plainBegin(w, r, Call{Op: "idp/login", Target: loginID}) {
		return
	}
	var u *user
	if c, err := r.Cookie(sessionCookie); err == nil {
		o.mu.Lock()
		u = o.auth.browser[c.Value]
		o.mu.Unlock()
	}
	if u == nil {
		http.Redirect(w, r, "/?startURL="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	if o.refuseAppAccess(w, loginID, u) {
		return
	}
	spec, action, key, cert, status, msg := o.loginSpec(loginID, u)
	if status != 0 {
		http.Error(w, msg, status)
		return
	}
	resp, err := samlmeta.IssueResponse(spec, key, cert)
	if err != nil {
		http.Error(w, "signing failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = postForm.Execute(w, map[string]string{
		"Action":       action,
		"SAMLResponse": base64.StdEncoding.EncodeToString(resp),
		"RelayState":   r.URL.Query().Get("RelayState"),
	})
}

// evalFormula evaluates the custom attribute formulas the fake understands:
// a quoted string literal, $User.Username, $User.Id and $Organization.Id.
// Other formulas give no attribute.
func (o *Org) evalFormula(f string, u *user) (string, bool) {
	f = strings.TrimSpace(f)
	if len(f) >= 2 && (f[0] == '\'' || f[0] == '"') && f[len(f)-1] == f[0] {
		return strings.ReplaceAll(f[1:len(f)-1], `\`+f[:1], f[:1]), true
	}
	switch strings.ToLower(f) {
	case "$user.username":
		return u.username, true
	case "$user.id":
		return u.id, true
	case "$organization.id":
		return o.orgID, true
	}
	return "", false
}
