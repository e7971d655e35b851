package samlmeta

import (
	"strings"

	"github.com/beevik/etree"
)

// AddSigningCertificate adds c as a KeyDescriptor use="signing" to every
// IDPSSODescriptor that does not already hold it (by SHA-256 fingerprint);
// it is a no-op when all do. The new KeyDescriptor follows the last signing
// KeyDescriptor and copies its layout and prefixes.
//
// Any edit removes the root's enveloped ds:Signature, which can no longer
// verify; call Sign again if the document must be signed.
func (m *Metadata) AddSigningCertificate(c *Cert) error {
	if c == nil || len(c.DER) == 0 {
		return wrapf(ErrInvalidSpec, "nil certificate")
	}
	idps := m.idpDescriptors()
	if len(idps) == 0 {
		return wrapf(ErrNotMetadata, "no IDPSSODescriptor")
	}
	for _, idp := range idps {
		if hasSigningCert(idp, c.SHA256) {
			continue
		}
		m.markEdited()
		m.markDirty(idp)
		insertKeyDescriptor(idp, c)
	}
	return nil
}

// RemoveSigningCertificate removes every signing KeyDescriptor that holds the
// certificate with the given SHA-256 fingerprint (any case, ':' optional).
// It returns ErrCertNotFound when no IDPSSODescriptor holds it and
// ErrNoSigningKey when removing it would leave an IDPSSODescriptor without
// signing keys; the document is unchanged on error.
func (m *Metadata) RemoveSigningCertificate(sha256 string) error {
	fp := NormalizeFingerprint(sha256)
	type hit struct{ idp, kd *etree.Element }
	var hits []hit
	for _, idp := range m.idpDescriptors() {
		kds := signingKDs(idp)
		n := 0
		for _, kd := range kds {
			if kdHolds(kd, fp) {
				hits = append(hits, hit{idp, kd})
				n++
			}
		}
		if n > 0 && n == len(kds) {
			return wrapf(ErrNoSigningKey, "removing %s would leave no signing key", fp)
		}
	}
	if len(hits) == 0 {
		return wrapf(ErrCertNotFound, "no signing key with SHA-256 %s", fp)
	}
	m.markEdited()
	for _, h := range hits {
		m.markDirty(h.idp)
		removeWithIndent(h.idp, h.kd)
	}
	return nil
}

// SetSigningCertificates makes certs the exact set of signing certificates
// of every IDPSSODescriptor: missing ones are added (in the given order,
// after the last signing key) and others removed. Keys kept keep their place.
func (m *Metadata) SetSigningCertificates(certs ...*Cert) error {
	if len(certs) == 0 {
		return wrapf(ErrNoSigningKey, "at least one signing certificate is required")
	}
	want := map[string]bool{}
	for _, c := range certs {
		if c == nil || len(c.DER) == 0 {
			return wrapf(ErrInvalidSpec, "nil certificate")
		}
		want[c.SHA256] = true
	}
	for _, c := range certs {
		if err := m.AddSigningCertificate(c); err != nil {
			return err
		}
	}
	for _, idp := range m.idpDescriptors() {
		for _, kd := range signingKDs(idp) {
			keep := false
			for _, xc := range x509CertElements(kd) {
				if want[certFingerprint(xc)] {
					keep = true
				}
			}
			if !keep {
				m.markEdited()
				m.markDirty(idp)
				removeWithIndent(idp, kd)
			}
		}
	}
	return nil
}

// markEdited records an edit and drops the root's enveloped signature.
func (m *Metadata) markEdited() {
	if m.edited {
		return
	}
	m.spans = buildSpans(m.orig, m.doc)
	m.edited = true
	for _, sig := range childrenNS(m.root, NSDSig, "Signature") {
		m.markDirty(m.root)
		removeWithIndent(m.root, sig)
	}
}

func hasSigningCert(idp *etree.Element, fp string) bool {
	for _, kd := range signingKDs(idp) {
		if kdHolds(kd, fp) {
			return true
		}
	}
	return false
}

func kdHolds(kd *etree.Element, fp string) bool {
	for _, xc := range x509CertElements(kd) {
		if certFingerprint(xc) == fp {
			return true
		}
	}
	return false
}

// certFingerprint returns the SHA-256 fingerprint of an X509Certificate
// element, or "" when it does not decode.
func certFingerprint(xc *etree.Element) string {
	c, err := ParseCertBase64(charData(xc))
	if err != nil {
		return ""
	}
	return c.SHA256
}

