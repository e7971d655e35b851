package samlmeta

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Sign adds an enveloped XML signature to the root of doc (metadata or any
// other XML with a single root) and returns the signed document. The
// signature is the root's first child (as the metadata schema requires),
// uses exclusive C14N and rsa-sha256, references the root's ID (an ID
// derived from the document's digest is added when the root has none) and
// carries cert in its KeyInfo. An existing enveloped signature of the root is
// replaced. key must be an RSA key matching cert (ErrUnsupportedKey
// otherwise): goxmldsig's ECDSA signatures do not interoperate.
func Sign(doc []byte, key crypto.Signer, cert *Cert) ([]byte, error) {
	d, err := parseXML(doc, DefaultMaxSize)
	if err != nil {
		return nil, err
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
	ctx, err := newSigningContext(key, cert)
	if err != nil {
		return err
	}
	for _, old := range childrenNS(el, NSDSig, "Signature") {
		removeWithIndent(el, old)
	}
	if el.SelectAttrValue("ID", "") == "" {
		el.CreateAttr("ID", derivedID(el))
	}
	sig, err := ctx.ConstructSignature(el, true)
	if err != nil {
		return sigErr(err)
	}
	if at > len(el.Child) {
		at = len(el.Child)
	}
	el.InsertChildAt(at, sig)
	return nil
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
// the namespace declarations in scope at its place. goxmldsig's exclusive
// canonicaliser rewrites the element it is given in place and ignores
// declarations on ancestors; signing through this wrapper leaves the
// document as written and signs an element nested in another correctly.
type detachingCanonicalizer struct{ inner dsig.Canonicalizer }

func (c detachingCanonicalizer) Canonicalize(el *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return c.inner.Canonicalize(detached)
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

// VerifyOption configures VerifySignature and VerifyResponse.
type VerifyOption func(*verifyOptions)

type verifyOptions struct {
	allowSHA1      bool
	ignoreValidity bool
	now            func() time.Time
	skew           time.Duration
	audience       string
	maxSize        int
}

// DefaultClockSkew is the tolerance applied to a Response's time conditions.
const DefaultClockSkew = 3 * time.Minute

func newVerifyOptions(opts []VerifyOption) *verifyOptions {
	o := &verifyOptions{now: time.Now, skew: DefaultClockSkew, maxSize: DefaultMaxSize}
	for _, fn := range opts {
		fn(o)
	}
	return o
}

// AllowSHA1 accepts rsa-sha1 signatures and sha1 digests, which are refused
// with ErrSHA1 by default.
func AllowSHA1() VerifyOption { return func(o *verifyOptions) { o.allowSHA1 = true } }

// IgnoreValidity accepts a trusted certificate outside its validity period,
// as SAML metadata practice does (the key is trusted, not the dates).
func IgnoreValidity() VerifyOption { return func(o *verifyOptions) { o.ignoreValidity = true } }

// WithClock sets the clock used for certificate validity and a Response's
// time conditions (default time.Now).
func WithClock(now func() time.Time) VerifyOption {
	return func(o *verifyOptions) {
		if now != nil {
			o.now = now
		}
	}
}

// WithClockSkew sets the tolerance for a Response's NotBefore and
// NotOnOrAfter (default DefaultClockSkew).
func WithClockSkew(d time.Duration) VerifyOption {
	return func(o *verifyOptions) {
		if d >= 0 {
			o.skew = d
		}
	}
}

// WithAudience makes VerifyResponse require this audience in the
// Assertion's AudienceRestriction.
func WithAudience(aud string) VerifyOption { return func(o *verifyOptions) { o.audience = aud } }

// WithMaxResponseSize sets the largest Response VerifyResponse accepts, in
// bytes after base64 decoding (default DefaultMaxSize).
func WithMaxResponseSize(n int) VerifyOption {
	return func(o *verifyOptions) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// VerifySignature verifies the enveloped signature of doc's root against
// trusted certificates and returns the one that verified. Each certificate
// is tried on its own; a KeyInfo without an X509Certificate is ignored, and
// a KeyInfo certificate that is not trusted fails with ErrUntrustedCert.
// Certificate validity is checked against the clock unless IgnoreValidity is
// given; SHA-1 is refused unless AllowSHA1 is given. Every failure matches
// ErrSignature (or a parse error of Parse's kinds).
func VerifySignature(doc []byte, trusted []*Cert, opts ...VerifyOption) (*Cert, error) {
	o := newVerifyOptions(opts)
	d, err := parseXML(doc, o.maxSize)
	if err != nil {
		return nil, err
	}
	_, c, err := verifyElement(d.Root(), trusted, o)
	return c, err
}

// VerifyMetadata verifies doc's signature like VerifySignature and returns
// the metadata rebuilt from what the signature covers (the canonical bytes
// that were digested, without the signature), so that nothing unsigned can
// be read from it, together with the certificate that verified.
func VerifyMetadata(doc []byte, trusted []*Cert, opts ...VerifyOption) (*Metadata, *Cert, error) {
	o := newVerifyOptions(opts)
	d, err := parseXML(doc, o.maxSize)
	if err != nil {
		return nil, nil, err
	}
	verified, c, err := verifyElement(d.Root(), trusted, o)
	if err != nil {
		return nil, nil, err
	}
	vd := etree.NewDocument()
	vd.SetRoot(verified)
	b, err := vd.WriteToBytes()
	if err != nil {
		return nil, nil, err
	}
	m, err := Parse(b, WithMaxSize(o.maxSize))
	if err != nil {
		return nil, nil, err
	}
	return m, c, nil
}
