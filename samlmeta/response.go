package samlmeta

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// SAML status and method URIs used in Responses.
const (
	StatusSuccess       = "urn:oasis:names:tc:SAML:2.0:status:Success"
	methodBearer        = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	attrNameUnspecified = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
	authnUnspecified    = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"
	nsXS                = "http://www.w3.org/2001/XMLSchema"
	nsXSI               = "http://www.w3.org/2001/XMLSchema-instance"
)

// DefaultResponseValidity is how long an issued Response's assertion is
// valid when ResponseSpec.Validity is zero.
const DefaultResponseValidity = 5 * time.Minute

// Attribute is a SAML attribute with its values.
type Attribute struct {
	Name   string
	Values []string
}

// ResponseSpec describes a SAML Response for IssueResponse.
type ResponseSpec struct {
	// Issuer is the IdP entityID. Required.
	Issuer string
	// Destination is the Response's Destination (the ACS URL).
	Destination string
	// Audience is the Assertion's audience (the SP entityID).
	Audience string
	// NameID is the subject's name. Required.
	NameID string
	// NameIDFormat defaults to NameIDFormatUnspecified.
	NameIDFormat string
	// Recipient is SubjectConfirmationData's Recipient; default Destination.
	Recipient string
	// IssueInstant defaults to the current time.
	IssueInstant time.Time
	// Validity is the assertion's lifetime from IssueInstant; default
	// DefaultResponseValidity.
	Validity time.Duration
	// Attributes go into one AttributeStatement, in order.
	Attributes []Attribute
	// SignResponse and SignAssertion choose what is signed. When both are
	// false only the Assertion is signed.
	SignResponse, SignAssertion bool
}

