package samlmeta

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// signProfile is how an enveloped signature is made: the algorithm
// (rsa-sha1 with sha1 digests, or rsa-sha256 with sha256 digests), the
// exclusive C14N InclusiveNamespaces prefix list of the Reference (none
// when empty), and whether SignatureValue and X509Certificate are
// base64-wrapped at 76 columns, as Salesforce writes them.
type signProfile struct {
	alg      SigningAlgorithm
	prefixes string
	wrap     bool
}

func (p signProfile) methods() (sig, digest string, h crypto.Hash) {
	if p.alg == SigningSHA1 {
		return dsig.RSASHA1SignatureMethod, "http://www.w3.org/2000/09/xmldsig#sha1", crypto.SHA1
	}
	return dsig.RSASHA256SignatureMethod, "http://www.w3.org/2001/04/xmlenc#sha256", crypto.SHA256
}

// signEnveloped signs el in place with an enveloped signature made per p,
// inserted as child number at (counted in tokens), after removing any
// existing enveloped signature. The reference and SignedInfo are
// canonicalised with this package's exclusive C14N, on detached copies
// that carry the namespaces in scope, so that what is signed is exactly
// what VerifySignature recomputes.
func signEnveloped(el *etree.Element, at int, key crypto.Signer, cert *Cert, p signProfile) error {
	if _, err := newSigningContext(key, cert); err != nil {
		return err
	}
	for _, old := range el.ChildElements() {
		if old.Tag == "Signature" && old.NamespaceURI() == NSDSig {
			removeWithIndent(el, old)
		}
	}
	if el.SelectAttrValue("ID", "") == "" {
		el.CreateAttr("ID", derivedID(el))
	}
	sigAlg, digestAlg, h := p.methods()
	m := c14nMethod{exclusive: true, prefixes: strings.Fields(p.prefixes)}
	canon, err := canonicalDetached(el, m)
	if err != nil {
		return sigErr(err)
	}
	d := h.New()
	d.Write(canon)

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", NSDSig)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", sigAlg)
	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "#"+el.SelectAttrValue("ID", ""))
	ts := ref.CreateElement("ds:Transforms")
	ts.CreateElement("ds:Transform").CreateAttr("Algorithm", algEnvelopedSignature)
	exc := ts.CreateElement("ds:Transform")
	exc.CreateAttr("Algorithm", algExcC14N)
	if p.prefixes != "" {
		in := exc.CreateElement("ec:" + inclusiveNamespacesTag)
		in.CreateAttr("xmlns:ec", nsExcC14N)
		in.CreateAttr("PrefixList", p.prefixes)
	}
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", digestAlg)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(d.Sum(nil)))

	if at > len(el.Child) {
		at = len(el.Child)
	}
	el.InsertChildAt(at, sig)
	canonSI, err := canonicalDetached(si, c14nMethod{exclusive: true})
	if err != nil {
		return sigErr(err)
	}
	d = h.New()
	d.Write(canonSI)
	value, err := key.Sign(rand.Reader, d.Sum(nil), h)
	if err != nil {
		return wrapf(ErrInvalidSpec, "signing: %v", err)
	}
	sv, xc := base64.StdEncoding.EncodeToString(value), base64.StdEncoding.EncodeToString(cert.DER)
	if p.wrap {
		sv, xc = "\n"+wrapBase64(sv)+"\n", wrapBase64(xc)
	}
	sig.CreateElement("ds:SignatureValue").SetText(sv)
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(xc)
	return nil
}

// wrapBase64 breaks base64 text into lines of 76 characters (MIME), joined by
// newlines.
func wrapBase64(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
