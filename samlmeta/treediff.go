package samlmeta

import (
	"fmt"
	"strings"
)

// treeDiff compares two trees as namespace-aware documents (see Diff).
// The path of the element being compared is kept as a stack of steps and
// formatted only when a difference is reported.
type treeDiff struct {
	out  []Difference
	path []step
}

type step struct {
	name  string
	index int // 1-based among same-named siblings; 0 for the root
}

type expanded struct{ space, local string }

func (t *treeDiff) add(format string, args ...any) {
	var b strings.Builder
	for _, s := range t.path {
		b.WriteString("/" + s.name)
		if s.index > 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
		}
	}
	t.out = append(t.out, Difference{Path: b.String(), What: fmt.Sprintf(format, args...)})
}

// compared returns el's element children that take part in the
// comparison, grouped by expanded name, and the order of the groups.
func compared(el *node) (map[expanded][]*node, []expanded) {
	if !hasElementChildren(el) {
		return nil, nil
	}
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

func (t *treeDiff) element(o, n *node) {
	t.attrs(o, n)
	t.content(o, n)
	og, oorder := compared(o)
	ng, norder := compared(n)
	if sameKeys(oorder, norder) && !sameOrder(oorder, norder) {
		t.add("the order of child elements changed")
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
			t.path = append(t.path, step{qname(el.prefix, el.local), i + 1})
			switch {
			case i >= len(os):
				if !friendlyEndpoint(el) {
					t.add("%s added", describe(el))
				}
			case i >= len(ns):
				if !friendlyEndpoint(el) {
					t.add("%s removed", describe(el))
				}
			default:
				t.element(os[i], ns[i])
			}
			t.path = t.path[:len(t.path)-1]
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

func (t *treeDiff) attrs(o, n *node) {
	if len(o.attrs) == 0 && len(n.attrs) == 0 {
		return
	}
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
			t.add("attribute %s added (%s)", name, short(a.value))
		case old != a.value:
			t.add("attribute %s changed from %s to %s", name, short(old), short(a.value))
		}
	}
	for i := range o.attrs {
		a := &o.attrs[i]
		if _, left := ov[expanded{a.space, a.local}]; left {
			t.add("attribute %s removed (%s)", attrName(expanded{a.space, a.local}), short(a.value))
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
func (t *treeDiff) content(o, n *node) {
	if !(friendlyEndpoint(n) && n.local == "NameIDFormat") {
		if ot, nt := significantText(o), significantText(n); ot != nt {
			t.add("text changed from %s to %s", short(ot), short(nt))
		}
	}
	if op, np := procInsts(o), procInsts(n); op != np {
		t.add("processing instructions changed from %s to %s", short(op), short(np))
	}
}

func significantText(el *node) string {
	s := el.text()
	if hasElementChildren(el) && strings.Trim(s, " \t\r\n") == "" {
		return ""
	}
	return s
}

func hasElementChildren(el *node) bool {
	for c := el.first; c != nil; c = c.next {
		if c.kind == elementNode {
			return true
		}
	}
	return false
}

func procInsts(el *node) string {
	if el.first == nil {
		return ""
	}
	var b strings.Builder
	for c := el.first; c != nil; c = c.next {
		if c.kind == procInstNode {
			b.WriteString("<?" + c.local + " " + c.data + "?>")
		}
	}
	return b.String()
}
