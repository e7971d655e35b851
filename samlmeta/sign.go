package samlmeta

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Sign adds an enveloped XML signature to the root of doc (metadata or any
// other XML with a single root) and returns the signed document. The
// signature is the root's first child (as the metadata schema requires),
// uses exclusive C14N and rsa-sha256, references the root's ID (an ID
// derived from the document's digest is added when the root has none) and
// carries cert in its KeyInfo. An existing enveloped signature of the root is
// replaced. key must be an RSA key matching cert (ErrUnsupportedKey
// otherwise).
//
// The document first goes through Parse's single pass (so that it is
// refused for the same reasons), then through etree, on which the
// signature is built and inserted: signing is not on a hot path. Signed
// documents verify with xmlsec1 (see the interop tests).
func Sign(doc []byte, key crypto.Signer, cert *Cert) ([]byte, error) {
	if _, err := parseDocument(doc, parseLimits{DefaultMaxSize, DefaultMaxNamespaceDecls}); err != nil {
		return nil, err
	}
	d := etree.NewDocument()
	d.ReadSettings = etree.ReadSettings{PreserveCData: true, MaxDepth: maxDepth}
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, wrapf(ErrMalformed, "%v", err)
	}
	root := d.Root()
	if err := signElement(root, 0, key, cert); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// signElement signs el in place, inserting the Signature as child number
// at (counted in tokens) after removing any existing enveloped signature.
func signElement(el *etree.Element, at int, key crypto.Signer, cert *Cert) error {
	return signEnveloped(el, at, key, cert, signProfile{alg: SigningSHA256})
}

func newSigningContext(key crypto.Signer, cert *Cert) (*dsig.SigningContext, error) {
	if key == nil || cert == nil || cert.X509 == nil {
		return nil, wrapf(ErrInvalidSpec, "signing needs a key and its certificate")
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return nil, wrapf(ErrUnsupportedKey, "signing key is %T, only RSA keys are supported", key.Public())
	}
	if !pub.Equal(cert.X509.PublicKey) {
		return nil, wrapf(ErrInvalidSpec, "signing key does not match certificate %s", cert.SHA256)
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{cert.DER})
	if err != nil {
		return nil, wrapf(ErrInvalidSpec, "%v", err)
	}
	ctx.Canonicalizer = detachingCanonicalizer{dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")}
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		return nil, wrapf(ErrUnsupportedKey, "%v", err)
	}
	return ctx, nil
}

// detachingCanonicalizer canonicalises a detached copy of the element, with
// the namespace declarations in scope at its place, leaving the document as
// written. goxmldsig's own exclusive canonicaliser rewrites the element it
// is given in place, ignores declarations on ancestors and stops after
// 1000 elements (its traversal limit); this one writes the detached copy
// out and canonicalises it with the verifier's exclusive C14N, so that
// what is signed is exactly what VerifySignature recomputes. That costs a
// serialisation and a parse per signed element, on the signing side only.
type detachingCanonicalizer struct{ inner dsig.Canonicalizer }

func (c detachingCanonicalizer) Canonicalize(el *etree.Element) ([]byte, error) {
	return canonicalDetached(el, c14nMethod{exclusive: true})
}

// canonicalDetached canonicalises a detached copy of el that carries the
// namespace declarations in scope at el's place.
func canonicalDetached(el *etree.Element, m c14nMethod) ([]byte, error) {
	detached := el.Copy()
	declared := map[string]bool{}
	for _, a := range detached.Attr {
		if a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns" {
			declared[a.Key] = true
		}
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			if (a.Space == "xmlns" || a.Space == "" && a.Key == "xmlns") && !declared[a.Key] {
				declared[a.Key] = true
				detached.Attr = append(detached.Attr, a)
			}
		}
	}
	d := etree.NewDocument()
	d.SetRoot(detached)
	b, err := d.WriteToBytes()
	if err != nil {
		return nil, err
	}
	doc, err := parseDocument(b, parseLimits{maxSize: max(len(b), DefaultMaxSize), maxNSDecls: DefaultMaxNamespaceDecls})
	if err != nil {
		return nil, err
	}
	return canonicalize(rootOf(doc), nil, m, nil), nil
}

func (c detachingCanonicalizer) Algorithm() dsig.AlgorithmID { return c.inner.Algorithm() }

// derivedID returns an xs:ID derived from el's content, so that signing the
// same document twice gives the same output.
func derivedID(el *etree.Element) string {
	d := etree.NewDocument()
	d.SetRoot(el.Copy())
	b, _ := d.WriteToBytes()
	sum := sha256.Sum256(b)
	return "_" + hex.EncodeToString(sum[:16])
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
