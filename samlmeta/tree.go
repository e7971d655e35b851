package samlmeta

import "strings"

// The document tree. Parse builds it in one tokenising pass (tokenize.go)
// with every namespace resolved once, so that reads compare (namespace,
// local name) pairs and never look a prefix up again.

type nodeKind uint8

const (
	documentNode nodeKind = iota
	elementNode
	textNode
	commentNode
	procInstNode
)

// XML namespaces bound by the XML specification itself.
const (
	nsXML   = "http://www.w3.org/XML/1998/namespace"
	nsXMLNS = "http://www.w3.org/2000/xmlns/"
)

// attr is one attribute that is not a namespace declaration.
type attr struct {
	prefix, local string
	space         string // the namespace the prefix is bound to; "" when unprefixed
	value         string // after reference expansion and whitespace normalisation
}

// nsDecl is one namespace declaration (prefix "" for xmlns="...").
type nsDecl struct{ prefix, uri string }

// node is a document, element, text, comment or processing instruction.
// Nodes are linked to their parent and siblings; a node built by an edit
// has no span (start < 0) and is serialised rather than copied.
type node struct {
	kind          nodeKind
	cdata         bool   // text written as a CDATA section
	dirty         bool   // an edit changed the children of this element or of a descendant
	prefix, local string // element name; a processing instruction's target in local
	space         string // element namespace
	data          string // text (expanded), comment or processing instruction content
	attrs         []attr
	ns            []nsDecl

	parent, first, last, prev, next *node

	// start..tagEnd is the start tag (the whole token for non-elements),
	// endStart..end the end tag (endStart == end for <a/>). Offsets in the
	// input; start is -1 for a node that was not parsed.
	start, tagEnd, endStart, end int32
}

// is reports whether n is the element {space}local.
func (n *node) is(space, local string) bool {
	return n != nil && n.kind == elementNode && n.local == local && n.space == space
}

// attr returns the value of the unprefixed attribute local ("" if absent).
// SAML and XML-DSig attributes are unqualified; a prefixed attribute with
// the same local name is another attribute (and refused as a decoy by the
// parser on the elements samlmeta reads).
func (n *node) attr(local string) string {
	v, _ := n.lookupAttr(local)
	return v
}

func (n *node) lookupAttr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for i := range n.attrs {
		if a := &n.attrs[i]; a.local == local && a.space == "" {
			return a.value, true
		}
	}
	return "", false
}

// setAttr sets the unprefixed attribute local, appending it when absent.
func (n *node) setAttr(local, value string) {
	for i := range n.attrs {
		if a := &n.attrs[i]; a.local == local && a.space == "" {
			a.value = value
			return
		}
	}
	n.attrs = append(n.attrs, attr{local: local, value: value})
}

// elements yields the element children of n.
func (n *node) elements(yield func(*node) bool) {
	for c := n.first; c != nil; c = c.next {
		if c.kind == elementNode && !yield(c) {
			return
		}
	}
}

// children returns the element children named {space}local.
func (n *node) children(space, local string) []*node {
	var out []*node
	for c := n.first; c != nil; c = c.next {
		if c.is(space, local) {
			out = append(out, c)
		}
	}
	return out
}

// child returns the first element child named {space}local, or nil.
func (n *node) child(space, local string) *node {
	for c := n.first; c != nil; c = c.next {
		if c.is(space, local) {
			return c
		}
	}
	return nil
}

// text concatenates the character data (text and CDATA) directly inside n,
// skipping comments and processing instructions, so that a comment
// injected into a value can never truncate it.
func (n *node) text() string {
	if n == nil {
		return ""
	}
	if n.first != nil && n.first == n.last && n.first.kind == textNode {
		return n.first.data
	}
	var b strings.Builder
	for c := n.first; c != nil; c = c.next {
		if c.kind == textNode {
			b.WriteString(c.data)
		}
	}
	return b.String()
}

// qname returns prefix:local.
func qname(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// appendChild links c as n's last child.
func (n *node) appendChild(c *node) {
	c.parent, c.prev, c.next = n, n.last, nil
	if n.last != nil {
		n.last.next = c
	} else {
		n.first = c
	}
	n.last = c
}

// insertAfter links c after ref, a child of n (ref nil: first).
func (n *node) insertAfter(ref, c *node) {
	if ref == nil {
		c.parent, c.prev, c.next = n, nil, n.first
		if n.first != nil {
			n.first.prev = c
		} else {
			n.last = c
		}
		n.first = c
		return
	}
	c.parent, c.prev, c.next = n, ref, ref.next
	if ref.next != nil {
		ref.next.prev = c
	} else {
		n.last = c
	}
	ref.next = c
}

// unlink removes c from its parent.
func (c *node) unlink() {
	p := c.parent
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		p.first = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		p.last = c.prev
	}
	c.parent, c.prev, c.next = nil, nil, nil
}

// isSpace reports whether n is a text node of whitespace only.
func (n *node) isSpace() bool {
	return n != nil && n.kind == textNode && !n.cdata && strings.Trim(n.data, " \t\r\n") == ""
}

// unlinkWithIndent removes el and the whitespace text directly before it.
func (el *node) unlinkWithIndent() {
	if el.prev.isSpace() {
		el.prev.unlink()
	}
	el.unlink()
}

// clone deep-copies n (spans kept: they point into the same input).
func (n *node) clone() *node {
	c := *n
	c.parent, c.first, c.last, c.prev, c.next = nil, nil, nil, nil, nil
	c.attrs = append([]attr(nil), n.attrs...)
	c.ns = append([]nsDecl(nil), n.ns...)
	for k := n.first; k != nil; k = k.next {
		c.appendChild(k.clone())
	}
	return &c
}

// forget drops the spans of n and its descendants, so that they are
// serialised rather than copied from the input.
func (n *node) forget() {
	n.start = -1
	for k := n.first; k != nil; k = k.next {
		k.forget()
	}
}

// lookupPrefix returns a prefix bound to space in scope at n.
func (n *node) lookupPrefix(space string) (string, bool) {
	for e := n; e != nil; e = e.parent {
		for _, d := range e.ns {
			if d.uri == space {
				if uri, ok := n.lookupNamespace(d.prefix); ok && uri == space {
					return d.prefix, true
				}
			}
		}
	}
	return "", false
}

// lookupNamespace returns the namespace prefix is bound to at n.
func (n *node) lookupNamespace(prefix string) (string, bool) {
	if prefix == "xml" {
		return nsXML, true
	}
	for e := n; e != nil; e = e.parent {
		for _, d := range e.ns {
			if d.prefix == prefix {
				return d.uri, true
			}
		}
	}
	return "", prefix == ""
}
