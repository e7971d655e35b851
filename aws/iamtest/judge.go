package iamtest

import (
	"strings"
	"time"
)

// roleMaxSession is every fake role's MaxSessionDuration. [C] one hour is
// IAM's default for a new role.
const roleMaxSession = 3600

// judgeSAML is the one validator behind both entry points, STS
// AssumeRoleWithSAML and the console sign-in: the Response (base64) must
// satisfy readResponse for the provider principalARN, its Role attribute
// must pair that provider with roleARN (either order, [C assertions]), the
// role must exist and its trust policy allow the provider with the
// Response's Recipient as SAML:aud [C trust, troubleshoot: AccessDenied],
// the requested duration must not exceed the role's maximum [C
// troubleshoot], and the assertion ID must not have been accepted before
// (one-time use of a bearer assertion, [C] SAML profiles §4.1.4.5; [U]
// whether AWS shares the replay cache between STS and the console: the
// fake does). Only accepted assertions are remembered.
//
// The console (console true) also requires the Recipient to name the AWS
// sign-in endpoint the Response was posted to; STS leaves the Recipient to
// the trust policy's SAML:aud condition.
func (s *Server) judgeSAML(b64, principalARN, roleARN string, duration int, console bool) (*claims, *role, *Fault) {
	now := s.now()
	s.mu.Lock()
	p, ok := s.providers[principalARN]
	var view providerView
	var doc []byte
	if ok {
		view = providerView{arn: p.arn, account: p.account, name: p.name,
			encryption: p.encryption, keys: append([]privateKey(nil), p.keys...)}
		doc = clone(p.doc)
	}
	s.mu.Unlock()
	if !ok {
		return nil, nil, invalidToken(msgNoProvider)
	}
	view.entityID, view.certs = s.trusts.of(doc)
	c, f := readResponse(b64, view, now)
	if f != nil {
		return nil, nil, f
	}
	if console && !s.isSignInEndpoint(c.recipient) {
		return nil, nil, invalidToken(msgRecipientEndpoint)
	}
	granted := false
	for _, v := range c.roles {
		r, prov, ok := splitRole(v)
		granted = granted || (ok && r == roleARN && prov == principalARN)
	}
	if !granted {
		return nil, nil, &Fault{Code: "AccessDenied", Message: msgRoleNotInAssertion}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ro, ok := s.roles[roleARN]
	if !ok || !trustAllows(ro.policy, principalARN, s.samlAud(c.recipient)) {
		return nil, nil, &Fault{Code: "AccessDenied", Message: msgNotAuthorized}
	}
	if duration > roleMaxSession {
		return nil, nil, &Fault{Code: "ValidationError", Message: msgDurationTooLong}
	}
	if !now.Before(s.pruneAt) { // forget expired ids once a minute, not on every call
		for id, until := range s.seen {
			if !now.Before(until) {
				delete(s.seen, id)
			}
		}
		s.pruneAt = now.Add(time.Minute)
	}
	key := principalARN + " " + c.assertionID
	if until, replayed := s.seen[key]; replayed && now.Before(until) {
		return nil, nil, invalidToken(msgReplay)
	}
	s.seen[key] = c.notOnOrAfter
	cp := *ro
	return c, &cp, nil
}

// samlAud is the SAML:aud value of a Recipient. The fake's own sign-in URL
// stands for the global AWS sign-in endpoint it plays, so that an IdP
// configured with SignInURL as its ACS URL is judged as one configured with
// https://signin.aws.amazon.com/saml.
func (s *Server) samlAud(recipient string) string {
	if recipient == s.SignInURL() {
		return globalSignIn
	}
	return recipient
}

// isSignInEndpoint says whether a Recipient names an AWS sign-in endpoint
// (or the fake's own). [C assertions] "the Recipient must match the AWS
// endpoint".
func (s *Server) isSignInEndpoint(recipient string) bool {
	aud := s.samlAud(recipient)
	return aud == globalSignIn || regionalSignIn.MatchString(aud)
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
