package samlmeta

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// startTag reads a start tag, resolves its names and refuses duplicate
// attributes, decoys and excess namespace declarations.
func (p *parser) startTag() error {
	start := p.pos
	p.pos++
	prefix, local, err := p.qname()
	if err != nil {
		return err
	}
	el := p.newNode(elementNode, start)
	el.prefix, el.local = prefix, local
	selfClosing := false
	for {
		spaced := p.skipSpace()
		if p.pos >= len(p.src) {
			return p.errorf("unterminated start tag <%s>", qname(prefix, local))
		}
		if c := p.src[p.pos]; c == '>' {
			p.pos++
			break
		} else if c == '/' {
			if !strings.HasPrefix(p.src[p.pos:], "/>") {
				return p.errorf("malformed start tag <%s>", qname(prefix, local))
			}
			p.pos += 2
			selfClosing = true
			break
		}
		if !spaced {
			return p.errorf("attributes of <%s> not separated by space", qname(prefix, local))
		}
		if err := p.attribute(el); err != nil {
			return err
		}
	}
	el.tagEnd = int32(p.pos)
	if err := p.bind(el); err != nil {
		return err
	}
	p.cur.appendChild(el)
	if p.depth++; p.depth > maxDepth {
		return p.errorf("nesting deeper than %d", maxDepth)
	}
	p.cur = el
	if selfClosing {
		el.endStart, el.end = el.tagEnd, el.tagEnd
		p.close(el)
	}
	return nil
}

// attribute reads name="value" into el.attrs or el.ns.
func (p *parser) attribute(el *node) error {
	prefix, local, err := p.qname()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '=' {
		return p.errorf("attribute %s without value", qname(prefix, local))
	}
	p.pos++
	p.skipSpace()
	if p.pos >= len(p.src) || (p.src[p.pos] != '"' && p.src[p.pos] != '\'') {
		return p.errorf("attribute %s value not quoted", qname(prefix, local))
	}
	q := p.src[p.pos]
	end := strings.IndexByte(p.src[p.pos+1:], q)
	if end < 0 {
		return p.errorf("unterminated attribute value")
	}
	raw := p.src[p.pos+1 : p.pos+1+end]
	p.pos += end + 2
	if strings.IndexByte(raw, '<') >= 0 {
		return p.errorf("< in the value of attribute %s", qname(prefix, local))
	}
	value, err := p.expand(raw, true)
	if err != nil {
		return err
	}
	switch {
	case prefix == "" && local == "xmlns":
		el.ns = append(el.ns, nsDecl{uri: value})
	case prefix == "xmlns":
		el.ns = append(el.ns, nsDecl{prefix: local, uri: value})
	default:
		el.attrs = append(el.attrs, attr{prefix: prefix, local: local, value: value})
	}
	return nil
}

// bind checks el's namespace declarations, pushes them, resolves el's and
// its attributes' names and applies the duplicate and decoy rules.
func (p *parser) bind(el *node) error {
	tag := qname(el.prefix, el.local)
	if len(el.ns) > 0 {
		if p.nsDecls += len(el.ns); p.nsDecls > p.lim.maxNSDecls {
			return wrapf(ErrTooManyNamespaces, "more than %d namespace declarations in scope at <%s>", p.lim.maxNSDecls, tag)
		}
		var seen map[string]bool
		if len(el.ns) > 8 {
			seen = make(map[string]bool, len(el.ns))
		}
		for i, d := range el.ns {
			if err := checkNSDecl(d); err != nil {
				return p.errorf("<%s>: %v", tag, err)
			}
			if decoyNames[d.prefix] {
				return wrapf(ErrDecoy, "<%s> declares xmlns:%s, which has the name of a SAML attribute", tag, d.prefix)
			}
			dup := false
			if seen != nil {
				dup = seen[d.prefix]
				seen[d.prefix] = true
			} else {
				for _, e := range el.ns[:i] {
					dup = dup || e.prefix == d.prefix
				}
			}
			if dup {
				return wrapf(ErrDuplicateAttribute, "namespace prefix %q declared twice on <%s>", d.prefix, tag)
			}
		}
		for _, d := range el.ns {
			p.scope[d.prefix] = append(p.scope[d.prefix], d.uri)
		}
	}
	space, ok := p.resolve(el.prefix)
	if !ok || el.prefix == "xmlns" {
		return p.errorf("element <%s> has an unbound prefix", tag)
	}
	el.space = space
	for i := range el.attrs {
		a := &el.attrs[i]
		if a.prefix != "" {
			s, ok := p.resolve(a.prefix)
			if !ok {
				return p.errorf("attribute %s of <%s> has an unbound prefix", qname(a.prefix, a.local), tag)
			}
			a.space = s
		}
	}
	if err := checkDupAttrs(el, tag); err != nil {
		return err
	}
	return checkDecoyAttrs(el, tag)
}

