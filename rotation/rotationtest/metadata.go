package rotationtest

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/voicecert/voicecert/rotation"
)

// Namespaces of SAML metadata.
const (
	nsMD = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDS = "http://www.w3.org/2000/09/xmldsig#"
)

// IAM's limits on a SAML provider's metadata document (from the IAM API
// reference of CreateSAMLProvider / UpdateSAMLProvider: 1,000 to 10,000,000
// characters; keys of at least 1024 bits). The fake relying party enforces
// them.
const (
	MinMetadataLen = 1000
	MaxMetadataLen = 10_000_000
	MinKeyBits     = 1024
)

// MetadataDocument returns a SAML 2.0 IdP metadata document for entityID
// with one signing KeyDescriptor per DER certificate, shaped like the
// documents Salesforce serves at /.well-known/samlidp.xml. It is the minimal
// document the fakes produce and accept; the samlmeta package is the
// project's full implementation.
func MetadataDocument(entityID string, certs ...[]byte) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<md:EntityDescriptor xmlns:md="%s" entityID="%s">`+"\n", nsMD, xmlEscape(entityID))
	b.WriteString(`  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + "\n")
	for _, der := range certs {
		fmt.Fprintf(&b, `    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="%s"><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`+"\n",
			nsDS, base64.StdEncoding.EncodeToString(der))
	}
	b.WriteString(`    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>` + "\n")
	for _, sso := range [][2]string{{"HTTP-POST", "HttpPost"}, {"HTTP-Redirect", "HttpRedirect"}} {
		fmt.Fprintf(&b, `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:%s" Location="%s/idp/endpoint/%s"/>`+"\n",
			sso[0], xmlEscape(strings.TrimRight(entityID, "/")), sso[1])
	}
	b.WriteString("  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n")
	return b.Bytes()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

type mdEntity struct {
	XMLName  xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID string   `xml:"entityID,attr"`
	IDP      []struct {
		Keys []struct {
			Use     string `xml:"use,attr"`
			KeyInfo struct {
				X509Data struct {
					Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
				} `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
			} `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
		SSO []struct {
			Location string `xml:"Location,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata SingleSignOnService"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

// MetadataCertificates parses an IdP metadata document and returns its
// entityID and the DER of every signing certificate, in document order. It
// refuses (with an error matching rotation.ErrInvalidInput) what IAM
// refuses as far as this package knows: a document shorter than
// MinMetadataLen or longer than MaxMetadataLen, a byte-order mark, invalid
// UTF-8, a DOCTYPE, a root other than md:EntityDescriptor, no entityID, no
// IDPSSODescriptor, no signing certificate, an unparsable certificate, and
// an RSA key under MinKeyBits.
func MetadataCertificates(doc []byte) (entityID string, certs [][]byte, err error) {
	invalid := func(format string, args ...any) (string, [][]byte, error) {
		return "", nil, fmt.Errorf("metadata: "+format+": %w", append(args, rotation.ErrInvalidInput)...)
	}
	switch {
	case len(doc) < MinMetadataLen:
		return invalid("%d characters, fewer than %d", len(doc), MinMetadataLen)
	case len(doc) > MaxMetadataLen:
		return invalid("%d characters, more than %d", len(doc), MaxMetadataLen)
	case bytes.HasPrefix(doc, []byte("\xef\xbb\xbf")):
		return invalid("starts with a byte-order mark")
	case !utf8.Valid(doc):
		return invalid("not UTF-8")
	case bytes.Contains(doc, []byte("<!DOCTYPE")):
		return invalid("has a DOCTYPE")
	}
	var md mdEntity
	if err := xml.Unmarshal(doc, &md); err != nil {
		return invalid("not an md:EntityDescriptor: %v", err)
	}
	if md.EntityID == "" {
		return invalid("no entityID")
	}
	if len(md.IDP) == 0 {
		return invalid("no IDPSSODescriptor")
	}
	for _, idp := range md.IDP {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.KeyInfo.X509Data.Certs {
				der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
				if err != nil {
					return invalid("certificate is not base64: %v", err)
				}
				x, err := x509.ParseCertificate(der)
				if err != nil {
					return invalid("certificate: %v", err)
				}
				if pub, ok := x.PublicKey.(*rsa.PublicKey); ok && pub.N.BitLen() < MinKeyBits {
					return invalid("%d-bit key, fewer than %d", pub.N.BitLen(), MinKeyBits)
				}
				certs = append(certs, der)
			}
		}
	}
	if len(certs) == 0 {
		return invalid("no signing certificate")
	}
	return md.EntityID, certs, nil
}

// MetadataFingerprints returns the SHA-256 fingerprints of the signing
// certificates of doc, in document order.
func MetadataFingerprints(doc []byte) ([]string, error) {
	_, certs, err := MetadataCertificates(doc)
	if err != nil {
		return nil, err
	}
	fps := make([]string, len(certs))
	for i, der := range certs {
		fps[i] = Fingerprint(der)
	}
	return fps, nil
}

// Fingerprint returns the SHA-256 fingerprint of a DER certificate in the
// form of rotation.Certificate.SHA256: upper-case hex pairs separated by
// colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, c := range sum {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}
