package samlmeta

import (
	"slices"
	"strings"
)

// Canonicalisation algorithms the verifier implements, from the tree.
const (
	algExcC14N             = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algExcC14NComments     = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	algC14N10              = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	algC14N10Comments      = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	algC14N11              = "http://www.w3.org/2006/12/xml-c14n11"
	algC14N11Comments      = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	algEnvelopedSignature  = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	nsExcC14N              = algExcC14N
	inclusiveNamespacesTag = "InclusiveNamespaces"
)

// c14nMethod is one canonicalisation: exclusive (with an optional
// InclusiveNamespaces prefix list, "" standing for #default) or inclusive,
// with or without comments.
type c14nMethod struct {
	exclusive, comments bool
	prefixes            []string
}

// c14nFor returns the method for an algorithm URI; el is the
// CanonicalizationMethod or Transform element (for its
// InclusiveNamespaces).
func c14nFor(alg string, el *node) (c14nMethod, bool) {
	switch alg {
	case algExcC14N, algExcC14NComments:
		m := c14nMethod{exclusive: true, comments: alg == algExcC14NComments}
		if in := el.child(nsExcC14N, inclusiveNamespacesTag); in != nil {
			for _, p := range strings.Fields(in.attr("PrefixList")) {
				if p == "#default" {
					p = ""
				}
				m.prefixes = append(m.prefixes, p)
			}
		}
		return m, true
	case algC14N10, algC14N11:
		return c14nMethod{}, true
	case algC14N10Comments, algC14N11Comments:
		return c14nMethod{comments: true}, true
	}
	return c14nMethod{}, false
}

// canonicalizer writes the canonical form of one subtree. Namespace
// prefixes of elements and attributes are already resolved in the tree, so
// the work per element is bounded by its own attributes and declarations
// (plus, once, the declarations in scope at the apex).
type canonicalizer struct {
	m        c14nMethod
	skip     *node // the enveloped signature, left out
	out      []byte
	rendered map[string]string // prefix -> namespace rendered by output ancestors
	inScope  map[string]string // prefix -> namespace in scope (inclusive rules only)
	undo     []nsDecl          // previous values, with a marker per element
	decls    []nsDecl          // scratch
	attrs    []*attr           // scratch
}

// canonicalize returns the canonical form of apex and its descendants,
// without skip's subtree.
func canonicalize(apex, skip *node, m c14nMethod, buf []byte) []byte {
	c := &canonicalizer{m: m, skip: skip, out: buf[:0], rendered: map[string]string{}}
	needScope := !m.exclusive || len(m.prefixes) > 0
	if needScope {
		c.inScope = map[string]string{}
		for e := apex.parent; e != nil; e = e.parent {
			for _, d := range e.ns {
				if _, ok := c.inScope[d.prefix]; !ok {
					c.inScope[d.prefix] = d.uri
				}
			}
		}
	}
	if apex.kind == documentNode {
		c.document(apex)
	} else {
		c.element(apex, true)
	}
	return c.out
}

func (c *canonicalizer) document(doc *node) {
	afterRoot := false
	for n := doc.first; n != nil; n = n.next {
		switch n.kind {
		case elementNode:
			c.element(n, true)
			afterRoot = true
		case procInstNode, commentNode:
			if n.kind == commentNode && !c.m.comments || n.kind == procInstNode && n.local == "xml" {
				continue
			}
			if afterRoot {
				c.out = append(c.out, '\n')
			}
			c.leaf(n)
			if !afterRoot {
				c.out = append(c.out, '\n')
			}
		}
	}
}

func (c *canonicalizer) leaf(n *node) {
	switch n.kind {
	case textNode:
		c.out = escapeText(c.out, n.data)
	case commentNode:
		if c.m.comments {
			c.out = append(append(append(c.out, "<!--"...), n.data...), "-->"...)
		}
	case procInstNode:
		c.out = append(append(c.out, "<?"...), n.local...)
		if n.data != "" {
			c.out = append(append(c.out, ' '), n.data...)
		}
		c.out = append(c.out, "?>"...)
	}
}

