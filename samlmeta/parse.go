package samlmeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// DefaultMaxSize is the largest document, in bytes, that Parse and
// VerifyResponse accept unless WithMaxSize says otherwise. It equals IAM's
// maximum metadata length in characters.
const DefaultMaxSize = 10_000_000

// maxDepth bounds element nesting; SAML metadata and responses nest fewer
// than 20 levels. It equals etree's own default limit.
const maxDepth = 1024

// XML namespaces used by SAML metadata and responses.
const (
	NSMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	NSAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	NSProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	NSDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// Well-known SAML URIs.
const (
	// AttrRole is the AWS attribute naming "<role ARN>,<provider ARN>".
	AttrRole = "https://aws.amazon.com/SAML/Attributes/Role"
	// AttrRoleSessionName is the AWS attribute naming the session (the
	// Amazon Connect user name).
	AttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	// BindingHTTPPost is the SAML 2.0 HTTP-POST binding.
	BindingHTTPPost = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	// BindingHTTPRedirect is the SAML 2.0 HTTP-Redirect binding.
	BindingHTTPRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
	// NameIDFormatUnspecified is the NameIDFormat Salesforce metadata lists.
	NameIDFormatUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
	// NameIDFormatPersistent is the persistent NameID format.
	NameIDFormatPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
)

// Option configures Parse.
type Option func(*options)

type options struct {
	maxSize int
}

// WithMaxSize sets the largest input Parse accepts, in bytes (default
// DefaultMaxSize). A value <= 0 keeps the default.
func WithMaxSize(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// Endpoint is a SAML endpoint such as a SingleSignOnService.
type Endpoint struct {
	Binding  string `json:"binding"`
	Location string `json:"location"`
}

// Metadata is a parsed SAML 2.0 EntityDescriptor. It keeps the whole document
// (unknown elements, prefixes, comments, attribute order): Bytes returns the
// input unchanged until an edit is made, and after an edit the document
// differs only where edited. An edit also drops the root's enveloped
// signature, which could no longer verify (Sign the result again if needed).
// A Metadata is not safe for concurrent edits.
type Metadata struct {
	orig   []byte
	doc    *etree.Document
	root   *etree.Element
	edited bool
	// spans locate the input's tokens; built at the first edit, while the
	// tree still matches the input.
	spans map[etree.Token]span
	dirty map[*etree.Element]bool
}

// Parse reads a SAML 2.0 metadata document whose root is md:EntityDescriptor.
// It refuses input over the size cap (ErrTooLarge), any DOCTYPE or markup
// declaration (ErrDOCTYPE), duplicate attributes (ErrDuplicateAttribute),
// malformed XML (ErrMalformed) and other roots (ErrNotMetadata).
func Parse(data []byte, opts ...Option) (*Metadata, error) {
	o := options{maxSize: DefaultMaxSize}
	for _, fn := range opts {
		fn(&o)
	}
	doc, root, err := parseRoot(data, o.maxSize, NSMetadata, "EntityDescriptor", ErrNotMetadata)
	if err != nil {
		return nil, err
	}
	orig := append([]byte(nil), data...)
	return &Metadata{orig: orig, doc: doc, root: root, dirty: map[*etree.Element]bool{}}, nil
}

// parseRoot parses data and requires its root to be {ns}tag, refusing
// another root with wrong.
func parseRoot(data []byte, maxSize int, ns, tag string, wrong error) (*etree.Document, *etree.Element, error) {
	doc, err := parseXML(data, maxSize)
	if err != nil {
		return nil, nil, err
	}
	root := doc.Root()
	if root.Tag != tag || root.NamespaceURI() != ns {
		return nil, nil, wrapf(wrong, "root element is {%s}%s, not {%s}%s", root.NamespaceURI(), root.Tag, ns, tag)
	}
	return doc, root, nil
}

// parseXML runs the safety pre-scan and then parses data with etree.
func parseXML(data []byte, maxSize int) (*etree.Document, error) {
	if len(data) > maxSize {
		return nil, wrapf(ErrTooLarge, "%d bytes, limit %d", len(data), maxSize)
	}
	if err := prescan(data); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{PreserveCData: true, MaxDepth: maxDepth}
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, wrapf(ErrMalformed, "%v", err)
	}
	if doc.Root() == nil {
		return nil, wrapf(ErrMalformed, "no root element")
	}
	return doc, nil
}

// prescan walks the tokens once with encoding/xml, the tokenizer etree
// uses, and refuses what the XML tree would silently hide: markup
// declarations, duplicate attributes, several roots, text outside the root
// and excessive depth.
func prescan(data []byte) error {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return wrapf(ErrBOM, "input starts with a UTF-8 byte order mark")
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return wrapf(ErrMalformed, "%v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return wrapf(ErrDOCTYPE, "markup declaration <!%s found", firstWord(t))
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return wrapf(ErrMalformed, "more than one root element")
				}
			}
			depth++
			if depth > maxDepth {
				return wrapf(ErrMalformed, "nesting deeper than %d", maxDepth)
			}
			if err := checkDupAttrs(t); err != nil {
				return err
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return wrapf(ErrMalformed, "text outside the root element")
			}
		}
	}
	if roots == 0 {
		return wrapf(ErrMalformed, "no root element")
	}
	return nil
}