// IssueResponse returns a signed samlp:Response (raw XML; base64-encode it
// for the HTTP-POST binding) carrying one Assertion, shaped like a
// Salesforce IdP-initiated login. Signatures use exclusive C14N and
// rsa-sha256 and follow the Issuer, as the schema requires; when both are
// signed the Assertion is signed first, so the Response signature covers it.
func IssueResponse(spec ResponseSpec, key crypto.Signer, cert *Cert) ([]byte, error) {
	if spec.Issuer == "" || spec.NameID == "" {
		return nil, wrapf(ErrInvalidSpec, "Issuer and NameID are required")
	}
	if _, err := newSigningContext(key, cert); err != nil {
		return nil, err
	}
	if !spec.SignResponse && !spec.SignAssertion {
		spec.SignAssertion = true
	}
	issued := spec.IssueInstant
	if issued.IsZero() {
		issued = time.Now()
	}
	validity := spec.Validity
	if validity <= 0 {
		validity = DefaultResponseValidity
	}
	format := spec.NameIDFormat
	if format == "" {
		format = NameIDFormatUnspecified
	}
	recipient := spec.Recipient
	if recipient == "" {
		recipient = spec.Destination
	}
	ts, until := formatDateTime(issued), formatDateTime(issued.Add(validity))

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", NSProtocol)
	if spec.Destination != "" {
		resp.CreateAttr("Destination", spec.Destination)
	}
	resp.CreateAttr("ID", newID())
	resp.CreateAttr("IssueInstant", ts)
	resp.CreateAttr("Version", "2.0")
	respIssuer := issuerElement(resp, spec.Issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", StatusSuccess)

	a := resp.CreateElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", NSAssertion)
	a.CreateAttr("ID", newID())
	a.CreateAttr("IssueInstant", ts)
	a.CreateAttr("Version", "2.0")
	aIssuer := a.CreateElement("saml:Issuer")
	aIssuer.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")
	aIssuer.SetText(spec.Issuer)
	subj := a.CreateElement("saml:Subject")
	nid := subj.CreateElement("saml:NameID")
	nid.CreateAttr("Format", format)
	nid.SetText(spec.NameID)
	sc := subj.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", methodBearer)
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", until)
	if recipient != "" {
		scd.CreateAttr("Recipient", recipient)
	}
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts)
	cond.CreateAttr("NotOnOrAfter", until)
	if spec.Audience != "" {
		cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(spec.Audience)
	}
	as := a.CreateElement("saml:AuthnStatement")
	as.CreateAttr("AuthnInstant", ts)
	as.CreateAttr("SessionIndex", a.SelectAttrValue("ID", ""))
	as.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").SetText(authnUnspecified)
	if len(spec.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range spec.Attributes {
			ae := st.CreateElement("saml:Attribute")
			ae.CreateAttr("Name", at.Name)
			ae.CreateAttr("NameFormat", attrNameUnspecified)
			for _, v := range at.Values {
				ve := ae.CreateElement("saml:AttributeValue")
				ve.CreateAttr("xmlns:xs", nsXS)
				ve.CreateAttr("xmlns:xsi", nsXSI)
				ve.CreateAttr("xsi:type", "xs:string")
				ve.SetText(v)
			}
		}
	}
	if spec.SignAssertion {
		if err := signElement(a, aIssuer.Index()+1, key, cert); err != nil {
			return nil, err
		}
	}
	if spec.SignResponse {
		if err := signElement(resp, respIssuer.Index()+1, key, cert); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func issuerElement(parent *etree.Element, issuer string) *etree.Element {
	iss := parent.CreateElement("saml:Issuer")
	iss.CreateAttr("xmlns:saml", NSAssertion)
	iss.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:entity")
	iss.SetText(issuer)
	return iss
}

// newID returns a random xs:ID.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "_" + hex.EncodeToString(b)
}

// Assertion is what VerifyResponse read from the signed Assertion (and,
// for Destination, the signed Response).
type Assertion struct {
	// ID is the Assertion's ID.
	ID string
	// Issuer is the Assertion's Issuer (the IdP entityID).
	Issuer string
	// NameID and NameIDFormat describe the subject.
	NameID, NameIDFormat string
	// Audience is the first Audience of the AudienceRestriction.
	Audience string
	// Destination is the signed Response's Destination or, when only the
	// Assertion is signed, its SubjectConfirmationData Recipient (the
	// Response element's own attributes are then covered by no signature).
	Destination string
	// Recipient is the SubjectConfirmationData Recipient.
	Recipient string
	// NotBefore and NotOnOrAfter are the Conditions' bounds.
	NotBefore, NotOnOrAfter time.Time
	// Attributes maps each attribute name to its values.
	Attributes map[string][]string
	// Roles are the values of AttrRole ("<role ARN>,<provider ARN>").
	Roles []string
	// RoleSessionName is the first value of AttrRoleSessionName.
	RoleSessionName string
	// SignedBy is the trusted certificate that verified the Assertion (or
	// the Response, when only the Response is signed).
	SignedBy *Cert
	// ResponseSigned and AssertionSigned say which signatures verified.
	ResponseSigned, AssertionSigned bool

	audiences []string
}

// VerifyResponse verifies a SAML Response, given as the base64 SAMLResponse
// form value or as raw XML, against trusted certificates and returns its
// Assertion. The Response and/or the Assertion must carry a valid enveloped
// signature; the document must hold exactly one Assertion, a direct child
// of the Response, and when the Response is not signed that Assertion must
// be. Only the elements the signature verifier returns are read. SHA-1 is
// refused unless AllowSHA1 is given; Conditions must hold at the clock's
// time within the skew; certificate validity is checked unless
// IgnoreValidity is given. Content failures match ErrInvalidResponse,
// signature failures ErrSignature.
func VerifyResponse(resp []byte, trusted []*Cert, opts ...VerifyOption) (*Assertion, error) {
	o := newVerifyOptions(opts)
	raw, err := decodeResponse(resp, o.maxSize)
	if err != nil {
		return nil, err
	}
	_, root, err := parseRoot(raw, o.maxSize, NSProtocol, "Response", ErrInvalidResponse)
	if err != nil {
		return nil, err
	}
	if n := countDescendants(root, NSAssertion, "Assertion"); n != 1 {
		return nil, wrapf(ErrInvalidResponse, "%d Assertion elements, exactly one is allowed", n)
	}
	if n := countDescendants(root, NSAssertion, "EncryptedAssertion"); n != 0 {
		return nil, wrapf(ErrInvalidResponse, "encrypted assertions are not supported")
	}
	out := &Assertion{}
	work := root
	if len(childrenNS(root, NSDSig, "Signature")) > 0 {
		v, c, err := verifyElement(root, trusted, o)
		if err != nil {
			return nil, err
		}
		work, out.SignedBy, out.ResponseSigned = v, c, true
	}
	as := childrenNS(work, NSAssertion, "Assertion")
	if len(as) != 1 {
		return nil, wrapf(ErrInvalidResponse, "the Assertion must be a direct child of the Response")
	}
	a := as[0]
	if len(childrenNS(a, NSDSig, "Signature")) > 0 || !out.ResponseSigned {
		v, c, err := verifyElement(a, trusted, o)
		if err != nil {
			return nil, err
		}
		a, out.SignedBy, out.AssertionSigned = v, c, true
	}
	if err := checkStatus(work); err != nil {
		return nil, err
	}
	if err := readAssertion(a, out); err != nil {
		return nil, err
	}
	if out.ResponseSigned {
		out.Destination = work.SelectAttrValue("Destination", "")
	} else {
		out.Destination = out.Recipient
	}
	if err := checkConditions(out, o); err != nil {
		return nil, err
	}
	return out, nil
}

// VerifyResponseWithMetadata verifies resp against the signing certificates
// of an IdP metadata document and also requires the Assertion's Issuer to
// equal the metadata's entityID, as AWS STS does.
func VerifyResponseWithMetadata(resp, metadata []byte, opts ...VerifyOption) (*Assertion, error) {
	m, err := Parse(metadata)
	if err != nil {
		return nil, err
	}
	certs, err := m.SigningCertificates()
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, wrapf(ErrNoSigningKey, "metadata of %s has no signing certificate", m.EntityID())
	}
	a, err := VerifyResponse(resp, certs, opts...)
	if err != nil {
		return nil, err
	}
	if a.Issuer != m.EntityID() {
		return nil, wrapf(ErrInvalidResponse, "issuer %q is not the metadata's entityID %q", a.Issuer, m.EntityID())
	}
	return a, nil
}

