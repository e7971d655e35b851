package samlmeta

import (
	"fmt"
	"slices"
)

// Changes lists what differs between two metadata documents, with key
// changes kept apart from everything a relying party would see as a
// different identity provider.
type Changes struct {
	// EntityID is true when the entityID differs.
	EntityID bool
	// Endpoints describes, one line each, SingleSignOnService,
	// SingleLogoutService and NameIDFormat differences.
	Endpoints []string
	// KeysAdded and KeysRemoved are SHA-256 fingerprints of signing
	// certificates present only in the new, respectively the old, document.
	KeysAdded, KeysRemoved []string
	// ValidUntil is true when validUntil differs. It is reported but does
	// not count against OnlyKeys: every metadata download from Salesforce
	// carries a fresh validUntil.
	ValidUntil bool
}

// OnlyKeys reports whether entityID, endpoints and NameIDFormats are all
// unchanged, so that at most signing keys (and validUntil) differ.
func (c Changes) OnlyKeys() bool { return !c.EntityID && len(c.Endpoints) == 0 }

// Empty reports whether nothing differs at all.
func (c Changes) Empty() bool {
	return c.OnlyKeys() && !c.ValidUntil && len(c.KeysAdded) == 0 && len(c.KeysRemoved) == 0
}

// String summarises the changes on one line.
func (c Changes) String() string {
	if c.Empty() {
		return "no changes"
	}
	return fmt.Sprintf("entityID changed=%t, endpoint changes=%q, keys added=%q, keys removed=%q, validUntil changed=%t",
		c.EntityID, c.Endpoints, c.KeysAdded, c.KeysRemoved, c.ValidUntil)
}

// Diff compares old with new. Certificates that cannot be parsed count as
// absent; validate each document first when that matters.
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
	return c
}

func fingerprints(m *Metadata) []string {
	var out []string
	for _, kd := range m.signingKeyDescriptors() {
		for _, xc := range x509CertElements(kd) {
			if fp := certFingerprint(xc); fp != "" && !slices.Contains(out, fp) {
				out = append(out, fp)
			}
		}
	}
	return out
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

func diffStrings(kind string, old, new []string) []string {
	var out []string
	for _, s := range old {
		if !slices.Contains(new, s) {
			out = append(out, fmt.Sprintf("%s removed: %s", kind, s))
		}
	}
	for _, s := range new {
		if !slices.Contains(old, s) {
			out = append(out, fmt.Sprintf("%s added: %s", kind, s))
		}
	}
	return out
}
