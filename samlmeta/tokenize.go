package samlmeta

import (
	"strings"
	"unicode/utf8"
)

// maxDepth bounds element nesting; SAML metadata and responses nest fewer
// than 20 levels.
const maxDepth = 1024

// DefaultMaxNamespaceDecls is how many namespace declarations may be in
// scope at once (on an element and its ancestors) unless
// WithMaxNamespaceDecls or WithMaxResponseNamespaceDecls says otherwise.
// Salesforce metadata and Responses have fewer than ten in scope; a
// declaration repeated on each of many siblings counts once at a time.
const DefaultMaxNamespaceDecls = 1000

// parseLimits bounds one parse.
type parseLimits struct {
	maxSize, maxNSDecls int
}

// parser is the single tokenising pass: it checks well-formedness and
// namespace well-formedness, refuses what makes readers disagree (DOCTYPE,
// entity references, duplicate attributes, decoys) and builds the tree with
// every name resolved. Time is linear in the input: each byte is looked at
// a bounded number of times and each prefix resolved with one map lookup.
type parser struct {
	src      string
	pos      int
	lim      parseLimits
	nsDecls  int                 // declarations in scope
	scope    map[string][]string // prefix -> bindings, innermost last
	depth    int
	cur      *node
	slab     []node
	slabSize int
}

// parseDocument parses data into a document node whose single element
// child is the root.
func parseDocument(data []byte, lim parseLimits) (*node, error) {
	if len(data) > lim.maxSize {
		return nil, wrapf(ErrTooLarge, "%d bytes, limit %d", len(data), lim.maxSize)
	}
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return nil, wrapf(ErrBOM, "input starts with a UTF-8 byte order mark")
	}
	if err := checkChars(data); err != nil {
		return nil, err
	}
	p := &parser{src: string(data), lim: lim, scope: map[string][]string{}}
	doc := &node{kind: documentNode, start: 0, tagEnd: 0, endStart: int32(len(data)), end: int32(len(data))}
	p.cur = doc
	if err := p.run(); err != nil {
		return nil, err
	}
	return doc, nil
}

