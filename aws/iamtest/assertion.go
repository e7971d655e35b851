package iamtest

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// XML namespaces of SAML 2.0 Responses.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// claims is what the validator read from an accepted Response: only
// content covered by a signature that verified against the provider's
// stored metadata.
type claims struct {
	assertionID   string
	issuer        string
	nameID        string
	nameIDFormat  string
	recipient     string // SubjectConfirmationData Recipient: the SAML:aud key
	notOnOrAfter  time.Time
	sessionName   string
	sourceID      string
	roles         []string // Role attribute values
	encrypted     bool
	sessionLength int // SessionDuration attribute in seconds; 0 when absent
}

// providerView is what the validator needs of a SAML provider, copied
// under the server's lock.
type providerView struct {
	arn, account, name string
	entityID           string              // the stored document's entityID
	certs              []*x509.Certificate // its signing certificates (shared: read only)
	encryption         string
	keys               []privateKey
}

// readResponse applies AWS's rules on a SAML Response (base64, as posted)
// for provider p at now and returns the verified claims, or the fault STS
// answers. The checks are written here with goxmldsig and etree,
// independently of the project's samlmeta verifier, so that the fake can
// catch a verifier that accepts what AWS would refuse. Which role the
// Response may assume is checked by the caller (checkRole).
func readResponse(b64 string, p providerView, now time.Time) (*claims, *Fault) {
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, invalidToken(msgNotBase64)
	}
	if bytes.Contains(raw, []byte("<!DOCTYPE")) {
		return nil, invalidToken(msgMalformedResponse)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(raw); err != nil {
		return nil, invalidToken(msgMalformedResponse)
	}
	root := d.Root()
	if root == nil || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, invalidToken(msgMalformedResponse)
	}
	entityID, certs := p.entityID, p.certs
	if len(certs) == 0 {
		return nil, invalidToken(msgSignatureInvalid)
	}

	// The Response's own signature, when it has one, must verify; the
	// Assertion is then read from the verified copy.
	resp := root
	responseSigned := childNS(root, nsDSig, "Signature") != nil
	if responseSigned {
		if resp = verifySignature(root, certs); resp == nil {
			return nil, invalidToken(msgSignatureInvalid)
		}
	}
	if attrOf(childNS(childNS(resp, nsProtocol, "Status"), nsProtocol, "StatusCode"), "Value") != statusSuccess {
		return nil, &Fault{Code: "IDPRejectedClaim", Message: msgIdPRejected}
	}
	if iss := childNS(resp, nsAssertion, "Issuer"); iss != nil && strings.TrimSpace(iss.Text()) != entityID {
		return nil, invalidToken(msgIssuerNotPresent)
	}
	plain, encrypted := childrenNS(resp, nsAssertion, "Assertion"), childrenNS(resp, nsAssertion, "EncryptedAssertion")
	if len(plain)+len(encrypted) != 1 {
		return nil, invalidToken(msgOneAssertion)
	}
	var a *etree.Element
	c := &claims{}
	switch {
	case len(encrypted) == 1:
		var f *Fault
		if a, f = decryptAssertion(encrypted[0], p.keys); f != nil {
			return nil, f
		}
		c.encrypted = true
	case p.encryption == encryptionRequired:
		return nil, invalidToken(msgEncryptionRequired)
	default:
		a = plain[0]
	}
	if childNS(a, nsDSig, "Signature") != nil {
		if a = verifySignature(a, certs); a == nil {
			return nil, invalidToken(msgSignatureInvalid)
		}
	} else if !responseSigned {
		return nil, invalidToken(msgSignatureInvalid)
	}
	if f := readAssertion(a, entityID, now, c); f != nil {
		return nil, f
	}
	return c, nil
}

// readAssertion checks the verified Assertion a and fills c.
func readAssertion(a *etree.Element, entityID string, now time.Time, c *claims) *Fault {
	c.assertionID = a.SelectAttrValue("ID", "")
	if c.assertionID == "" {
		return invalidToken(msgMalformedResponse)
	}
	iss := childNS(a, nsAssertion, "Issuer")
	if iss == nil || strings.TrimSpace(iss.Text()) != entityID {
		return invalidToken(msgIssuerNotPresent)
	}
	c.issuer = entityID

	subjects := childrenNS(a, nsAssertion, "Subject")
	if len(subjects) != 1 {
		return invalidToken(msgOneSubject)
	}
	if nid := childNS(subjects[0], nsAssertion, "NameID"); nid != nil {
		c.nameID, c.nameIDFormat = strings.TrimSpace(nid.Text()), nid.SelectAttrValue("Format", nameIDUnspecified)
	}
	confs := childrenNS(subjects[0], nsAssertion, "SubjectConfirmation")
	if len(confs) != 1 {
		return invalidToken(msgOneConfirmation)
	}
	if confs[0].SelectAttrValue("Method", "") != methodBearer {
		return invalidToken(msgBearer)
	}
	data := childNS(confs[0], nsAssertion, "SubjectConfirmationData")
	if data == nil || data.SelectAttr("NotOnOrAfter") == nil || data.SelectAttr("Recipient") == nil {
		return invalidToken(msgConfirmationData)
	}
	c.recipient = data.SelectAttrValue("Recipient", "")
	until, err := parseInstant(data.SelectAttrValue("NotOnOrAfter", ""))
	if err != nil {
		return invalidToken(msgConfirmationData)
	}
	if !now.Before(until) {
		return &Fault{Code: "ExpiredTokenException", Message: msgExpired}
	}
	c.notOnOrAfter = until

	conds := childrenNS(a, nsAssertion, "Conditions")
	if len(conds) > 1 {
		return invalidToken(msgOneConditions)
	}
	if len(conds) == 1 {
		if v := conds[0].SelectAttrValue("NotBefore", ""); v != "" {
			t, err := parseInstant(v)
			if err != nil || now.Add(clockSkew).Before(t) {
				return invalidToken(msgNotYetValid)
			}
		}
		if v := conds[0].SelectAttrValue("NotOnOrAfter", ""); v != "" {
			t, err := parseInstant(v)
			if err != nil {
				return invalidToken(msgMalformedResponse)
			}
			if !now.Add(-clockSkew).Before(t) {
				return &Fault{Code: "ExpiredTokenException", Message: msgExpired}
			}
		}
	}
	return readAttributes(a, c)
}

