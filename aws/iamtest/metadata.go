package iamtest

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"
)

const mdNS = "urn:oasis:names:tc:SAML:2.0:metadata"

// checkMetadata applies IAM's rules on a metadata document and returns the
// InvalidInput fault IAM would answer, or nil. The checks are written here,
// independently of the project's samlmeta package, so that the fake can
// catch a backend that lets a bad document through.
func checkMetadata(doc []byte) *Fault {
	invalid := func(msg string) *Fault { return &Fault{Code: "InvalidInput", Message: msg} }
	n := utf8.RuneCount(doc)
	switch {
	case n < minDocLen:
		return invalid(msgDocTooShort)
	case n > maxDocLen:
		return invalid(msgDocTooLong)
	case bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")), !utf8.Valid(doc):
		return invalid(msgBadMetadata)
	}
	keys, ok := signingKeys(doc)
	if !ok {
		return invalid(msgBadMetadata)
	}
	if len(keys) > maxKeys {
		return invalid(msgTooManyKeys)
	}
	for _, c := range keys {
		if keyBits(c) < minKeyBits {
			return invalid(msgBadMetadata)
		}
	}
	return nil
}

// signingKeys parses doc as SAML 2.0 IdP metadata and returns the
// certificates of its signing KeyDescriptors (use="signing" or no use).
func signingKeys(doc []byte) ([]*x509.Certificate, bool) {
	if bytes.Contains(doc, []byte("<!DOCTYPE")) {
		return nil, false
	}
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err != nil {
		return nil, false
	}
	root := d.Root()
	if root == nil || root.Tag != "EntityDescriptor" || root.NamespaceURI() != mdNS || root.SelectAttrValue("entityID", "") == "" {
		return nil, false
	}
	idp := root.FindElement("./IDPSSODescriptor")
	if idp == nil {
		return nil, false
	}
	var certs []*x509.Certificate
	for _, kd := range idp.SelectElements("KeyDescriptor") {
		if use := kd.SelectAttrValue("use", "signing"); use != "signing" {
			continue
		}
		el := kd.FindElement(".//X509Certificate")
		if el == nil {
			return nil, false
		}
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
		if err != nil {
			return nil, false
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, false
		}
		certs = append(certs, c)
	}
	return certs, len(certs) > 0
}

// keyBits returns the RSA key size of c, or 0 for any other key type, which
// the fake refuses. [U] whether IAM accepts non-RSA signing keys.
func keyBits(c *x509.Certificate) int {
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok {
		return k.N.BitLen()
	}
	return 0
}

// validUntil is the ValidUntil IAM reports for doc: the metadata's
// validUntil attribute when present, else fallback (on creation far in the
// future, on an update the provider's previous ValidUntil). [C] the IAM API
// reference says only "The expiration date and time for the SAML provider"
// and documents no derivation; [U] that the attribute drives it and that
// an update without one leaves ValidUntil as it was (see
// defaultValidUntilYears).
func validUntil(doc []byte, fallback time.Time) time.Time {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(doc); err == nil && d.Root() != nil {
		if v := d.Root().SelectAttrValue("validUntil", ""); v != "" {
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return t.UTC()
			}
		}
	}
	return fallback
}

// farValidUntil is the ValidUntil of a provider created from metadata
// without validUntil.
func farValidUntil(now time.Time) time.Time {
	return now.AddDate(defaultValidUntilYears, 0, 0).UTC().Truncate(time.Second)
}
