package iamtest

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/beevik/etree"
)

// serveSignIn plays https://signin.aws.amazon.com/saml: it accepts a POSTed
// SAMLResponse only if the validator STS AssumeRoleWithSAML uses
// (judgeSAML) accepts it for one of the (role, provider) pairs its Role
// attribute names, and its Recipient names the sign-in endpoint. Sign-ins
// are counted (SignIns), not recorded as API calls; a refusal answers 403
// with the code and message STS would give.
//
// [U] What the fake does not model: the propagation delay between
// UpdateSAMLProvider and sign-in (the fake uses the current document at
// once) and the role chooser shown when several roles are offered (the
// fake signs in with the first pair that passes).
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if err := s.signIn(r); err != nil {
		s.mu.Lock()
		s.signInBad++
		s.mu.Unlock()
		http.Error(w, msgNoRoleAttribute+" "+err.Error(), http.StatusForbidden)
		return
	}
	s.mu.Lock()
	s.signInOK++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprint(w, "<html><body>Signed in.</body></html>")
}

func (s *Server) signIn(r *http.Request) error {
	resp := r.PostFormValue("SAMLResponse")
	if resp == "" {
		return fmt.Errorf("no SAMLResponse")
	}
	pairs := offeredRoles(resp)
	if len(pairs) == 0 {
		pairs = s.encryptedCandidates()
	}
	if len(pairs) == 0 {
		return fmt.Errorf("the Response names no role in %s", attrRole)
	}
	var reasons []string
	for _, p := range pairs {
		_, _, f := s.judgeSAML(resp, p[1], p[0], 0, true)
		if f == nil {
			return nil
		}
		reasons = append(reasons, p[0]+","+p[1]+": "+f.Code+": "+f.Message)
	}
	return fmt.Errorf("(%s)", html.EscapeString(strings.Join(reasons, "; ")))
}

// offeredRoles returns the (role, provider) pairs the Role attribute names,
// read without verifying anything: only to choose what to judge.
func offeredRoles(b64 string) [][2]string {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil
	}
	d := etree.NewDocument()
	if d.ReadFromBytes(raw) != nil || d.Root() == nil {
		return nil
	}
	var out [][2]string
	for _, at := range d.Root().FindElements(".//Attribute[@Name='" + attrRole + "']") {
		for _, v := range at.ChildElements() {
			if role, provider, ok := splitRole(v.Text()); ok {
				out = append(out, [2]string{role, provider})
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	return slices.Compact(out)
}

// encryptedCandidates returns every (role, provider) pair of one account
// whose provider holds a decryption key: the pairs an encrypted Response,
// whose Role attribute cannot be read before decryption, may name.
func (s *Server) encryptedCandidates() [][2]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out [][2]string
	for _, p := range s.providers {
		for _, r := range s.roles {
			if len(p.keys) > 0 && r.account == p.account {
				out = append(out, [2]string{r.arn, p.arn})
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	return out
}