var sessionNamePattern = regexp.MustCompile(`^[a-zA-Z_0-9+=,.@-]{2,64}$`)

// readAttributes reads AWS's attributes from every AttributeStatement.
func readAttributes(a *etree.Element, c *claims) *Fault {
	attrs := map[string][]string{}
	for _, st := range childrenNS(a, nsAssertion, "AttributeStatement") {
		for _, at := range childrenNS(st, nsAssertion, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, v := range childrenNS(at, nsAssertion, "AttributeValue") {
				attrs[name] = append(attrs[name], strings.TrimSpace(v.Text()))
			}
			if _, ok := attrs[name]; !ok {
				attrs[name] = []string{}
			}
		}
	}
	names, ok := attrs[attrRoleSessionName]
	switch {
	case !ok:
		return invalidToken(msgSessionNameRequired)
	case len(names) != 1:
		return invalidToken(msgSessionNameOne)
	case !sessionNamePattern.MatchString(names[0]):
		return invalidToken(msgSessionNamePattern)
	}
	c.sessionName = names[0]
	if v, ok := attrs[attrSourceIdentity]; ok {
		if len(v) != 1 || !sessionNamePattern.MatchString(v[0]) || strings.HasPrefix(strings.ToLower(v[0]), "aws:") {
			return invalidToken(msgSourceIdentity)
		}
		c.sourceID = v[0]
	}
	if v, ok := attrs[attrSessionDuration]; ok {
		n, err := 0, error(nil)
		if len(v) == 1 {
			n, err = strconv.Atoi(v[0])
		}
		if len(v) != 1 || err != nil || n < minSessionSeconds || n > maxSessionSeconds {
			return invalidToken(msgSessionDuration)
		}
		c.sessionLength = n
	}
	c.roles = attrs[attrRole]
	return nil
}

// verifySignature verifies the enveloped signature of el against each
// certificate in turn and returns the verified copy of el, or nil. The
// certificates' own validity periods are not checked (see
// signInChecksCertValidity); namespaces declared above el are carried into
// the copy so that it canonicalizes as it did in place.
func verifySignature(el *etree.Element, certs []*x509.Certificate) *etree.Element {
	detached := withInScopeNamespaces(el)
	for _, cert := range keyInfoFirst(el, certs) {
		ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		if !signInChecksCertValidity {
			ctx.Clock = dsig.NewFakeClockAt(cert.NotBefore)
		}
		if v, err := ctx.Validate(detached); err == nil {
			return v
		}
	}
	return nil
}

// keyInfoFirst orders certs so that the one the signature's KeyInfo
// carries, when it carries one of them, is tried first: which certificates
// are tried is unchanged, only the order, so that a Response signed with
// the second of two trusted keys is not validated twice.
func keyInfoFirst(el *etree.Element, certs []*x509.Certificate) []*x509.Certificate {
	x := childNS(childNS(childNS(childNS(el, nsDSig, "Signature"), nsDSig, "KeyInfo"), nsDSig, "X509Data"), nsDSig, "X509Certificate")
	if x == nil || len(certs) < 2 {
		return certs
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(x.Text()), ""))
	if err != nil {
		return certs
	}
	for i, c := range certs {
		if i > 0 && bytes.Equal(c.Raw, der) {
			out := append([]*x509.Certificate{c}, certs[:i]...)
			return append(out, certs[i+1:]...)
		}
	}
	return certs
}

// withInScopeNamespaces returns a copy of el that also declares the
// namespaces its ancestors declare and it does not, or el itself when there
// are none (the validator works on its own copy).
func withInScopeNamespaces(el *etree.Element) *etree.Element {
	var cp *etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, at := range p.Attr {
			if at.Space != "xmlns" && (at.Space != "" || at.Key != "xmlns") {
				continue
			}
			if cp == nil {
				cp = el.Copy()
			}
			if cp.SelectAttr(at.FullKey()) == nil {
				cp.CreateAttr(at.FullKey(), at.Value)
			}
		}
	}
	if cp == nil {
		return el
	}
	return cp
}

// providerTrust returns the entityID and signing certificates of a stored
// metadata document.
func providerTrust(doc []byte) (string, []*x509.Certificate) {
	certs, ok := signingKeys(doc)
	if !ok {
		return "", nil
	}
	d := etree.NewDocument()
	_ = d.ReadFromBytes(doc)
	return d.Root().SelectAttrValue("entityID", ""), certs
}

func childNS(el *etree.Element, ns, tag string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func childrenNS(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func parseInstant(v string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
}

func invalidToken(msg string) *Fault { return &Fault{Code: "InvalidIdentityToken", Message: msg} }
