package samlmeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"github.com/beevik/etree"
)

// span locates one token of the parsed input. For an element, start..tagEnd
// is its start tag and endStart..end its end tag (empty for <a/>); for other
// tokens start..end is the whole token.
type span struct{ start, tagEnd, endStart, end int }

// buildSpans maps every token of doc to its bytes in data. etree builds one
// token per encoding/xml raw token, so a second raw-token pass over the same
// bytes lines up with the tree; on any mismatch it returns nil and the
// caller falls back to plain etree serialisation.
func buildSpans(data []byte, doc *etree.Document) map[etree.Token]span {
	type event struct {
		kind       byte // 's' start, 'e' end, 'c' chardata, 'm' comment, 'p' procinst, 'd' directive
		start, end int
	}
	var events []event
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		start := int(d.InputOffset())
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil
		}
		ev := event{start: start, end: int(d.InputOffset())}
		switch tok.(type) {
		case xml.StartElement:
			ev.kind = 's'
		case xml.EndElement:
			ev.kind = 'e'
		case xml.CharData:
			ev.kind = 'c'
		case xml.Comment:
			ev.kind = 'm'
		case xml.ProcInst:
			ev.kind = 'p'
		default:
			ev.kind = 'd'
		}
		events = append(events, ev)
	}
	spans := make(map[etree.Token]span, len(events))
	i := 0
	next := func(kind byte) (event, bool) {
		if i >= len(events) || events[i].kind != kind {
			return event{}, false
		}
		i++
		return events[i-1], true
	}
	var walk func(tokens []etree.Token) bool
	walk = func(tokens []etree.Token) bool {
		for _, t := range tokens {
			var kind byte
			switch t.(type) {
			case *etree.Element:
				kind = 's'
			case *etree.CharData:
				kind = 'c'
			case *etree.Comment:
				kind = 'm'
			case *etree.ProcInst:
				kind = 'p'
			default:
				kind = 'd'
			}
			ev, ok := next(kind)
			if !ok {
				return false
			}
			el, isEl := t.(*etree.Element)
			if !isEl {
				spans[t] = span{start: ev.start, end: ev.end}
				continue
			}
			if !walk(el.Child) {
				return false
			}
			end, ok := next('e')
			if !ok {
				return false
			}
			spans[t] = span{start: ev.start, tagEnd: ev.end, endStart: end.start, end: end.end}
		}
		return true
	}
	if !walk(doc.Child) || i != len(events) {
		return nil
	}
	return spans
}

// remapSpans carries spans and dirty marks over to a deep copy of the tree.
func remapSpans(from, to []etree.Token, spans map[etree.Token]span, dirty map[*etree.Element]bool,
	newSpans map[etree.Token]span, newDirty map[*etree.Element]bool) {
	for i, t := range from {
		if i >= len(to) {
			return
		}
		if sp, ok := spans[t]; ok {
			newSpans[to[i]] = sp
		}
		if el, ok := t.(*etree.Element); ok {
			cp, ok := to[i].(*etree.Element)
			if !ok {
				return
			}
			if dirty[el] {
				newDirty[cp] = true
			}
			remapSpans(el.Child, cp.Child, spans, dirty, newSpans, newDirty)
		}
	}
}

// markDirty records that el's children changed, so el and its ancestors can
// no longer be copied from the input as a whole.
func (m *Metadata) markDirty(el *etree.Element) {
	for e := el; e != nil; e = e.Parent() {
		m.dirty[e] = true
	}
}

// splice writes the edited tree, copying every unchanged token from the
// input bytes and serialising only new tokens, so that the output differs
// from the input only where edited.
func (m *Metadata) splice() ([]byte, bool) {
	if m.spans == nil {
		return nil, false
	}
	var buf bytes.Buffer
	buf.Grow(len(m.orig) + 4096)
	settings := m.doc.WriteSettings
	var write func(tokens []etree.Token)
	write = func(tokens []etree.Token) {
		for _, t := range tokens {
			sp, known := m.spans[t]
			el, isEl := t.(*etree.Element)
			switch {
			case !known:
				t.WriteTo(&buf, &settings)
			case !isEl || !m.dirty[el]:
				buf.Write(m.orig[sp.start:sp.end])
			case sp.endStart == sp.end && len(el.Child) == 0:
				buf.Write(m.orig[sp.start:sp.end])
			case sp.endStart == sp.end:
				// Written as <a/> but now has children: open it as <a>.
				tag := bytes.TrimSuffix(m.orig[sp.start:sp.tagEnd], []byte("/>"))
				buf.Write(tag)
				buf.WriteByte('>')
				write(el.Child)
				buf.WriteString("</" + el.FullTag() + ">")
			default:
				buf.Write(m.orig[sp.start:sp.tagEnd])
				write(el.Child)
				buf.Write(m.orig[sp.endStart:sp.end])
			}
		}
	}
	write(m.doc.Child)
	return buf.Bytes(), true
}
