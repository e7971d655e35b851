package iamtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// serveCallerIdentity answers STS GetCallerIdentity: the account and ARN
// of the request's access key. The call is recorded with Op
// "GetCallerIdentity" and passes the hook and injected faults like any
// other.
func (s *Server) serveCallerIdentity(w http.ResponseWriter, r *http.Request, body []byte, form url.Values) {
	account, authFault := s.authenticateFor(r, body, "sts")
	call := Call{Op: "GetCallerIdentity", Account: account}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	hook := s.hook
	s.mu.Unlock()
	var f *Fault
	if hook != nil {
		if hf := hook(call); hf != nil && hf.Code != "" {
			f = hf
		}
	}
	if f == nil {
		if inj := s.takeFault(call.Op); inj != nil && inj.Code != "" {
			f = inj
		}
	}
	if f == nil {
		f = authFault
	}
	if f == nil && form.Get("Version") != stsVersion {
		f = &Fault{Code: "InvalidAction", Message: "Could not find operation GetCallerIdentity for version " + form.Get("Version")}
	}
	if f != nil {
		writeError(w, f, true)
		return
	}
	keyID := accessKeyOf(r)
	sum := sha256.Sum256([]byte(keyID))
	userID := "AIDA" + strings.ToUpper(hex.EncodeToString(sum[:]))[:17]
	id := requestID()
	var b bytes.Buffer
	b.WriteString(`<GetCallerIdentityResponse xmlns="` + stsXMLNS + `"><GetCallerIdentityResult>`)
	writeElement(&b, "Arn", "arn:aws:iam::"+account+":user/iamtest")
	writeElement(&b, "UserId", userID)
	writeElement(&b, "Account", account)
	b.WriteString(`</GetCallerIdentityResult><ResponseMetadata>`)
	writeElement(&b, "RequestId", id)
	b.WriteString(`</ResponseMetadata></GetCallerIdentityResponse>`)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-RequestId", id)
	_, _ = w.Write(b.Bytes())
}

// accessKeyOf is the access key id of a SigV4 Authorization header.
func accessKeyOf(r *http.Request) string {
	_, rest, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	key, _, _ := strings.Cut(rest, "/")
	return key
}
