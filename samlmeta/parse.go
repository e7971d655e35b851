package samlmeta

import (
	"fmt"
	"strings"
	"time"
)

// DefaultMaxSize is the largest document, in bytes, that Parse and
// VerifyResponse accept unless WithMaxSize says otherwise. It equals IAM's
// maximum metadata length in characters.
const DefaultMaxSize = 10_000_000

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
	maxSize, maxNSDecls int
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

// WithMaxNamespaceDecls sets how many namespace declarations Parse accepts
// in scope at once (default DefaultMaxNamespaceDecls). A value <= 0 keeps
// the default.
func WithMaxNamespaceDecls(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxNSDecls = n
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
// A Metadata is not safe for concurrent edits; reads of an unedited value
// may run concurrently.
type Metadata struct {
	orig   []byte
	doc    *node
	root   *node
	edited bool
	// rootTagEdited says the root's attributes changed (SetValidUntil).
	rootTagEdited bool
}

// Parse reads a SAML 2.0 metadata document whose root is md:EntityDescriptor,
// in one pass over the input. It refuses input over the size cap
// (ErrTooLarge), a byte order mark (ErrBOM), invalid UTF-8 (ErrNotUTF8), any
// DOCTYPE or markup declaration (ErrDOCTYPE), entity references other than
// the five predefined ones and malformed XML (ErrMalformed), duplicate
// attributes (ErrDuplicateAttribute), decoy attributes and declarations
// (ErrDecoy), more namespace declarations than the limit
// (ErrTooManyNamespaces), a KeyDescriptor use other than "signing" or
// "encryption" (ErrKeyUse) and other roots (ErrNotMetadata).
func Parse(data []byte, opts ...Option) (*Metadata, error) {
	o := options{maxSize: DefaultMaxSize, maxNSDecls: DefaultMaxNamespaceDecls}
	for _, fn := range opts {
		fn(&o)
	}
	doc, root, err := parseRoot(data, parseLimits(o), NSMetadata, "EntityDescriptor", ErrNotMetadata)
	if err != nil {
		return nil, err
	}
	m := &Metadata{orig: append([]byte(nil), data...), doc: doc, root: root}
	if err := m.classifyKeys(); err != nil {
		return nil, err
	}
	return m, nil
}

// parseRoot parses data and requires its root to be {ns}tag, refusing
// another root with wrong.
func parseRoot(data []byte, lim parseLimits, ns, tag string, wrong error) (*node, *node, error) {
	doc, err := parseDocument(data, lim)
	if err != nil {
		return nil, nil, err
	}
	root := rootOf(doc)
	if !root.is(ns, tag) {
		return nil, nil, wrapf(wrong, "root element is {%s}%s, not {%s}%s", root.space, root.local, ns, tag)
	}
	return doc, root, nil
}

func rootOf(doc *node) *node {
	for n := doc.first; n != nil; n = n.next {
		if n.kind == elementNode {
			return n
		}
	}
	return nil
}

// Bytes returns the document. It is byte-for-byte the parsed input until an
// edit is made; after an edit, every node the edit did not touch is copied
// from the input, so the output differs only where edited. Output is
// deterministic.
func (m *Metadata) Bytes() []byte {
	if !m.edited {
		return append([]byte(nil), m.orig...)
	}
	return m.serialize()
}

// Edited reports whether an edit changed the document since Parse.
func (m *Metadata) Edited() bool { return m.edited }

// EntityID returns the entityID attribute of the root.
func (m *Metadata) EntityID() string { return m.root.attr("entityID") }

// ID returns the root's ID attribute ("" when absent).
func (m *Metadata) ID() string { return m.root.attr("ID") }

// ValidUntil returns the root's validUntil, or the zero time when it is
// absent or not an xs:dateTime.
func (m *Metadata) ValidUntil() time.Time {
	t, _ := parseDateTime(m.root.attr("validUntil"))
	return t
}

// Signed reports whether the root carries an enveloped ds:Signature child. It
// says nothing about the signature's validity; see VerifySignature.
func (m *Metadata) Signed() bool { return m.root.child(NSDSig, "Signature") != nil }

// SSOServices returns the SingleSignOnService endpoints of every
// IDPSSODescriptor, in document order.
func (m *Metadata) SSOServices() []Endpoint { return m.endpoints("SingleSignOnService") }

// SLOServices returns the SingleLogoutService endpoints of every
// IDPSSODescriptor, in document order.
func (m *Metadata) SLOServices() []Endpoint { return m.endpoints("SingleLogoutService") }

func (m *Metadata) endpoints(tag string) []Endpoint {
	var out []Endpoint
	for _, idp := range m.idpDescriptors() {
		for _, e := range idp.children(NSMetadata, tag) {
			out = append(out, Endpoint{Binding: e.attr("Binding"), Location: e.attr("Location")})
		}
	}
	return out
}

// NameIDFormats returns the NameIDFormat values of every IDPSSODescriptor.
func (m *Metadata) NameIDFormats() []string {
	var out []string
	for _, idp := range m.idpDescriptors() {
		for _, e := range idp.children(NSMetadata, "NameIDFormat") {
			out = append(out, strings.TrimSpace(e.text()))
		}
	}
	return out
}

// Clone returns an independent deep copy.
func (m *Metadata) Clone() *Metadata {
	doc := m.doc.clone()
	return &Metadata{orig: m.orig, doc: doc, root: rootOf(doc), edited: m.edited}
}

func (m *Metadata) idpDescriptors() []*node { return m.root.children(NSMetadata, "IDPSSODescriptor") }

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