// decodeResponse returns raw XML from a base64 form value or raw XML.
func decodeResponse(resp []byte, maxSize int) ([]byte, error) {
	trimmed := bytes.TrimSpace(resp)
	if bytes.HasPrefix(trimmed, []byte("<")) || bytes.HasPrefix(trimmed, []byte("\xef\xbb\xbf")) {
		return resp, nil
	}
	if len(trimmed) > maxSize/3*4+4+len(trimmed)/64*2 {
		return nil, wrapf(ErrTooLarge, "%d bytes of base64, limit %d decoded bytes", len(trimmed), maxSize)
	}
	raw, err := decodeBase64(string(trimmed))
	if err != nil {
		return nil, wrapf(ErrInvalidResponse, "neither XML nor base64: %v", err)
	}
	return raw, nil
}

func countDescendants(el *etree.Element, ns, tag string) int {
	n := 0
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			n++
		}
		n += countDescendants(c, ns, tag)
	}
	return n
}

func checkStatus(resp *etree.Element) error {
	st := childNS(resp, NSProtocol, "Status")
	if st == nil {
		return wrapf(ErrInvalidResponse, "missing Status")
	}
	sc := childNS(st, NSProtocol, "StatusCode")
	if sc == nil || sc.SelectAttrValue("Value", "") != StatusSuccess {
		v := ""
		if sc != nil {
			v = sc.SelectAttrValue("Value", "")
		}
		return wrapf(ErrInvalidResponse, "status %q is not success", v)
	}
	return nil
}