func checkDupAttrs(t xml.StartElement) error {
	if len(t.Attr) < 2 {
		return nil
	}
	seen := make(map[xml.Name]struct{}, len(t.Attr))
	for _, a := range t.Attr {
		if _, dup := seen[a.Name]; dup {
			name := a.Name.Local
			if a.Name.Space != "" {
				name = "{" + a.Name.Space + "}" + name
			}
			return wrapf(ErrDuplicateAttribute, "attribute %s repeated on <%s>", name, t.Name.Local)
		}
		seen[a.Name] = struct{}{}
	}
	return nil
}

func firstWord(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, " \t\r\n["); i >= 0 {
		s = s[:i]
	}
	if len(s) > 16 {
		s = s[:16]
	}
	return s
}

// Bytes returns the document. It is byte-for-byte the parsed input until an
// edit is made; after an edit, every token the edit did not touch is copied
// from the input, so the output differs only where edited. Output is
// deterministic.
func (m *Metadata) Bytes() []byte {
	if !m.edited {
		return append([]byte(nil), m.orig...)
	}
	return m.serialize()
}

func (m *Metadata) serialize() []byte {
	if b, ok := m.splice(); ok {
		return b
	}
	return m.etreeBytes()
}

// etreeBytes is etree's own serialisation of the tree.
func (m *Metadata) etreeBytes() []byte {
	var buf bytes.Buffer
	if _, err := m.doc.WriteTo(&buf); err != nil {
		// Writing to a bytes.Buffer cannot fail.
		panic(fmt.Sprintf("samlmeta: serialise: %v", err))
	}
	return buf.Bytes()
}

// Edited reports whether an edit changed the document since Parse.
func (m *Metadata) Edited() bool { return m.edited }

// EntityID returns the entityID attribute of the root.
func (m *Metadata) EntityID() string { return m.root.SelectAttrValue("entityID", "") }

// ID returns the root's ID attribute ("" when absent).
func (m *Metadata) ID() string { return m.root.SelectAttrValue("ID", "") }

// ValidUntil returns the root's validUntil, or the zero time when it is
// absent or not an xs:dateTime.
func (m *Metadata) ValidUntil() time.Time {
	t, _ := parseDateTime(m.root.SelectAttrValue("validUntil", ""))
	return t
}

// Signed reports whether the root carries an enveloped ds:Signature child. It
// says nothing about the signature's validity; see VerifySignature.
func (m *Metadata) Signed() bool { return len(childrenNS(m.root, NSDSig, "Signature")) > 0 }

// SSOServices returns the SingleSignOnService endpoints of every
// IDPSSODescriptor, in document order.
func (m *Metadata) SSOServices() []Endpoint { return m.endpoints("SingleSignOnService") }

