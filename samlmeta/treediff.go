package samlmeta

import (
	"fmt"
	"strings"
)

// treeDiff compares two trees as namespace-aware documents (see Diff).
type treeDiff struct{ out []Difference }

type expanded struct{ space, local string }

func (t *treeDiff) add(path, format string, args ...any) {
	t.out = append(t.out, Difference{Path: path, What: fmt.Sprintf(format, args...)})
}

// compared returns el's element children that take part in the
// comparison, grouped by expanded name, and the order of the groups.
func compared(el *node) (map[expanded][]*node, []expanded) {
	groups := map[expanded][]*node{}
	var order []expanded
	isRoot := el.parent != nil && el.parent.kind == documentNode
	isIDP := el.is(NSMetadata, "IDPSSODescriptor")
	for c := range el.elements {
		if isRoot && c.is(NSDSig, "Signature") || isIDP && c.is(NSMetadata, "KeyDescriptor") && plainSigningKey(c) != "" {
			continue
		}
		k := expanded{c.space, c.local}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	return groups, order
}

func (t *treeDiff) element(o, n *node, path string) {
	t.attrs(o, n, path)
	t.content(o, n, path)
	og, oorder := compared(o)
	ng, norder := compared(n)
	if sameKeys(oorder, norder) && !sameOrder(oorder, norder) {
		t.add(path, "the order of child elements changed")
	}
	seen := map[expanded]bool{}
	for _, k := range append(oorder, norder...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		os, ns := og[k], ng[k]
		for i := 0; i < len(os) || i < len(ns); i++ {
			var el *node
			if i < len(ns) {
				el = ns[i]
			} else {
				el = os[i]
			}
			p := fmt.Sprintf("%s/%s[%d]", path, qname(el.prefix, el.local), i+1)
			switch {
			case i >= len(os):
				if !friendlyEndpoint(el) {
					t.add(p, "%s added", describe(el))
				}
			case i >= len(ns):
				if !friendlyEndpoint(el) {
					t.add(p, "%s removed", describe(el))
				}
			default:
				t.element(os[i], ns[i], p)
			}
		}
	}
}

func sameKeys(a, b []expanded) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[expanded]bool{}
	for _, k := range a {
		in[k] = true
	}
	for _, k := range b {
		if !in[k] {
			return false
		}
	}
	return true
}

func sameOrder(a, b []expanded) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// skippedAttr reports attributes Diff reports in its own fields.
func skippedAttr(el *node, a *attr) bool {
	if a.space != "" {
		return false
	}
	if el.parent != nil && el.parent.kind == documentNode {
		return a.local == "entityID" || a.local == "validUntil"
	}
	return friendlyEndpoint(el) && (a.local == "Binding" || a.local == "Location")
}

func (t *treeDiff) attrs(o, n *node, path string) {
	ov := make(map[expanded]string, len(o.attrs))
	for i := range o.attrs {
		if a := &o.attrs[i]; !skippedAttr(o, a) {
			ov[expanded{a.space, a.local}] = a.value
		}
	}
	for i := range n.attrs {
		a := &n.attrs[i]
		if skippedAttr(n, a) {
			continue
		}
		k := expanded{a.space, a.local}
		name := attrName(k)
		old, ok := ov[k]
		delete(ov, k)
		switch {
		case !ok:
			t.add(path, "attribute %s added (%s)", name, short(a.value))
		case old != a.value:
			t.add(path, "attribute %s changed from %s to %s", name, short(old), short(a.value))
		}
	}
	for i := range o.attrs {
		a := &o.attrs[i]
		if _, left := ov[expanded{a.space, a.local}]; left {
			t.add(path, "attribute %s removed (%s)", attrName(expanded{a.space, a.local}), short(a.value))
		}
	}
}

func attrName(k expanded) string {
	if k.space == "" {
		return k.local
	}
	return "{" + k.space + "}" + k.local
}

// content compares character data (whitespace between elements excepted)
// and processing instructions.
func (t *treeDiff) content(o, n *node, path string) {
	if !(friendlyEndpoint(n) && n.local == "NameIDFormat") {
		if ot, nt := significantText(o), significantText(n); ot != nt {
			t.add(path, "text changed from %s to %s", short(ot), short(nt))
		}
	}
	if op, np := procInsts(o), procInsts(n); op != np {
		t.add(path, "processing instructions changed from %s to %s", short(op), short(np))
	}
}

func significantText(el *node) string {
	hasElements := false
	for range el.elements {
		hasElements = true
		break
	}
	s := el.text()
	if hasElements && strings.Trim(s, " \t\r\n") == "" {
		return ""
	}
	return s
}

func procInsts(el *node) string {
	var b strings.Builder
	for c := el.first; c != nil; c = c.next {
		if c.kind == procInstNode {
			b.WriteString("<?" + c.local + " " + c.data + "?>")
		}
	}
	return b.String()
}