// readAssertion copies the fields of the verified Assertion a into out.
func readAssertion(a *etree.Element, out *Assertion) error {
	out.ID = a.SelectAttrValue("ID", "")
	if iss := childNS(a, NSAssertion, "Issuer"); iss != nil {
		out.Issuer = strings.TrimSpace(charData(iss))
	}
	if out.Issuer == "" {
		return wrapf(ErrInvalidResponse, "Assertion has no Issuer")
	}
	if subj := childNS(a, NSAssertion, "Subject"); subj != nil {
		if nid := childNS(subj, NSAssertion, "NameID"); nid != nil {
			out.NameID = strings.TrimSpace(charData(nid))
			out.NameIDFormat = nid.SelectAttrValue("Format", "")
		}
		for _, sc := range childrenNS(subj, NSAssertion, "SubjectConfirmation") {
			if scd := childNS(sc, NSAssertion, "SubjectConfirmationData"); scd != nil && out.Recipient == "" {
				out.Recipient = scd.SelectAttrValue("Recipient", "")
			}
		}
	}
	if out.NameID == "" {
		return wrapf(ErrInvalidResponse, "Assertion has no NameID")
	}
	cond := childNS(a, NSAssertion, "Conditions")
	if cond == nil {
		return wrapf(ErrInvalidResponse, "Assertion has no Conditions")
	}
	var err error
	if out.NotBefore, err = parseDateTime(cond.SelectAttrValue("NotBefore", "")); err != nil {
		return wrapf(ErrInvalidResponse, "NotBefore: %v", err)
	}
	if out.NotOnOrAfter, err = parseDateTime(cond.SelectAttrValue("NotOnOrAfter", "")); err != nil {
		return wrapf(ErrInvalidResponse, "NotOnOrAfter: %v", err)
	}
	var audiences []string
	for _, ar := range childrenNS(cond, NSAssertion, "AudienceRestriction") {
		for _, au := range childrenNS(ar, NSAssertion, "Audience") {
			audiences = append(audiences, strings.TrimSpace(charData(au)))
		}
	}
	if len(audiences) > 0 {
		out.Audience, out.audiences = audiences[0], audiences
	}
	out.Attributes = map[string][]string{}
	for _, st := range childrenNS(a, NSAssertion, "AttributeStatement") {
		for _, at := range childrenNS(st, NSAssertion, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, v := range childrenNS(at, NSAssertion, "AttributeValue") {
				out.Attributes[name] = append(out.Attributes[name], strings.TrimSpace(charData(v)))
			}
		}
	}
	out.Roles = out.Attributes[AttrRole]
	if v := out.Attributes[AttrRoleSessionName]; len(v) > 0 {
		out.RoleSessionName = v[0]
	}
	return nil
}

// checkConditions applies the time window and the audience requirement.
func checkConditions(a *Assertion, o *verifyOptions) error {
	now := o.now()
	if a.NotOnOrAfter.IsZero() {
		return wrapf(ErrInvalidResponse, "Conditions have no NotOnOrAfter")
	}
	if !a.NotBefore.IsZero() && now.Add(o.skew).Before(a.NotBefore) {
		return wrapf(ErrInvalidResponse, "assertion not valid before %s (now %s)", formatDateTime(a.NotBefore), formatDateTime(now))
	}
	if !now.Add(-o.skew).Before(a.NotOnOrAfter) {
		return wrapf(ErrInvalidResponse, "assertion expired at %s (now %s)", formatDateTime(a.NotOnOrAfter), formatDateTime(now))
	}
	if o.audience != "" && !slices.Contains(a.audiences, o.audience) {
		return wrapf(ErrInvalidResponse, "audience %q, want %q", a.Audience, o.audience)
	}
	return nil
}
