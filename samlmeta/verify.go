package samlmeta

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha1" // registers SHA-1 for AllowSHA1
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/subtle"
	"math/big"
	"strings"
	"time"

	dsig "github.com/russellhaering/goxmldsig"
)

// MinRSABits is the shortest RSA key whose signatures the verifiers accept
// unless WithMinRSABits says otherwise.
const MinRSABits = 2048

type sigAlgorithm struct {
	hash  crypto.Hash
	ecdsa bool
}

// signatureMethods are the SignatureMethod URIs the verifier implements.
var signatureMethods = map[string]sigAlgorithm{
	dsig.RSASHA1SignatureMethod:     {crypto.SHA1, false},
	dsig.RSASHA256SignatureMethod:   {crypto.SHA256, false},
	dsig.RSASHA384SignatureMethod:   {crypto.SHA384, false},
	dsig.RSASHA512SignatureMethod:   {crypto.SHA512, false},
	dsig.ECDSASHA1SignatureMethod:   {crypto.SHA1, true},
	dsig.ECDSASHA256SignatureMethod: {crypto.SHA256, true},
	dsig.ECDSASHA384SignatureMethod: {crypto.SHA384, true},
	dsig.ECDSASHA512SignatureMethod: {crypto.SHA512, true},
}

// digestMethods are the DigestMethod URIs the verifier implements.
var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// signedInfo is what the verifier read from one ds:Signature: the same tree
// nodes are canonicalised and hashed, so the algorithms checked against
// the policy are the ones used.
type signedInfo struct {
	sig, si  *node
	siC14N   c14nMethod
	method   sigAlgorithm
	methodID string
	refC14N  c14nMethod
	digest   crypto.Hash
	digestID string
	want     []byte // DigestValue
	value    []byte // SignatureValue
}

// verifyEnveloped verifies the enveloped signature of el (a direct
// ds:Signature child whose single Reference points at el) against trusted
// and returns the certificate that verified. Everything read from el
// afterwards is covered by the digest: names are read exactly, decoys were
// refused at parse time and comments are skipped by every read.
func verifyEnveloped(el *node, trusted []*Cert, o *verifyOptions) (*Cert, error) {
	c, _, err := verifyEnvelopedMethod(el, trusted, o)
	return c, err
}

// verifyEnvelopedMethod is verifyEnveloped that also returns the
// SignatureMethod URI of the signature that verified.
func verifyEnvelopedMethod(el *node, trusted []*Cert, o *verifyOptions) (*Cert, string, error) {
	if len(trusted) == 0 {
		return nil, "", wrapf(ErrUntrustedCert, "no trusted certificates")
	}
	s, err := readSignature(el, o)
	if err != nil {
		return nil, "", err
	}
	c, err := verifySigned(el, s, trusted, o)
	return c, s.methodID, err
}