func checkNSDecl(d nsDecl) error {
	switch {
	case d.prefix == "xmlns":
		return errString("the xmlns prefix cannot be declared")
	case d.prefix == "xml" && d.uri != nsXML, d.prefix != "xml" && d.uri == nsXML:
		return errString("the xml prefix is bound to its own namespace only")
	case d.uri == nsXMLNS:
		return errString("the xmlns namespace cannot be bound")
	case d.prefix != "" && d.uri == "":
		return errString("xmlns:" + d.prefix + `="" undeclares a prefix (not allowed in XML 1.0)`)
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// checkDupAttrs refuses two attributes with the same qualified name or the
// same (namespace, local name).
func checkDupAttrs(el *node, tag string) error {
	n := len(el.attrs)
	if n < 2 {
		return nil
	}
	if n <= 8 {
		for i := 1; i < n; i++ {
			for j := range i {
				a, b := &el.attrs[i], &el.attrs[j]
				if a.local == b.local && (a.space == b.space || a.prefix == b.prefix) {
					return wrapf(ErrDuplicateAttribute, "attribute %s repeated on <%s>", qname(a.prefix, a.local), tag)
				}
			}
		}
		return nil
	}
	type key struct{ space, local string }
	seen := make(map[key]bool, n)
	raw := make(map[string]bool, n)
	for _, a := range el.attrs {
		q := qname(a.prefix, a.local)
		k := key{a.space, a.local}
		if seen[k] || raw[q] {
			return wrapf(ErrDuplicateAttribute, "attribute %s repeated on <%s>", q, tag)
		}
		seen[k], raw[q] = true, true
	}
	return nil
}

func (p *parser) resolve(prefix string) (string, bool) {
	if prefix == "xml" {
		return nsXML, true
	}
	if s := p.scope[prefix]; len(s) > 0 {
		return s[len(s)-1], true
	}
	return "", prefix == ""
}

// qname reads a QName: NCName or NCName:NCName.
func (p *parser) qname() (prefix, local string, err error) {
	name, err := p.name()
	if err != nil {
		return "", "", err
	}
	i := strings.IndexByte(name, ':')
	if i < 0 {
		return "", name, nil
	}
	prefix, local = name[:i], name[i+1:]
	if prefix == "" || local == "" || strings.IndexByte(local, ':') >= 0 {
		return "", "", p.errorf("%q is not a qualified name", name)
	}
	return prefix, local, nil
}

// name reads an XML Name. Only ASCII names are read: XML 1.0's fourth and
// fifth editions (and the parsers following one or the other) disagree on
// which other characters make names, and SAML's names are ASCII.
func (p *parser) name() (string, error) {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if !isASCIINameByte(c) || (p.pos == start && !isASCIINameStart(c)) {
			break
		}
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] >= utf8.RuneSelf {
		return "", p.errorf("non-ASCII character in a name")
	}
	if p.pos == start {
		return "", p.errorf("expected a name")
	}
	return p.src[start:p.pos], nil
}

func isASCIINameStart(c byte) bool {
	return c == ':' || c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}

func isASCIINameByte(c byte) bool {
	return isASCIINameStart(c) || c == '-' || c == '.' || (c >= '0' && c <= '9')
}

// expand replaces the predefined entity and character references of raw and
// applies end-of-line handling; in an attribute value, whitespace
// characters written literally become spaces (XML 1.0 §3.3.3, as libxml2
// does), while those written as references stay. Any other entity
// reference is refused: without a DTD it is undefined.
func (p *parser) expand(raw string, attribute bool) (string, error) {
	special := "&\r"
	if attribute {
		special = "&\r\n\t"
	}
	if !strings.ContainsAny(raw, special) {
		return raw, nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			if attribute {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		case attribute && (c == '\n' || c == '\t'):
			b.WriteByte(' ')
		case c == '&':
			end := strings.IndexByte(raw[i:], ';')
			if end < 0 {
				return "", p.errorf("unterminated reference")
			}
			ref := raw[i+1 : i+end]
			i += end
			if err := writeReference(&b, ref); err != nil {
				return "", p.errorf("%v", err)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func writeReference(b *strings.Builder, ref string) error {
	switch ref {
	case "lt":
		b.WriteByte('<')
	case "gt":
		b.WriteByte('>')
	case "amp":
		b.WriteByte('&')
	case "quot":
		b.WriteByte('"')
	case "apos":
		b.WriteByte('\'')
	default:
		if !strings.HasPrefix(ref, "#") {
			return errString("entity reference &" + ref + "; is not defined (no DTD is read)")
		}
		var v uint64
		var err error
		if strings.HasPrefix(ref, "#x") {
			v, err = strconv.ParseUint(ref[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(ref[1:], 10, 32)
		}
		r := rune(v)
		if err != nil || strings.ContainsAny(ref[1:], "+-") || !isXMLChar(r) {
			return errString("character reference &" + ref + "; is not an XML character")
		}
		b.WriteRune(r)
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