// checkChars refuses invalid UTF-8 and characters XML 1.0 forbids.
func checkChars(data []byte) error {
	for i := 0; i < len(data); {
		b := data[i]
		if b < utf8.RuneSelf {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
				return wrapf(ErrMalformed, "control character %#x at offset %d", b, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return wrapf(ErrNotUTF8, "invalid UTF-8 at offset %d", i)
		}
		if r == 0xFFFE || r == 0xFFFF {
			return wrapf(ErrMalformed, "character %U at offset %d", r, i)
		}
		i += size
	}
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	return wrapf(ErrMalformed, "offset %d: "+format, append([]any{p.pos}, args...)...)
}

func (p *parser) newNode(kind nodeKind, start int) *node {
	if len(p.slab) == 0 {
		// Nodes come in slabs that grow with the document.
		p.slabSize = min(max(2*p.slabSize, 32), 4096)
		p.slab = make([]node, p.slabSize)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.kind, n.start = kind, int32(start)
	return n
}

func (p *parser) run() error {
	if strings.HasPrefix(p.src, "<?xml") && len(p.src) > 5 && isSpaceByte(p.src[5]) {
		if err := p.xmlDecl(); err != nil {
			return err
		}
	}
	roots := 0
	for p.pos < len(p.src) {
		if p.src[p.pos] != '<' {
			if err := p.charData(); err != nil {
				return err
			}
			continue
		}
		rest := p.src[p.pos:]
		var err error
		switch {
		case strings.HasPrefix(rest, "<!--"):
			err = p.comment()
		case strings.HasPrefix(rest, "<![CDATA["):
			err = p.cdata()
		case strings.HasPrefix(rest, "<!"):
			return wrapf(ErrDOCTYPE, "markup declaration <!%s found", firstWord(rest[2:]))
		case strings.HasPrefix(rest, "<?"):
			err = p.procInst()
		case strings.HasPrefix(rest, "</"):
			err = p.endTag()
		default:
			if p.depth == 0 {
				if roots++; roots > 1 {
					return p.errorf("more than one root element")
				}
			}
			err = p.startTag()
		}
		if err != nil {
			return err
		}
	}
	if p.depth > 0 {
		return p.errorf("unclosed element <%s>", qname(p.cur.prefix, p.cur.local))
	}
	if roots == 0 {
		return wrapf(ErrMalformed, "no root element")
	}
	return nil
}

// xmlDecl reads <?xml version="1.0" encoding="UTF-8" standalone="..."?>.
func (p *parser) xmlDecl() error {
	end := strings.Index(p.src, "?>")
	if end < 0 {
		return p.errorf("unterminated XML declaration")
	}
	body := p.src[5:end]
	n := p.leaf(procInstNode, 0, end+2)
	n.local, n.data = "xml", strings.TrimLeft(body, " \t\r\n")
	version := false
	for f := range strings.FieldsSeq(body) {
		k, v, ok := strings.Cut(f, "=")
		if !ok || len(v) < 2 || (v[0] != '"' && v[0] != '\'') || v[len(v)-1] != v[0] {
			return p.errorf("malformed XML declaration")
		}
		v = v[1 : len(v)-1]
		switch k {
		case "version":
			version = v == "1.0"
		case "encoding":
			if !strings.EqualFold(v, "UTF-8") {
				return p.errorf("declared encoding %q: only UTF-8 is read", v)
			}
		case "standalone":
		default:
			return p.errorf("malformed XML declaration")
		}
	}
	if !version {
		return p.errorf("XML declaration without version 1.0")
	}
	return nil
}

func (p *parser) comment() error {
	start := p.pos
	end := strings.Index(p.src[start+4:], "--")
	if end < 0 {
		return p.errorf("unterminated comment")
	}
	end += start + 4
	if !strings.HasPrefix(p.src[end:], "-->") {
		return p.errorf("-- inside a comment")
	}
	p.leaf(commentNode, start, end+3).data = p.src[start+4 : end]
	return nil
}

func (p *parser) cdata() error {
	if p.depth == 0 {
		return p.errorf("CDATA outside the root element")
	}
	start := p.pos
	end := strings.Index(p.src[start+9:], "]]>")
	if end < 0 {
		return p.errorf("unterminated CDATA section")
	}
	end += start + 9
	n := p.leaf(textNode, start, end+3)
	n.cdata, n.data = true, normalizeNewlines(p.src[start+9:end])
	return nil
}

func (p *parser) procInst() error {
	start := p.pos
	p.pos += 2
	target, err := p.name()
	if err != nil {
		return err
	}
	if strings.EqualFold(target, "xml") {
		return p.errorf("XML declaration not at the start")
	}
	if strings.Contains(target, ":") {
		return p.errorf("processing instruction target %q has a colon", target)
	}
	end := strings.Index(p.src[p.pos:], "?>")
	if end < 0 {
		return p.errorf("unterminated processing instruction")
	}
	end += p.pos
	body := p.src[p.pos:end]
	if body != "" && !isSpaceByte(body[0]) {
		return p.errorf("processing instruction target not followed by space")
	}
	n := p.leaf(procInstNode, start, end+2)
	n.local, n.data = target, normalizeNewlines(strings.TrimLeft(body, " \t\r\n"))
	return nil
}

func (p *parser) charData() error {
	start := p.pos
	end := strings.IndexByte(p.src[start:], '<')
	if end < 0 {
		end = len(p.src)
	} else {
		end += start
	}
	raw := p.src[start:end]
	p.pos = end
	if strings.Contains(raw, "]]>") {
		return p.errorf("]]> in text")
	}
	if p.depth == 0 {
		if strings.Trim(raw, " \t\r\n") != "" {
			return p.errorf("text outside the root element")
		}
	}
	text, err := p.expand(raw, false)
	if err != nil {
		return err
	}
	p.leaf(textNode, start, end).data = text
	return nil
}

func (p *parser) endTag() error {
	start := p.pos
	p.pos += 2
	prefix, local, err := p.qname()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '>' {
		return p.errorf("malformed end tag")
	}
	p.pos++
	el := p.cur
	if p.depth == 0 || el.prefix != prefix || el.local != local {
		return p.errorf("end tag </%s> does not match", qname(prefix, local))
	}
	el.endStart, el.end = int32(start), int32(p.pos)
	p.close(el)
	return nil
}

// close ends el: its namespace declarations go out of scope.
func (p *parser) close(el *node) {
	p.nsDecls -= len(el.ns)
	for _, d := range el.ns {
		s := p.scope[d.prefix]
		p.scope[d.prefix] = s[:len(s)-1]
	}
	p.depth--
	p.cur = el.parent
}

// leaf appends a node that spans start..end and moves past it.
func (p *parser) leaf(kind nodeKind, start, end int) *node {
	n := p.newNode(kind, start)
	p.pos = end
	n.tagEnd, n.endStart, n.end = int32(end), int32(end), int32(end)
	p.cur.appendChild(n)
	return n
}

func (p *parser) skipSpace() bool {
	start := p.pos
	for p.pos < len(p.src) && isSpaceByte(p.src[p.pos]) {
		p.pos++
	}
	return p.pos > start
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// normalizeNewlines applies XML end-of-line handling (CRLF and CR to LF).
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t\r\n[>"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 16 {
		s = s[:16]
	}
	return s
}