// verifySigned checks the digest and the signature value of s, read from
// el's enveloped signature.
func verifySigned(el *node, s *signedInfo, trusted []*Cert, o *verifyOptions) (*Cert, error) {
	apex := el
	if el.parent != nil && el.parent.kind == documentNode && s.si.child(NSDSig, "Reference").attr("URI") == "" {
		apex = el.parent
	}
	h := s.digest.New()
	h.Write(canonicalize(apex, s.sig, s.refC14N, nil))
	if subtle.ConstantTimeCompare(h.Sum(nil), s.want) != 1 {
		return nil, wrapf(ErrSignature, "digest of <%s> does not match its DigestValue", el.local)
	}
	h = s.method.hash.New()
	h.Write(canonicalize(s.si, nil, s.siC14N, nil))
	hashed := h.Sum(nil)

	candidates, err := candidateCerts(s.sig, trusted)
	if err != nil {
		return nil, err
	}
	var firstErr error
	for _, c := range candidates {
		err := checkKeyPolicy(c, s, o)
		if err == nil {
			err = verifyValue(c, s, hashed)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if now := o.now(); !o.ignoreValidity && !c.ValidAt(now) {
			return nil, wrapf(ErrCertValidity, "certificate %s valid %s to %s, now %s", c.SHA256,
				c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return c, nil
	}
	if firstErr == nil {
		firstErr = wrapf(ErrUntrustedCert, "no usable trusted certificate")
	}
	return nil, firstErr
}

// readSignature finds el's enveloped signature and applies the algorithm
// policy to what it declares.
func readSignature(el *node, o *verifyOptions) (*signedInfo, error) {
	sigs := el.children(NSDSig, "Signature")
	if len(sigs) == 0 {
		return nil, wrapf(ErrUnsigned, "<%s> has no enveloped signature", el.local)
	}
	if len(sigs) > 1 {
		return nil, wrapf(ErrSignature, "<%s> has %d signatures", el.local, len(sigs))
	}
	s := &signedInfo{sig: sigs[0]}
	sis := s.sig.children(NSDSig, "SignedInfo")
	if len(sis) != 1 {
		return nil, wrapf(ErrSignature, "%d SignedInfo elements", len(sis))
	}
	s.si = sis[0]
	refs := s.si.children(NSDSig, "Reference")
	if len(refs) != 1 {
		return nil, wrapf(ErrAlgorithm, "%d References, exactly one is accepted", len(refs))
	}
	ref := refs[0]
	id, uri := el.attr("ID"), ref.attr("URI")
	isRoot := el.parent != nil && el.parent.kind == documentNode
	if !(uri == "" && isRoot) && (id == "" || uri != "#"+id) {
		return nil, wrapf(ErrUnsigned, "the signature of <%s> does not reference it (ID %q, URI %q)", el.local, id, uri)
	}
	cm := s.si.child(NSDSig, "CanonicalizationMethod")
	if cm == nil {
		return nil, wrapf(ErrSignature, "SignedInfo has no CanonicalizationMethod")
	}
	var ok bool
	if s.siC14N, ok = c14nFor(cm.attr("Algorithm"), cm); !ok {
		return nil, wrapf(ErrAlgorithm, "canonicalization %q", cm.attr("Algorithm"))
	}
	sm := s.si.child(NSDSig, "SignatureMethod")
	if sm == nil {
		return nil, wrapf(ErrSignature, "SignedInfo has no SignatureMethod")
	}
	s.methodID = sm.attr("Algorithm")
	if s.method, ok = signatureMethods[s.methodID]; !ok {
		return nil, wrapf(ErrAlgorithm, "signature method %q", s.methodID)
	}
	if err := readTransforms(ref, s); err != nil {
		return nil, err
	}
	dm := ref.child(NSDSig, "DigestMethod")
	if dm == nil {
		return nil, wrapf(ErrSignature, "Reference has no DigestMethod")
	}
	s.digestID = dm.attr("Algorithm")
	if s.digest, ok = digestMethods[s.digestID]; !ok {
		return nil, wrapf(ErrAlgorithm, "digest method %q", s.digestID)
	}
	if !o.sha1Allowed() {
		for _, alg := range []string{s.methodID, s.digestID} {
			if strings.Contains(alg, "sha1") {
				return nil, wrapf(ErrSHA1, "algorithm %s", alg)
			}
		}
	}
	var err error
	if s.want, err = decodeBase64(ref.child(NSDSig, "DigestValue").text()); err != nil {
		return nil, wrapf(ErrSignature, "DigestValue: %v", err)
	}
	sv := s.sig.child(NSDSig, "SignatureValue")
	if sv == nil {
		return nil, wrapf(ErrSignature, "no SignatureValue")
	}
	if s.value, err = decodeBase64(sv.text()); err != nil {
		return nil, wrapf(ErrSignature, "SignatureValue: %v", err)
	}
	return s, nil
}

// readTransforms accepts the enveloped-signature transform and at most one
// canonicalisation, in any order; without one, inclusive C14N 1.0 applies.
func readTransforms(ref *node, s *signedInfo) error {
	enveloped, c14n := false, false
	if ts := ref.child(NSDSig, "Transforms"); ts != nil {
		for _, t := range ts.children(NSDSig, "Transform") {
			alg := t.attr("Algorithm")
			if alg == algEnvelopedSignature && !enveloped {
				enveloped = true
				continue
			}
			m, ok := c14nFor(alg, t)
			if !ok || c14n {
				return wrapf(ErrAlgorithm, "transform %q", alg)
			}
			s.refC14N, c14n = m, true
		}
	}
	if !enveloped {
		return wrapf(ErrAlgorithm, "the Reference lacks the enveloped-signature transform")
	}
	return nil
}

// candidateCerts returns the trusted certificate the KeyInfo names, or all
// trusted certificates when the KeyInfo names none.
func candidateCerts(sig *node, trusted []*Cert) ([]*Cert, error) {
	for _, ki := range sig.children(NSDSig, "KeyInfo") {
		for _, xd := range ki.children(NSDSig, "X509Data") {
			xc := xd.child(NSDSig, "X509Certificate")
			if xc == nil {
				continue
			}
			der, err := decodeBase64(xc.text())
			if err != nil {
				return nil, wrapf(ErrSignature, "KeyInfo certificate: %v", err)
			}
			for _, t := range trusted {
				if t != nil && bytes.Equal(t.DER, der) {
					return []*Cert{t}, nil
				}
			}
			return nil, wrapf(ErrUntrustedCert, "KeyInfo certificate %s is not among the %d trusted", Fingerprint(der), len(trusted))
		}
	}
	var out []*Cert
	for _, t := range trusted {
		if t != nil && t.X509 != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

// checkKeyPolicy applies the ECDSA and RSA-size policies to c.
func checkKeyPolicy(c *Cert, s *signedInfo, o *verifyOptions) error {
	switch k := c.X509.PublicKey.(type) {
	case *rsa.PublicKey:
		if s.method.ecdsa {
			return wrapf(ErrSignature, "certificate %s is RSA, the signature method %s", c.SHA256, s.methodID)
		}
		if bits := k.N.BitLen(); bits < o.minRSABits {
			return wrapf(ErrKeyPolicy, "certificate %s has a %d-bit RSA key, below the %d bits required (WithMinRSABits)", c.SHA256, bits, o.minRSABits)
		}
	case *ecdsa.PublicKey:
		if !o.allowECDSA {
			return wrapf(ErrKeyPolicy, "certificate %s has an ECDSA key; ECDSA signatures are refused unless AllowECDSA is given", c.SHA256)
		}
		if !s.method.ecdsa {
			return wrapf(ErrSignature, "certificate %s is ECDSA, the signature method %s", c.SHA256, s.methodID)
		}
	default:
		return wrapf(ErrKeyPolicy, "certificate %s has a %s key", c.SHA256, c.KeyAlgorithm)
	}
	return nil
}

func verifyValue(c *Cert, s *signedInfo, hashed []byte) error {
	switch k := c.X509.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, s.method.hash, hashed, s.value); err != nil {
			return wrapf(ErrSignature, "signature does not verify with certificate %s", c.SHA256)
		}
		return nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(s.value) != 2*size {
			return wrapf(ErrSignature, "ECDSA signature value has %d bytes, want %d", len(s.value), 2*size)
		}
		r, ss := new(big.Int).SetBytes(s.value[:size]), new(big.Int).SetBytes(s.value[size:])
		if !ecdsa.Verify(k, hashed, r, ss) {
			return wrapf(ErrSignature, "signature does not verify with certificate %s", c.SHA256)
		}
		return nil
	}
	return wrapf(ErrKeyPolicy, "unsupported key")
}