func (c *canonicalizer) element(el *node, apex bool) {
	mark := len(c.undo)
	if c.inScope != nil {
		for _, d := range el.ns {
			old, had := c.inScope[d.prefix]
			if !had {
				old = "\x00"
			}
			c.undo = append(c.undo, nsDecl{prefix: "\x01" + d.prefix, uri: old})
			c.inScope[d.prefix] = d.uri
		}
	}
	c.decls = c.decls[:0]
	if c.m.exclusive {
		c.visiblyUsed(el)
	} else {
		c.inclusiveDecls(el, apex)
	}
	name := qname(el.prefix, el.local)
	c.out = append(append(c.out, '<'), name...)
	decls := c.decls
	slices.SortFunc(decls, func(a, b nsDecl) int { return strings.Compare(a.prefix, b.prefix) })
	for _, d := range decls {
		old, had := c.rendered[d.prefix]
		if !had {
			old = "\x00"
		}
		c.undo = append(c.undo, nsDecl{prefix: d.prefix, uri: old})
		c.rendered[d.prefix] = d.uri
		if d.prefix == "" {
			c.out = append(c.out, ` xmlns="`...)
		} else {
			c.out = append(append(append(c.out, ` xmlns:`...), d.prefix...), `="`...)
		}
		c.out = append(escapeAttr(c.out, d.uri), '"')
	}
	c.attrs = c.attrs[:0]
	for i := range el.attrs {
		c.attrs = append(c.attrs, &el.attrs[i])
	}
	if apex && !c.m.exclusive {
		c.inheritXMLAttrs(el)
	}
	as := c.attrs
	slices.SortFunc(as, func(a, b *attr) int {
		if r := strings.Compare(a.space, b.space); r != 0 {
			return r
		}
		return strings.Compare(a.local, b.local)
	})
	for _, a := range as {
		c.out = append(c.out, ' ')
		if a.prefix != "" {
			c.out = append(append(c.out, a.prefix...), ':')
		}
		c.out = append(append(c.out, a.local...), '=', '"')
		c.out = append(escapeAttr(c.out, a.value), '"')
	}
	c.out = append(c.out, '>')
	for n := el.first; n != nil; n = n.next {
		if n == c.skip {
			continue
		}
		if n.kind == elementNode {
			c.element(n, false)
		} else {
			c.leaf(n)
		}
	}
	c.out = append(append(append(c.out, "</"...), name...), '>')
	for i := len(c.undo) - 1; i >= mark; i-- {
		u := c.undo[i]
		m, p := c.rendered, u.prefix
		if strings.HasPrefix(p, "\x01") {
			m, p = c.inScope, p[1:]
		}
		if u.uri == "\x00" {
			delete(m, p)
		} else {
			m[p] = u.uri
		}
	}
	c.undo = c.undo[:mark]
}

// visiblyUsed collects the exclusive-C14N declarations of el: the prefixes
// its name and attributes use and those of the InclusiveNamespaces list,
// when the nearest output ancestor did not render the same binding.
func (c *canonicalizer) visiblyUsed(el *node) {
	c.need(el.prefix, el.space, true)
	for i := range el.attrs {
		if a := &el.attrs[i]; a.prefix != "" && a.prefix != "xml" {
			c.need(a.prefix, a.space, true)
		}
	}
	for _, p := range c.m.prefixes {
		if uri, ok := c.inScope[p]; ok {
			c.need(p, uri, true)
		}
	}
}

// need adds a declaration of prefix unless the nearest output ancestor
// rendered the same binding (dedupe: unless this element already needs it).
func (c *canonicalizer) need(prefix, uri string, dedupe bool) {
	if dedupe {
		for _, d := range c.decls {
			if d.prefix == prefix {
				return
			}
		}
	}
	old, had := c.rendered[prefix]
	if prefix == "" && uri == "" && (!had || old == "") {
		return
	}
	if had && old == uri {
		return
	}
	c.decls = append(c.decls, nsDecl{prefix: prefix, uri: uri})
}

// inclusiveDecls collects the inclusive-C14N declarations: at the apex
// every binding in scope, below it the element's own declarations that
// change what the parent rendered.
func (c *canonicalizer) inclusiveDecls(el *node, apex bool) {
	if apex {
		for p, uri := range c.inScope {
			if p != "xml" {
				c.need(p, uri, false)
			}
		}
		return
	}
	for _, d := range el.ns {
		if d.prefix != "xml" {
			c.need(d.prefix, d.uri, false)
		}
	}
}

// inheritXMLAttrs adds, for inclusive C14N of a subtree, the xml:lang and
// xml:space in effect at the apex when it does not carry them itself.
func (c *canonicalizer) inheritXMLAttrs(el *node) {
	for _, local := range []string{"lang", "space"} {
		has := false
		for _, a := range c.attrs {
			has = has || (a.space == nsXML && a.local == local)
		}
		for e := el.parent; !has && e != nil; e = e.parent {
			for i := range e.attrs {
				if a := &e.attrs[i]; a.space == nsXML && a.local == local {
					c.attrs = append(c.attrs, a)
					has = true
					break
				}
			}
		}
	}
}

func escapeText(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		case '\r':
			out = append(out, "&#xD;"...)
		default:
			out = append(out, ch)
		}
	}
	return out
}

func escapeAttr(out []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '"':
			out = append(out, "&quot;"...)
		case '\t':
			out = append(out, "&#x9;"...)
		case '\n':
			out = append(out, "&#xA;"...)
		case '\r':
			out = append(out, "&#xD;"...)
		default:
			out = append(out, ch)
		}
	}
	return out
}