// SLOServices returns the SingleLogoutService endpoints of every
// IDPSSODescriptor, in document order.
func (m *Metadata) SLOServices() []Endpoint { return m.endpoints("SingleLogoutService") }

func (m *Metadata) endpoints(tag string) []Endpoint {
	var out []Endpoint
	for _, idp := range m.idpDescriptors() {
		for _, e := range childrenNS(idp, NSMetadata, tag) {
			out = append(out, Endpoint{
				Binding:  e.SelectAttrValue("Binding", ""),
				Location: e.SelectAttrValue("Location", ""),
			})
		}
	}
	return out
}

// NameIDFormats returns the NameIDFormat values of every IDPSSODescriptor.
func (m *Metadata) NameIDFormats() []string {
	var out []string
	for _, idp := range m.idpDescriptors() {
		for _, e := range childrenNS(idp, NSMetadata, "NameIDFormat") {
			out = append(out, strings.TrimSpace(charData(e)))
		}
	}
	return out
}

// SigningCertificates returns the distinct certificates of every
// KeyDescriptor with use="signing" or without use in every IDPSSODescriptor,
// in document order. It fails if one of them cannot be parsed.
func (m *Metadata) SigningCertificates() ([]*Cert, error) {
	var out []*Cert
	seen := map[string]bool{}
	for _, kd := range m.signingKeyDescriptors() {
		for _, xc := range x509CertElements(kd) {
			c, err := ParseCertBase64(charData(xc))
			if err != nil {
				return nil, err
			}
			if !seen[c.SHA256] {
				seen[c.SHA256] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// Clone returns an independent deep copy.
func (m *Metadata) Clone() *Metadata {
	doc := m.doc.Copy()
	c := &Metadata{orig: append([]byte(nil), m.orig...), doc: doc, root: doc.Root(), edited: m.edited,
		dirty: map[*etree.Element]bool{}}
	if m.spans != nil {
		c.spans = make(map[etree.Token]span, len(m.spans))
		remapSpans(m.doc.Child, doc.Child, m.spans, m.dirty, c.spans, c.dirty)
	}
	return c
}

func (m *Metadata) idpDescriptors() []*etree.Element {
	return childrenNS(m.root, NSMetadata, "IDPSSODescriptor")
}

func (m *Metadata) signingKeyDescriptors() []*etree.Element {
	var out []*etree.Element
	for _, idp := range m.idpDescriptors() {
		out = append(out, signingKDs(idp)...)
	}
	return out
}

// allKeyDescriptors counts every KeyDescriptor in any role descriptor.
func (m *Metadata) allKeyDescriptors() int {
	n := 0
	for _, rd := range m.root.ChildElements() {
		n += len(childrenNS(rd, NSMetadata, "KeyDescriptor"))
	}
	return n
}

func signingKDs(idp *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, kd := range childrenNS(idp, NSMetadata, "KeyDescriptor") {
		if use := kd.SelectAttrValue("use", ""); use == "" || use == "signing" {
			out = append(out, kd)
		}
	}
	return out
}

func x509CertElements(kd *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, ki := range childrenNS(kd, NSDSig, "KeyInfo") {
		for _, xd := range childrenNS(ki, NSDSig, "X509Data") {
			out = append(out, childrenNS(xd, NSDSig, "X509Certificate")...)
		}
	}
	return out
}

// childrenNS returns the child elements of el named {ns}tag.
func childrenNS(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func childNS(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

// charData concatenates the character data (text and CDATA) directly inside
// el, skipping comments and processing instructions, so that a comment
// injected into a value can never truncate it.
func charData(el *etree.Element) string {
	var b strings.Builder
	for _, t := range el.Child {
		if cd, ok := t.(*etree.CharData); ok {
			b.WriteString(cd.Data)
		}
	}
	return b.String()
}

// parseDateTime reads an xs:dateTime; a value without zone is taken as UTC.
func parseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an xs:dateTime: %q", s)
}

// formatDateTime writes t in UTC with milliseconds, as Salesforce does.
func formatDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
