package samlmeta

// serialize writes the edited tree, copying every node an edit did not touch
// from the input bytes and serialising only new nodes, so that the output
// differs from the input only where edited.
func (m *Metadata) serialize() []byte {
	out := make([]byte, 0, len(m.orig)+4096)
	for n := m.doc.first; n != nil; n = n.next {
		out = m.write(out, n)
	}
	return out
}

func (m *Metadata) write(out []byte, n *node) []byte {
	switch {
	case n.start < 0:
		return writeFresh(out, n)
	case n.kind != elementNode || !n.dirty:
		return append(out, m.orig[n.start:n.end]...)
	}
	if n.endStart == n.end { // written as <a/>
		if n.first == nil {
			return append(out, m.orig[n.start:n.end]...)
		}
		tag := m.orig[n.start:n.tagEnd]
		out = append(out, tag[:len(tag)-2]...)
		out = append(out, '>')
		for c := n.first; c != nil; c = c.next {
			out = m.write(out, c)
		}
		return appendEndTag(out, n)
	}
	out = m.startTagOf(out, n)
	for c := n.first; c != nil; c = c.next {
		out = m.write(out, c)
	}
	return append(out, m.orig[n.endStart:n.end]...)
}

// writeFresh serialises a node built or copied by an edit.
func writeFresh(out []byte, n *node) []byte {
	switch n.kind {
	case textNode:
		if n.cdata {
			return append(append(append(out, "<![CDATA["...), n.data...), "]]>"...)
		}
		return escapeText(out, n.data)
	case commentNode:
		return append(append(append(out, "<!--"...), n.data...), "-->"...)
	case procInstNode:
		out = append(append(out, "<?"...), n.local...)
		if n.data != "" {
			out = append(append(out, ' '), n.data...)
		}
		return append(out, "?>"...)
	case elementNode:
	default:
		return out
	}
	out = appendStartTag(out, n)
	if n.first == nil {
		return append(out, "/>"...)
	}
	out = append(out, '>')
	for c := n.first; c != nil; c = c.next {
		out = writeFresh(out, c)
	}
	return appendEndTag(out, n)
}

// appendStartTag writes el's name, namespace declarations and attributes,
// without the closing '>' or "/>".
func appendStartTag(out []byte, n *node) []byte {
	out = append(append(out, '<'), qname(n.prefix, n.local)...)
	for _, d := range n.ns {
		out = append(out, " xmlns"...)
		if d.prefix != "" {
			out = append(append(out, ':'), d.prefix...)
		}
		out = append(escapeAttr(append(out, '=', '"'), d.uri), '"')
	}
	for _, a := range n.attrs {
		out = append(append(append(out, ' '), qname(a.prefix, a.local)...), '=', '"')
		out = append(escapeAttr(out, a.value), '"')
	}
	return out
}

func appendEndTag(out []byte, n *node) []byte {
	return append(append(append(out, "</"...), qname(n.prefix, n.local)...), '>')
}

// markDirty records that el's children changed, so el and its ancestors can
// no longer be copied from the input as a whole.
func markDirty(el *node) {
	for e := el; e != nil; e = e.parent {
		e.dirty = true
	}
}
