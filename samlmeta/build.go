package samlmeta

import (
	"bytes"
	"strings"
	"time"

	"github.com/beevik/etree"
)

// BuildSpec describes an identity provider's metadata document.
type BuildSpec struct {
	// EntityID is the IdP's entityID (for Salesforce, the My Domain URL).
	// Required.
	EntityID string
	// SSOServices are the SingleSignOnService endpoints, in order. At least
	// one is required.
	SSOServices []Endpoint
	// NameIDFormats default to the unspecified format Salesforce lists.
	NameIDFormats []string
	// Certificates become one KeyDescriptor use="signing" each, in order.
	// At least one is required.
	Certificates []*Cert
	// ValidUntil, when not zero, is written as validUntil (UTC, ms).
	ValidUntil time.Time
}

// Build writes Salesforce-shaped IdP metadata: an XML declaration directly
// followed by md:EntityDescriptor (xmlns:md and xmlns:ds declared on it),
// one md:IDPSSODescriptor with WantAuthnRequestsSigned="false", the signing
// KeyDescriptors, NameIDFormats and SingleSignOnServices, indented by three
// spaces. The output is deterministic and valid against the SAML metadata
// schema.
func Build(spec BuildSpec) ([]byte, error) {
	if strings.TrimSpace(spec.EntityID) == "" {
		return nil, wrapf(ErrInvalidSpec, "EntityID is required")
	}
	if len(spec.SSOServices) == 0 {
		return nil, wrapf(ErrInvalidSpec, "at least one SSO service is required")
	}
	for _, e := range spec.SSOServices {
		if e.Binding == "" || e.Location == "" {
			return nil, wrapf(ErrInvalidSpec, "SSO service needs Binding and Location")
		}
	}
	if len(spec.Certificates) == 0 {
		return nil, wrapf(ErrNoSigningKey, "at least one certificate is required")
	}
	for _, c := range spec.Certificates {
		if c == nil || len(c.DER) == 0 {
			return nil, wrapf(ErrInvalidSpec, "nil certificate")
		}
	}
	formats := spec.NameIDFormats
	if len(formats) == 0 {
		formats = []string{NameIDFormatUnspecified}
	}

	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("md:EntityDescriptor")
	root.CreateAttr("xmlns:md", NSMetadata)
	root.CreateAttr("entityID", spec.EntityID)
	if !spec.ValidUntil.IsZero() {
		root.CreateAttr("validUntil", formatDateTime(spec.ValidUntil))
	}
	root.CreateAttr("xmlns:ds", NSDSig)
	ind := func(el *etree.Element, level int) {
		el.CreateText("\n" + strings.Repeat("   ", level))
	}
	ind(root, 1)
	idp := root.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("WantAuthnRequestsSigned", "false")
	idp.CreateAttr("protocolSupportEnumeration", NSProtocol)
	for _, c := range spec.Certificates {
		ind(idp, 2)
		kd := idp.CreateElement("md:KeyDescriptor")
		kd.CreateAttr("use", "signing")
		ind(kd, 3)
		ki := kd.CreateElement("ds:KeyInfo")
		ind(ki, 4)
		xd := ki.CreateElement("ds:X509Data")
		ind(xd, 5)
		xd.CreateElement("ds:X509Certificate").SetText(c.Base64())
		ind(xd, 4)
		ind(ki, 3)
		ind(kd, 2)
	}
	for _, f := range formats {
		ind(idp, 2)
		idp.CreateElement("md:NameIDFormat").SetText(f)
	}
	for _, e := range spec.SSOServices {
		ind(idp, 2)
		s := idp.CreateElement("md:SingleSignOnService")
		s.CreateAttr("Binding", e.Binding)
		s.CreateAttr("Location", e.Location)
	}
	ind(idp, 1)
	root.CreateText("\n")
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
