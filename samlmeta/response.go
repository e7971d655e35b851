package samlmeta

import (
	"bytes"
	"strings"
	"time"
)

// SAML status and method URIs used in Responses.
const (
	StatusSuccess       = "urn:oasis:names:tc:SAML:2.0:status:Success"
	methodBearer        = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	methodHolderOfKey   = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
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
	// Type is the values' xsi:type, default "xs:string" (Salesforce types
	// its attributes "xs:anyType").
	Type string
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
	// NotBefore is the Conditions' NotBefore; default IssueInstant
	// (Salesforce writes about 30 seconds before IssueInstant).
	NotBefore time.Time
	// SignResponse and SignAssertion choose what is signed. When both are
	// false only the Assertion is signed.
	SignResponse, SignAssertion bool
	// SigningAlgorithm is the signature algorithm, as an app's
	// samlSigningAlgoType: SigningSHA1 signs rsa-sha1 with sha1 digests;
	// anything else rsa-sha256 with sha256 digests.
	SigningAlgorithm SigningAlgorithm
	// EncryptAssertion, when set, is given the signed Assertion (a
	// standalone XML element, with the namespaces in scope declared) and
	// returns the saml:EncryptedAssertion element that replaces it, before
	// the Response is signed. Set SignResponse too: an encrypted Response
	// is verified by its Response signature only.
	EncryptAssertion func(assertion []byte) ([]byte, error)
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
	// SignatureMethod is the SignatureMethod URI of the signature that
	// verified the Assertion (or the Response, when only the Response is
	// signed or the assertion is encrypted), for example
	// "http://www.w3.org/2000/09/xmldsig#rsa-sha1".
	SignatureMethod string
	// Encrypted says the Response carried an EncryptedAssertion
	// (AllowEncryptedAssertion): only the Response's signature, Status,
	// Issuer and Destination were verified and read; every other field is
	// empty, and no check of the assertion's content ran (Conditions,
	// audience, RequireAWSSignIn).
	Encrypted bool

	audiences     []string   // every Audience, in order
	restrictions  [][]string // the Audiences of each AudienceRestriction
	confirmations []confirmation
}

// VerifyResponse verifies a SAML Response, given as the base64 SAMLResponse
// form value or as raw XML, against trusted certificates and returns its
// Assertion. The Response and/or the Assertion must carry a valid enveloped
// signature; the document must hold exactly one Assertion, a direct child
// of the Response, and when the Response is not signed that Assertion must
// be. The document is parsed once, with Parse's refusals, and the
// signatures are verified on that tree; the returned Assertion is read from
// the verified elements only, by exact names. SHA-1 is refused unless
// AllowSHA1 is given, ECDSA unless AllowECDSA is, RSA keys below
// MinRSABits unless WithMinRSABits lowers it; Conditions must hold at the
// clock's time within the skew; certificate validity is checked unless
// IgnoreValidity is given. Content failures match ErrInvalidResponse,
// signature failures ErrSignature.
func VerifyResponse(resp []byte, trusted []*Cert, opts ...VerifyOption) (*Assertion, error) {
	o := newVerifyOptions(opts)
	raw, err := decodeResponse(resp, o.maxSize)
	if err != nil {
		return nil, err
	}
	_, root, err := parseRoot(raw, parseLimits{o.maxSize, o.maxNSDecls}, NSProtocol, "Response", ErrInvalidResponse)
	if err != nil {
		return nil, err
	}
	if n := countDescendants(root, NSAssertion, "EncryptedAssertion"); n != 0 {
		return verifyEncrypted(root, n, trusted, o)
	}
	if n := countDescendants(root, NSAssertion, "Assertion"); n != 1 {
		return nil, wrapf(ErrInvalidResponse, "%d Assertion elements, exactly one is allowed", n)
	}
	out := &Assertion{}
	if root.child(NSDSig, "Signature") != nil {
		c, m, err := verifyEnvelopedMethod(root, trusted, o)
		if err != nil {
			return nil, err
		}
		out.SignedBy, out.SignatureMethod, out.ResponseSigned = c, m, true
	}
	as := root.children(NSAssertion, "Assertion")
	if len(as) != 1 {
		return nil, wrapf(ErrInvalidResponse, "the Assertion must be a direct child of the Response")
	}
	a := as[0]
	if a.child(NSDSig, "Signature") != nil || !out.ResponseSigned {
		c, m, err := verifyEnvelopedMethod(a, trusted, o)
		if err != nil {
			return nil, err
		}
		out.SignedBy, out.SignatureMethod, out.AssertionSigned = c, m, true
	}
	if err := checkStatus(root); err != nil {
		return nil, err
	}
	if err := readAssertion(a, out); err != nil {
		return nil, err
	}
	if out.ResponseSigned {
		out.Destination = root.attr("Destination")
	} else {
		out.Destination = out.Recipient
	}
	if err := checkConditions(out, o); err != nil {
		return nil, err
	}
	if o.aws != nil {
		if err := o.aws.check(out, o.now(), o.skew); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// verifyEncrypted verifies a Response that carries n EncryptedAssertion
// elements: with AllowEncryptedAssertion, exactly one, a direct child of
// a signed Response that holds no plaintext Assertion.
func verifyEncrypted(root *node, n int, trusted []*Cert, o *verifyOptions) (*Assertion, error) {
	if !o.allowEncrypted {
		return nil, wrapf(ErrEncryptedAssertion, "the Response carries an EncryptedAssertion; AllowEncryptedAssertion accepts it on the Response's signature alone")
	}
	if m := countDescendants(root, NSAssertion, "Assertion"); n != 1 || m != 0 || len(root.children(NSAssertion, "EncryptedAssertion")) != 1 {
		return nil, wrapf(ErrEncryptedAssertion, "%d EncryptedAssertion and %d Assertion elements, exactly one EncryptedAssertion child of the Response is allowed", n, m)
	}
	if root.child(NSDSig, "Signature") == nil {
		return nil, wrapf(ErrUnsigned, "a Response with an encrypted assertion must be signed: nothing else can be verified")
	}
	c, m, err := verifyEnvelopedMethod(root, trusted, o)
	if err != nil {
		return nil, err
	}
	if err := checkStatus(root); err != nil {
		return nil, err
	}
	out := &Assertion{SignedBy: c, SignatureMethod: m, ResponseSigned: true, Encrypted: true, Destination: root.attr("Destination")}
	if iss := root.child(NSAssertion, "Issuer"); iss != nil {
		out.Issuer = strings.TrimSpace(iss.text())
	}
	if out.Issuer == "" {
		return nil, wrapf(ErrInvalidResponse, "a Response with an encrypted assertion has no Issuer")
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

// countDescendants counts the elements {ns}tag below el, in linear time.
func countDescendants(el *node, ns, tag string) int {
	n := 0
	for c := range el.elements {
		if c.is(ns, tag) {
			n++
		}
		n += countDescendants(c, ns, tag)
	}
	return n
}

func checkStatus(resp *node) error {
	st := resp.child(NSProtocol, "Status")
	if st == nil {
		return wrapf(ErrInvalidResponse, "missing Status")
	}
	sc := st.child(NSProtocol, "StatusCode")
	if sc == nil || sc.attr("Value") != StatusSuccess {
		v := ""
		if sc != nil {
			v = sc.attr("Value")
		}
		return wrapf(ErrInvalidResponse, "status %q is not success", v)
	}
	return nil
}
