package samlmeta

import (
	"fmt"
	"slices"
	"strings"
)

// Changes lists what differs between two metadata documents, with key
// changes kept apart from everything a relying party would see as a
// different identity provider.
type Changes struct {
	// EntityID is true when the entityID differs.
	EntityID bool
	// Endpoints describes, one line each, SingleSignOnService,
	// SingleLogoutService and NameIDFormat entries of the IDPSSODescriptors
	// present more often in one document than in the other.
	Endpoints []string
	// KeysAdded and KeysRemoved are SHA-256 fingerprints of signing
	// certificates present only in the new, respectively the old, document.
	KeysAdded, KeysRemoved []string
	// ValidUntil is true when validUntil differs. It is reported but does
	// not count against OnlyKeys: every metadata download from Salesforce
	// carries a fresh validUntil.
	ValidUntil bool
	// Other lists every other difference, each with where it is.
	Other []Difference
}

// Difference is one difference Diff found outside its named categories.
type Difference struct {
	// Path locates the element in the new document (in the old one for
	// a removed element), as /prefix:name[n]/... with 1-based positions
	// among same-named siblings.
	Path string
	// What says what differs.
	What string
}

func (d Difference) String() string { return d.Path + ": " + d.What }

// OnlyKeys reports whether nothing but signing keys (and validUntil)
// differs.
func (c Changes) OnlyKeys() bool { return !c.EntityID && len(c.Endpoints) == 0 && len(c.Other) == 0 }

// Empty reports whether nothing differs at all.
func (c Changes) Empty() bool {
	return c.OnlyKeys() && !c.ValidUntil && len(c.KeysAdded) == 0 && len(c.KeysRemoved) == 0
}

// String summarises the changes on one line.
func (c Changes) String() string {
	if c.Empty() {
		return "no changes"
	}
	s := fmt.Sprintf("entityID changed=%t, endpoint changes=%q, keys added=%q, keys removed=%q, validUntil changed=%t",
		c.EntityID, c.Endpoints, c.KeysAdded, c.KeysRemoved, c.ValidUntil)
	if len(c.Other) > 0 {
		other := make([]string, len(c.Other))
		for i, d := range c.Other {
			other[i] = d.String()
		}
		s += fmt.Sprintf(", other changes=%q", other)
	}
	return s
}

// Diff compares old with new as an inverse guard: with the signing keys of
// the IDPSSODescriptors removed (KeyDescriptors with no use or
// use="signing" holding one KeyInfo/X509Data/X509Certificate), the two
// documents must be equal as namespace-aware trees, or each difference is
// reported. Compared are expanded element and attribute names, attribute
// values, text (whitespace between elements excepted), processing
// instructions and the order of same-named siblings; not compared are
// prefixes and namespace declarations, attribute order, comments and the
// root's enveloped ds:Signature (which an edit drops). entityID, validUntil,
// SingleSignOnService and SingleLogoutService Binding and Location and
// NameIDFormat are reported in their own fields; signing keys as
// fingerprints. Time is linear in the size of the documents.
func Diff(old, new *Metadata) Changes {
	var c Changes
	c.EntityID = old.EntityID() != new.EntityID()
	c.ValidUntil = !old.ValidUntil().Equal(new.ValidUntil())
	c.Endpoints = append(c.Endpoints, diffEndpoints("SingleSignOnService", old.SSOServices(), new.SSOServices())...)
	c.Endpoints = append(c.Endpoints, diffEndpoints("SingleLogoutService", old.SLOServices(), new.SLOServices())...)
	c.Endpoints = append(c.Endpoints, diffStrings("NameIDFormat", old.NameIDFormats(), new.NameIDFormats())...)
	oldFP, newFP := fingerprints(old), fingerprints(new)
	for _, fp := range newFP {
		if !slices.Contains(oldFP, fp) {
			c.KeysAdded = append(c.KeysAdded, fp)
		}
	}
	for _, fp := range oldFP {
		if !slices.Contains(newFP, fp) {
			c.KeysRemoved = append(c.KeysRemoved, fp)
		}
	}
	t := treeDiff{path: []step{{name: qname(new.root.prefix, new.root.local)}}}
	t.element(old.root, new.root)
	c.Other = t.out
	return c
}

// fingerprints returns the distinct fingerprints of the plain signing keys
// of m's IDPSSODescriptors (the ones Diff leaves out of the tree
// comparison).
func fingerprints(m *Metadata) []string {
	var out []string
	for _, kd := range m.signingKeyDescriptors() {
		if fp := plainSigningKey(kd); fp != "" && !slices.Contains(out, fp) {
			out = append(out, fp)
		}
	}
	slices.Sort(out)
	return out
}

// plainSigningKey returns the fingerprint of a signing-capable
// KeyDescriptor that holds only KeyInfo/X509Data/X509Certificate with a
// certificate that parses, or "".
func plainSigningKey(kd *node) string {
	if !signingCapable(kd) {
		return ""
	}
	if xc := plainKeyDescriptor(kd); xc != nil {
		return certFingerprint(xc)
	}
	return ""
}

func diffEndpoints(kind string, old, new []Endpoint) []string {
	str := func(es []Endpoint) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.Binding + " " + e.Location
		}
		return out
	}
	return diffStrings(kind, str(old), str(new))
}

// diffStrings compares old and new as multisets: a value present more often
// in one is reported once per extra occurrence.
func diffStrings(kind string, old, new []string) []string {
	count := map[string]int{}
	for _, s := range old {
		count[s]++
	}
	for _, s := range new {
		count[s]--
	}
	var out []string
	for _, s := range old {
		if count[s] > 0 {
			count[s]--
			out = append(out, fmt.Sprintf("%s removed: %s", kind, s))
		}
	}
	for _, s := range new {
		if count[s] < 0 {
			count[s]++
			out = append(out, fmt.Sprintf("%s added: %s", kind, s))
		}
	}
	return out
}

// short quotes s, cut to a readable length.
func short(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// friendlyEndpoint reports whether el is reported by Changes.Endpoints.
func friendlyEndpoint(el *node) bool {
	if el.space != NSMetadata || !el.parent.is(NSMetadata, "IDPSSODescriptor") {
		return false
	}
	return el.local == "SingleSignOnService" || el.local == "SingleLogoutService" || el.local == "NameIDFormat"
}

// describe names an element for a difference: its qualified name and, for
// a KeyDescriptor, its use.
func describe(el *node) string {
	s := "<" + qname(el.prefix, el.local) + ">"
	if el.is(NSMetadata, "KeyDescriptor") {
		use, ok := el.lookupAttr("use")
		if !ok {
			use = "none (signing and encryption)"
		}
		s += " with use " + use
	}
	return strings.TrimSpace(s)
}
