package samlmeta

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// sha1Algorithms are the SHA-1 SignatureMethod and DigestMethod URIs.
var sha1Algorithms = map[string]bool{
	dsig.RSASHA1SignatureMethod:                   true,
	dsig.ECDSASHA1SignatureMethod:                 true,
	"http://www.w3.org/2000/09/xmldsig#sha1":      true,
	"http://www.w3.org/2000/09/xmldsig#dsa-sha1":  true,
	"http://www.w3.org/2000/09/xmldsig#hmac-sha1": true,
}

// verifyElement verifies el's enveloped signature (a direct ds:Signature
// child referencing el) against trusted and returns the element goxmldsig
// verified (re-parsed from the digested canonical bytes, signature removed)
// with the certificate that matched. Only the returned element may be read.
func verifyElement(el *etree.Element, trusted []*Cert, o *verifyOptions) (*etree.Element, *Cert, error) {
	if len(trusted) == 0 {
		return nil, nil, wrapf(ErrUntrustedCert, "no trusted certificates")
	}
	sig, err := envelopedSignature(el)
	if err != nil {
		return nil, nil, err
	}
	if !o.allowSHA1 {
		if err := rejectSHA1(el); err != nil {
			return nil, nil, err
		}
	}
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, nil, sigErr(err)
	}
	// A detached copy carries the in-scope namespace declarations, so that
	// an element signed inside a larger document canonicalises correctly.
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, nil, sigErr(err)
	}
	candidates := trusted
	if kc, present, err := keyInfoCert(sig); err != nil {
		return nil, nil, err
	} else if present {
		candidates = nil
		for _, t := range trusted {
			if t != nil && t.X509 != nil && t.X509.Equal(kc) {
				candidates = append(candidates, t)
				break
			}
		}
		if len(candidates) == 0 {
			return nil, nil, wrapf(ErrUntrustedCert, "KeyInfo certificate %s is not among the %d trusted", Fingerprint(kc.Raw), len(trusted))
		}
	} else {
		// A KeyInfo without a certificate would make goxmldsig fail.
		sigCopy := detached.Child[sig.Index()].(*etree.Element)
		for _, ki := range childrenNS(sigCopy, NSDSig, "KeyInfo") {
			sigCopy.RemoveChild(ki)
		}
	}
	now := o.now()
	var firstErr error
	for _, c := range candidates {
		if c == nil || c.X509 == nil {
			continue
		}
		validated, err := validateWith(detached, c.X509)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !o.ignoreValidity && !c.ValidAt(now) {
			return nil, nil, wrapf(ErrCertValidity, "certificate %s valid %s to %s, now %s", c.SHA256,
				c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		return validated, c, nil
	}
	if firstErr == nil {
		firstErr = wrapf(ErrUntrustedCert, "no usable trusted certificate")
	}
	return nil, nil, firstErr
}

// validateWith runs goxmldsig with a single root whose validity period is
// widened (validity is checked by the caller against its own clock).
func validateWith(el *etree.Element, cert *x509.Certificate) (*etree.Element, error) {
	wide := *cert
	wide.NotBefore = time.Unix(0, 0).UTC()
	wide.NotAfter = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{&wide}})
	ctx.Clock = dsig.NewFakeClockAt(time.Now())
	v, err := ctx.Validate(el)
	if err != nil {
		if errors.Is(err, dsig.ErrMissingSignature) {
			return nil, wrapf(ErrUnsigned, "%v", err)
		}
		return nil, sigErr(err)
	}
	return v, nil
}

// envelopedSignature returns the single ds:Signature child of el whose
// Reference points at el (URI "" or "#"+ID).
func envelopedSignature(el *etree.Element) (*etree.Element, error) {
	sigs := childrenNS(el, NSDSig, "Signature")
	if len(sigs) == 0 {
		return nil, wrapf(ErrUnsigned, "<%s> has no enveloped signature", el.Tag)
	}
	if len(sigs) > 1 {
		return nil, wrapf(ErrSignature, "<%s> has %d signatures", el.Tag, len(sigs))
	}
	sig := sigs[0]
	id := el.SelectAttrValue("ID", "")
	for _, si := range childrenNS(sig, NSDSig, "SignedInfo") {
		for _, ref := range childrenNS(si, NSDSig, "Reference") {
			uri := ref.SelectAttrValue("URI", "")
			if uri == "" || (id != "" && uri == "#"+id) {
				return sig, nil
			}
		}
	}
	return nil, wrapf(ErrUnsigned, "the signature of <%s> does not reference it (ID %q)", el.Tag, id)
}

// keyInfoCert returns the first X509Certificate of sig's KeyInfo.
func keyInfoCert(sig *etree.Element) (*x509.Certificate, bool, error) {
	for _, ki := range childrenNS(sig, NSDSig, "KeyInfo") {
		for _, xd := range childrenNS(ki, NSDSig, "X509Data") {
			xc := childNS(xd, NSDSig, "X509Certificate")
			if xc == nil {
				continue
			}
			c, err := ParseCertBase64(charData(xc))
			if err != nil {
				return nil, true, wrapf(ErrSignature, "KeyInfo certificate: %v", err)
			}
			return c.X509, true, nil
		}
	}
	return nil, false, nil
}

// rejectSHA1 refuses any SHA-1 SignatureMethod or DigestMethod in a
// signature anywhere below el.
func rejectSHA1(el *etree.Element) error {
	var found string
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		if found != "" {
			return
		}
		if (e.Tag == "SignatureMethod" || e.Tag == "DigestMethod") && e.NamespaceURI() == NSDSig {
			if alg := strings.TrimSpace(e.SelectAttrValue("Algorithm", "")); sha1Algorithms[alg] {
				found = alg
				return
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(el)
	if found != "" {
		return wrapf(ErrSHA1, "algorithm %s", found)
	}
	return nil
}
