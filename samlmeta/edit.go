package samlmeta

// AddSigningCertificate adds c as a KeyDescriptor use="signing" to every
// IDPSSODescriptor that does not already hold it (by SHA-256 fingerprint,
// in a KeyDescriptor whose only content is KeyInfo/X509Data/
// X509Certificate); it is a no-op when all do. The new KeyDescriptor
// follows the last such signing KeyDescriptor and copies its layout and
// prefixes.
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
		markDirty(idp)
		insertKeyDescriptor(idp, c)
	}
	return nil
}

// RemoveSigningCertificate removes every signing-capable KeyDescriptor that
// holds the certificate with the given SHA-256 fingerprint (any case, ':'
// optional). It returns ErrCertNotFound when no IDPSSODescriptor holds it
// and ErrNoSigningKey when removing it would leave an IDPSSODescriptor
// without signing keys; the document is unchanged on error.
func (m *Metadata) RemoveSigningCertificate(sha256 string) error {
	fp := NormalizeFingerprint(sha256)
	var hits []*node
	for _, idp := range m.idpDescriptors() {
		kds := signingKDs(idp)
		n := 0
		for _, kd := range kds {
			if kdHolds(kd, fp) {
				hits = append(hits, kd)
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
	for _, kd := range hits {
		markDirty(kd.parent)
		kd.unlinkWithIndent()
	}
	return nil
}

// SetSigningCertificates makes certs the exact set of signing-capable keys
// of the document: missing certificates are added to every
// IDPSSODescriptor (in the given order, after the last signing key), and
// every other signing-capable KeyDescriptor of every role descriptor is
// removed, including one that holds a wanted certificate in another shape
// than KeyInfo/X509Data/X509Certificate or beside other key material.
// Keys kept keep their place.
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
	if len(m.idpDescriptors()) == 0 {
		return wrapf(ErrNotMetadata, "no IDPSSODescriptor")
	}
	for _, c := range certs {
		if err := m.AddSigningCertificate(c); err != nil {
			return err
		}
	}
	for _, rd := range m.roleDescriptors() {
		isIDP := rd.is(NSMetadata, "IDPSSODescriptor")
		kept := map[string]bool{}
		for _, kd := range signingKDs(rd) {
			fp := ""
			if xc := plainKeyDescriptor(kd); xc != nil && isIDP {
				fp = certFingerprint(xc)
			}
			if want[fp] && !kept[fp] {
				kept[fp] = true
				continue
			}
			m.markEdited()
			markDirty(rd)
			kd.unlinkWithIndent()
		}
	}
	return nil
}

// markEdited records an edit and drops the root's enveloped signature.
func (m *Metadata) markEdited() {
	if m.edited {
		return
	}
	m.edited = true
	for _, sig := range m.root.children(NSDSig, "Signature") {
		markDirty(m.root)
		sig.unlinkWithIndent()
	}
}

// hasSigningCert reports whether idp holds fp in a plain signing
// KeyDescriptor.
func hasSigningCert(idp *node, fp string) bool {
	for _, kd := range signingKDs(idp) {
		if xc := plainKeyDescriptor(kd); xc != nil && certFingerprint(xc) == fp {
			return true
		}
	}
	return false
}

func kdHolds(kd *node, fp string) bool {
	for _, xc := range x509CertElements(kd) {
		if certFingerprint(xc) == fp {
			return true
		}
	}
	return false
}

// insertKeyDescriptor inserts a signing KeyDescriptor for c into idp.
func insertKeyDescriptor(idp *node, c *Cert) {
	kds := idp.children(NSMetadata, "KeyDescriptor")
	var tmpl *node
	for _, kd := range signingKDs(idp) {
		if plainKeyDescriptor(kd) != nil {
			tmpl = kd
		}
	}
	kd := newKeyDescriptor(idp, tmpl, c)
	if len(kds) > 0 {
		after := kds[len(kds)-1]
		if tmpl != nil {
			after = tmpl
		}
		idp.insertAfter(after, kd)
		if ws := indentBefore(after); ws != "" {
			idp.insertAfter(after, newText(ws))
		}
		return
	}
	// No KeyDescriptor yet: KeyDescriptors follow Signature and Extensions.
	for el := range idp.elements {
		if el.is(NSDSig, "Signature") || el.is(NSMetadata, "Extensions") {
			continue
		}
		idp.insertAfter(el.prev, kd)
		if ws := indentBefore(kd); ws != "" {
			idp.insertAfter(kd, newText(ws))
		}
		return
	}
	idp.appendChild(kd)
}

func newText(s string) *node { return &node{kind: textNode, data: s, start: -1} }

func newElement(prefix, local, space string) *node {
	return &node{kind: elementNode, prefix: prefix, local: local, space: space, start: -1}
}

// newKeyDescriptor copies tmpl, keeping its layout and prefixes, or builds
// a fresh element when there is no template.
func newKeyDescriptor(idp, tmpl *node, c *Cert) *node {
	if tmpl != nil {
		kd := tmpl.clone()
		kd.forget()
		kd.setAttr("use", "signing")
		xc := plainKeyDescriptor(kd)
		xc.first, xc.last = nil, nil
		xc.appendChild(newText(c.Base64()))
		return kd
	}
	kd := newElement(idp.prefix, "KeyDescriptor", NSMetadata)
	kd.setAttr("use", "signing")
	dsPrefix, declared := idp.lookupPrefix(NSDSig)
	if !declared {
		dsPrefix = "ds"
	}
	ki := newElement(dsPrefix, "KeyInfo", NSDSig)
	if !declared {
		ki.ns = []nsDecl{{prefix: "ds", uri: NSDSig}}
	}
	xd := newElement(dsPrefix, "X509Data", NSDSig)
	xc := newElement(dsPrefix, "X509Certificate", NSDSig)
	xc.appendChild(newText(c.Base64()))
	xd.appendChild(xc)
	ki.appendChild(xd)
	kd.appendChild(ki)
	return kd
}

// indentBefore returns the whitespace-only text directly before el.
func indentBefore(el *node) string {
	if el.prev.isSpace() {
		return el.prev.data
	}
	return ""
}
