package samlmeta

// VerifySignature verifies the enveloped signature of doc's root against
// trusted certificates and returns the one that verified. Each certificate
// is tried on its own; a KeyInfo without an X509Certificate is ignored, and
// a KeyInfo certificate that is not trusted fails with ErrUntrustedCert.
// Certificate validity is checked against the clock unless IgnoreValidity is
// given; SHA-1 is refused unless AllowSHA1 is given, ECDSA unless
// AllowECDSA is, RSA below MinRSABits unless WithMinRSABits lowers it.
// Every failure matches ErrSignature (or a parse error of Parse's kinds).
//
// To read the metadata a signature covers, use VerifyMetadata, which
// parses once and returns the verified value. Calling VerifySignature and
// then Parse on the same bytes is also safe: both run the same single
// pass, which refuses decoys, and Parse reads only what the signature
// covers (exact names, comments skipped), but it parses twice.
func VerifySignature(doc []byte, trusted []*Cert, opts ...VerifyOption) (*Cert, error) {
	o := newVerifyOptions(opts)
	d, err := parseDocument(doc, parseLimits{o.maxSize, o.maxNSDecls})
	if err != nil {
		return nil, err
	}
	return verifyEnveloped(rootOf(d), trusted, o)
}

// VerifyMetadata parses doc once, verifies its root's enveloped signature
// like VerifySignature and returns the parsed metadata with the
// certificate that verified. Everything the returned Metadata reads is
// covered by the signature: the entityID, endpoints, keys and other
// content are read by exact (namespace, local name) from the tree the
// digest was computed on, decoys are refused, and comments (which
// canonicalisation drops) are never read.
func VerifyMetadata(doc []byte, trusted []*Cert, opts ...VerifyOption) (*Metadata, *Cert, error) {
	o := newVerifyOptions(opts)
	m, err := Parse(doc, WithMaxSize(o.maxSize), WithMaxNamespaceDecls(o.maxNSDecls))
	if err != nil {
		return nil, nil, err
	}
	c, err := m.VerifySignature(trusted, opts...)
	if err != nil {
		return nil, nil, err
	}
	return m, c, nil
}

// VerifySignature verifies the root's enveloped signature of the parsed
// document, as the function VerifySignature does, without parsing again.
// An edited Metadata has no signature (edits drop it) and fails with
// ErrUnsigned.
func (m *Metadata) VerifySignature(trusted []*Cert, opts ...VerifyOption) (*Cert, error) {
	return verifyEnveloped(m.root, trusted, newVerifyOptions(opts))
}
