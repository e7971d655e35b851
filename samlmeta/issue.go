package samlmeta

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/beevik/etree"
)

// IssueResponse returns a signed samlp:Response (raw XML; base64-encode it
// for the HTTP-POST binding) carrying one Assertion, shaped like a
// Salesforce IdP-initiated login. Signatures are enveloped, follow the
// Issuer (as the schema requires), use exclusive C14N with Salesforce's
// InclusiveNamespaces prefix lists ("ds saml samlp xs xsi" for the
// Response, "ds saml xs xsi" for the Assertion), the spec's
// SigningAlgorithm (rsa-sha256 by default), and wrap SignatureValue and
// X509Certificate at 76 columns; when both are signed the Assertion is
// signed first, so the Response signature covers it.
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
	notBefore := ts
	if !spec.NotBefore.IsZero() {
		notBefore = formatDateTime(spec.NotBefore)
	}

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
	cond.CreateAttr("NotBefore", notBefore)
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
				ve.CreateAttr("xsi:type", cmp.Or(at.Type, "xs:string"))
				ve.SetText(v)
			}
		}
	}
	if spec.SignAssertion {
		p := signProfile{alg: spec.SigningAlgorithm, prefixes: salesforceAssertionPrefixes, wrap: true}
		if err := signEnveloped(a, aIssuer.Index()+1, key, cert, p); err != nil {
			return nil, err
		}
	}
	if spec.EncryptAssertion != nil {
		if err := encryptAssertion(resp, a, spec.EncryptAssertion); err != nil {
			return nil, err
		}
	}
	if spec.SignResponse {
		p := signProfile{alg: spec.SigningAlgorithm, prefixes: salesforceResponsePrefixes, wrap: true}
		if err := signEnveloped(resp, respIssuer.Index()+1, key, cert, p); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The InclusiveNamespaces prefix lists of a Salesforce Response's two
// signatures (a Response issued by a real org, samlmeta/testdata).
const (
	salesforceResponsePrefixes  = "ds saml samlp xs xsi"
	salesforceAssertionPrefixes = "ds saml xs xsi"
)

// encryptAssertion replaces a, a child of resp, by what encrypt makes of it.
func encryptAssertion(resp, a *etree.Element, encrypt func([]byte) ([]byte, error)) error {
	detached := etree.NewDocument()
	detached.SetRoot(a.Copy())
	plain, err := detached.WriteToBytes()
	if err != nil {
		return err
	}
	enc, err := encrypt(plain)
	if err != nil {
		return wrapf(ErrInvalidSpec, "encrypting the assertion: %v", err)
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(enc); err != nil || d.Root() == nil || d.Root().Tag != "EncryptedAssertion" || d.Root().NamespaceURI() != NSAssertion {
		return wrapf(ErrInvalidSpec, "EncryptAssertion did not return a saml:EncryptedAssertion element")
	}
	i := a.Index()
	resp.RemoveChildAt(i)
	resp.InsertChildAt(i, d.Root())
	return nil
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
