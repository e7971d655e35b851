package samlmeta

import "time"

// SetValidUntil sets the root's validUntil to t (UTC, milliseconds), or
// removes it when t is the zero time; it is a no-op when the document
// already says so. A document's validUntil belongs to the identity
// provider that publishes it: a relying party's copy should carry the one
// the identity provider serves now, not one kept from an older download.
//
// Like any edit it removes the root's enveloped ds:Signature, and the
// root's start tag is written anew (its attributes and namespace
// declarations in their order, double-quoted).
func (m *Metadata) SetValidUntil(t time.Time) {
	cur, had := m.root.lookupAttr("validUntil")
	switch {
	case t.IsZero() && !had:
		return
	case !t.IsZero() && had && cur == formatDateTime(t):
		return
	}
	attrs := m.root.attrs[:0:0]
	for _, a := range m.root.attrs {
		if a.local != "validUntil" || a.space != "" {
			attrs = append(attrs, a)
		}
	}
	m.root.attrs = attrs
	if !t.IsZero() {
		m.root.setAttr("validUntil", formatDateTime(t))
	}
	m.markEdited()
	markDirty(m.root)
	m.rootTagEdited = true
}

// startTagOf returns the start tag of a parsed element as the output
// writes it: copied from the input, or written anew for a root whose
// attributes were edited.
func (m *Metadata) startTagOf(out []byte, n *node) []byte {
	if n == m.root && m.rootTagEdited {
		return append(appendStartTag(out, n), '>')
	}
	return append(out, m.orig[n.start:n.tagEnd]...)
}