// insertKeyDescriptor inserts a signing KeyDescriptor for c into idp.
func insertKeyDescriptor(idp *etree.Element, c *Cert) {
	kds := childrenNS(idp, NSMetadata, "KeyDescriptor")
	signing := signingKDs(idp)
	var tmpl *etree.Element
	if len(signing) > 0 {
		tmpl = signing[len(signing)-1]
	}
	kd := newKeyDescriptor(idp, tmpl, c)
	if len(kds) > 0 {
		after := kds[len(kds)-1]
		if tmpl != nil {
			after = tmpl
		}
		i := after.Index()
		idp.InsertChildAt(i+1, kd)
		if ws := indentBefore(idp, after); ws != "" {
			idp.InsertChildAt(i+1, etree.NewText(ws))
		}
		return
	}
	// No KeyDescriptor yet: KeyDescriptors follow Signature and Extensions.
	for _, el := range idp.ChildElements() {
		if el.Tag == "Signature" || el.Tag == "Extensions" {
			continue
		}
		i := el.Index()
		ws := indentBefore(idp, el)
		if ws != "" {
			idp.InsertChildAt(i, etree.NewText(ws))
		}
		idp.InsertChildAt(i, kd)
		return
	}
	idp.AddChild(kd)
}

// newKeyDescriptor copies tmpl when it has the plain
// KeyInfo/X509Data/X509Certificate shape, keeping its layout and prefixes,
// and builds a fresh element otherwise.
func newKeyDescriptor(idp, tmpl *etree.Element, c *Cert) *etree.Element {
	if tmpl != nil && plainKeyDescriptor(tmpl) {
		kd := tmpl.Copy()
		kd.CreateAttr("use", "signing")
		// Plain shape: KeyInfo/X509Data/X509Certificate, one element each.
		// The copy is detached, so walk it without namespace lookups.
		xc := kd.ChildElements()[0].ChildElements()[0].ChildElements()[0]
		xc.SetText(c.Base64())
		return kd
	}
	kd := etree.NewElement(qualify(idp.Space, "KeyDescriptor"))
	kd.CreateAttr("use", "signing")
	dsPrefix, declared := prefixFor(idp, NSDSig)
	ki := kd.CreateElement(qualify(dsPrefix, "KeyInfo"))
	if !declared {
		dsPrefix = "ds"
		ki.Space = dsPrefix
		ki.CreateAttr("xmlns:ds", NSDSig)
	}
	xd := ki.CreateElement(qualify(dsPrefix, "X509Data"))
	xd.CreateElement(qualify(dsPrefix, "X509Certificate")).SetText(c.Base64())
	return kd
}

// plainKeyDescriptor reports whether kd holds exactly one KeyInfo with one
// X509Data with one X509Certificate and nothing else but whitespace.
func plainKeyDescriptor(kd *etree.Element) bool {
	onlyChild := func(el *etree.Element, ns, tag string) *etree.Element {
		var found *etree.Element
		for _, t := range el.Child {
			switch v := t.(type) {
			case *etree.Element:
				if found != nil || v.Tag != tag || v.NamespaceURI() != ns {
					return nil
				}
				found = v
			case *etree.CharData:
				if strings.TrimSpace(v.Data) != "" {
					return nil
				}
			default:
				return nil
			}
		}
		return found
	}
	ki := onlyChild(kd, NSDSig, "KeyInfo")
	if ki == nil {
		return false
	}
	xd := onlyChild(ki, NSDSig, "X509Data")
	if xd == nil {
		return false
	}
	return onlyChild(xd, NSDSig, "X509Certificate") != nil
}

// prefixFor finds a prefix bound to ns in scope at el.
func prefixFor(el *etree.Element, ns string) (prefix string, ok bool) {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if a.Space == "xmlns" && a.Value == ns {
				return a.Key, true
			}
			if a.Space == "" && a.Key == "xmlns" && a.Value == ns {
				return "", true
			}
		}
	}
	return "", false
}

func qualify(prefix, tag string) string {
	if prefix == "" {
		return tag
	}
	return prefix + ":" + tag
}

// indentBefore returns the whitespace-only text directly before el.
func indentBefore(parent, el *etree.Element) string {
	i := el.Index()
	if i <= 0 {
		return ""
	}
	if cd, ok := parent.Child[i-1].(*etree.CharData); ok && strings.TrimSpace(cd.Data) == "" && !cd.IsCData() {
		return cd.Data
	}
	return ""
}

// removeWithIndent removes el and the whitespace text that precedes it.
func removeWithIndent(parent, el *etree.Element) {
	i := el.Index()
	parent.RemoveChildAt(i)
	if i > 0 {
		if cd, ok := parent.Child[i-1].(*etree.CharData); ok && strings.TrimSpace(cd.Data) == "" && !cd.IsCData() {
			parent.RemoveChildAt(i - 1)
		}
	}
}
