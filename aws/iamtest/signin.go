package iamtest

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/samlmeta"
)

// serveSignIn plays https://signin.aws.amazon.com/saml: it accepts a POSTed
// SAMLResponse only if its signature verifies against the metadata a SAML
// provider currently stores (samlmeta.VerifyResponseWithMetadata: signing
// certificate, Issuer equal to the entityID, Conditions at the server's
// clock; certificate validity per signInChecksCertValidity) and its Role
// attribute names that provider with a role that, when roles are seeded in
// the provider's account, exists there. Sign-ins are counted (SignIns), not
// recorded as API calls.
//
// [U] What the fake does not check: the audience and recipient (real AWS
// requires its sign-in URL), the role's trust policy, and the propagation
// delay between UpdateSAMLProvider and sign-in (the fake uses the current
// document at once).
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if err := s.signIn(r); err != nil {
		s.mu.Lock()
		s.signInBad++
		s.mu.Unlock()
		http.Error(w, "Your request included an invalid SAML response: "+err.Error(), http.StatusForbidden)
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
	type candidate struct {
		arn, account string
		doc          []byte
		roles        map[string]bool // nil when no role is seeded in the account
	}
	s.mu.Lock()
	var cands []candidate
	for _, p := range s.providers {
		c := candidate{arn: p.arn, account: p.account, doc: clone(p.doc)}
		for _, ro := range s.roles {
			if ro.account == p.account {
				if c.roles == nil {
					c.roles = map[string]bool{}
				}
				c.roles[ro.arn] = true
			}
		}
		cands = append(cands, c)
	}
	s.mu.Unlock()
	slices.SortFunc(cands, func(a, b candidate) int { return strings.Compare(a.arn, b.arn) })

	var reasons []string
	for _, c := range cands {
		opts := []samlmeta.VerifyOption{samlmeta.WithClock(s.now)}
		if !signInChecksCertValidity {
			opts = append(opts, samlmeta.IgnoreValidity())
		}
		a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), c.doc, opts...)
		if err != nil {
			reasons = append(reasons, c.arn+": "+err.Error())
			continue
		}
		reason := c.arn + ": the Role attribute does not name this provider"
		for _, pair := range a.Roles {
			role, provider, ok := splitRole(pair)
			if !ok || provider != c.arn {
				continue
			}
			if c.roles == nil || c.roles[role] {
				return nil
			}
			reason = c.arn + ": role " + role + " does not exist"
		}
		reasons = append(reasons, reason)
	}
	if len(reasons) == 0 {
		return fmt.Errorf("no SAML provider exists")
	}
	return fmt.Errorf("no SAML provider accepts the response (%s)", html.EscapeString(strings.Join(reasons, "; ")))
}

// splitRole splits a Role attribute value "<role ARN>,<provider ARN>" (AWS
// accepts either order).
func splitRole(v string) (role, provider string, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(v), ",")
	if !found {
		return "", "", false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if strings.Contains(a, ":saml-provider/") {
		a, b = b, a
	}
	return a, b, strings.Contains(a, ":role/") && strings.Contains(b, ":saml-provider/")
}
