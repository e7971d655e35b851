package samlmeta

import "strings"

// KeyDescriptor classification. A KeyDescriptor of a role descriptor is
// signing-capable when its use is absent or exactly "signing" (the metadata
// schema's default is "both"), an encryption key when its use is exactly
// "encryption"; Parse refuses every other value (ErrKeyUse), so no reader
// can classify it differently.

// roleDescriptors returns the root's md children that may hold
// KeyDescriptors (IDPSSODescriptor, SPSSODescriptor, RoleDescriptor,
// AttributeAuthorityDescriptor, AffiliationDescriptor, ...).
func (m *Metadata) roleDescriptors() []*node {
	var out []*node
	for c := range m.root.elements {
		if c.space == NSMetadata && strings.HasSuffix(c.local, "Descriptor") {
			out = append(out, c)
		}
	}
	return out
}

func (m *Metadata) classifyKeys() error {
	for _, rd := range m.roleDescriptors() {
		for _, kd := range rd.children(NSMetadata, "KeyDescriptor") {
			if use, ok := kd.lookupAttr("use"); ok && use != "signing" && use != "encryption" {
				return wrapf(ErrKeyUse, "<%s> has a KeyDescriptor with use=%q", rd.local, use)
			}
		}
	}
	return nil
}

// signingCapable reports whether kd may be used to verify signatures.
func signingCapable(kd *node) bool {
	use, ok := kd.lookupAttr("use")
	return !ok || use == "signing"
}

// signingKDs returns the signing-capable KeyDescriptors of rd.
func signingKDs(rd *node) []*node {
	var out []*node
	for _, kd := range rd.children(NSMetadata, "KeyDescriptor") {
		if signingCapable(kd) {
			out = append(out, kd)
		}
	}
	return out
}

func (m *Metadata) signingKeyDescriptors() []*node {
	var out []*node
	for _, idp := range m.idpDescriptors() {
		out = append(out, signingKDs(idp)...)
	}
	return out
}

// allKeyDescriptors counts every KeyDescriptor in any role descriptor.
func (m *Metadata) allKeyDescriptors() int {
	n := 0
	for _, rd := range m.roleDescriptors() {
		n += len(rd.children(NSMetadata, "KeyDescriptor"))
	}
	return n
}

// x509CertElements returns every X509Certificate of kd's KeyInfos.
func x509CertElements(kd *node) []*node {
	var out []*node
	for _, ki := range kd.children(NSDSig, "KeyInfo") {
		for _, xd := range ki.children(NSDSig, "X509Data") {
			out = append(out, xd.children(NSDSig, "X509Certificate")...)
		}
	}
	return out
}

// onlyChild returns el's single element child when it is {space}local and
// everything else inside el is whitespace or comments; nil otherwise.
func onlyChild(el *node, space, local string) *node {
	var found *node
	for c := el.first; c != nil; c = c.next {
		switch {
		case c.kind == elementNode:
			if found != nil || !c.is(space, local) {
				return nil
			}
			found = c
		case c.kind == commentNode, c.isSpace():
		default:
			return nil
		}
	}
	return found
}

// plainCert returns the X509Certificate of a KeyInfo that holds exactly one
// X509Data holding exactly one X509Certificate, or nil.
func plainCert(ki *node) *node {
	if ki == nil {
		return nil
	}
	if xd := onlyChild(ki, NSDSig, "X509Data"); xd != nil {
		return onlyChild(xd, NSDSig, "X509Certificate")
	}
	return nil
}

// plainKeyDescriptor returns the X509Certificate of a KeyDescriptor whose
// only content is KeyInfo/X509Data/X509Certificate, or nil.
func plainKeyDescriptor(kd *node) *node { return plainCert(onlyChild(kd, NSDSig, "KeyInfo")) }

// iamKeyInfo checks IAM's shape for a KeyDescriptor: one KeyInfo holding
// one X509Data holding one X509Certificate (other KeyDescriptor children,
// such as EncryptionMethod, are allowed).
func iamKeyInfo(kd *node) (*node, bool) {
	kis := kd.children(NSDSig, "KeyInfo")
	if len(kis) != 1 {
		return nil, false
	}
	xc := plainCert(kis[0])
	return xc, xc != nil
}

// SigningCertificates returns the distinct certificates of every
// signing-capable KeyDescriptor (use="signing" or no use) of every
// IDPSSODescriptor, in document order. It fails if one of them cannot be
// parsed.
func (m *Metadata) SigningCertificates() ([]*Cert, error) {
	var out []*Cert
	seen := map[string]bool{}
	for _, kd := range m.signingKeyDescriptors() {
		for _, xc := range x509CertElements(kd) {
			c, err := ParseCertBase64(xc.text())
			if err != nil {
				return nil, err
			}
			if !seen[c.SHA256] {
				seen[c.SHA256] = true
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// certFingerprint returns the SHA-256 fingerprint of an X509Certificate
// element, or "" when it does not decode.
func certFingerprint(xc *node) string {
	der, err := decodeBase64(xc.text())
	if err != nil || len(der) == 0 {
		return ""
	}
	if _, err := ParseCertDER(der); err != nil {
		return ""
	}
	return Fingerprint(der)
}
