package salesforce

import (
	"encoding/base64"
	"encoding/xml"
	"strings"
	"time"
)

// Component is a Metadata API component that this package can send and read.
// Field order in each implementing struct is the element order of its WSDL
// (v66.0) complexType, base types first (Metadata: fullName, module;
// MetadataWithContent: content), because encoding/xml emits fields in
// declaration order and Salesforce rejects elements out of sequence.
type Component interface {
	// MetadataType is the component's type name, sent as xsi:type.
	MetadataType() string
	// MetadataFullName is the component's full name.
	MetadataFullName() string
}

// Metadata type names.
const (
	TypeCertificate              = "Certificate"
	TypeIdentityProviderSettings = "IdentityProviderSettings"
	TypeConnectedApp             = "ConnectedApp"
	TypeCallCenter               = "CallCenter"
)

// IdentityProviderName is the full name of the IdentityProviderSettings
// component: a Settings type's member name is its type name without
// "Settings" (reference §3; uncertain, see doc.go).
const IdentityProviderName = "IdentityProvider"

// Certificate is the Metadata API Certificate (extends MetadataWithContent).
// Content is the .crt file: PEM text (a chain for CA-signed certificates),
// base64-encoded on the wire (xsd:base64Binary).
type Certificate struct {
	FullName                        string `xml:"fullName"`
	Module                          string `xml:"module,omitempty"`
	Content                         Base64 `xml:"content,omitempty"`
	CASigned                        bool   `xml:"caSigned"`
	EncryptedWithPlatformEncryption *bool  `xml:"encryptedWithPlatformEncryption,omitempty"`
	// ExpirationDate is the xsd:dateTime text as sent and received.
	ExpirationDate       string `xml:"expirationDate,omitempty"`
	KeySize              int    `xml:"keySize,omitempty"`
	MasterLabel          string `xml:"masterLabel"`
	PrivateKeyExportable *bool  `xml:"privateKeyExportable,omitempty"`
}

// MetadataType implements Component.
func (*Certificate) MetadataType() string { return TypeCertificate }

// MetadataFullName implements Component.
func (c *Certificate) MetadataFullName() string { return c.FullName }

// Expiration parses ExpirationDate; it returns the zero time when it is
// empty or unparseable.
func (c *Certificate) Expiration() time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, c.ExpirationDate); err == nil {
			return t
		}
	}
	return time.Time{}
}

// IdentityProviderSettings is the org's SAML identity provider setting. Both
// fields are required on update.
type IdentityProviderSettings struct {
	FullName string `xml:"fullName"`
	Module   string `xml:"module,omitempty"`
	// CertificateName is the unique name of the org's IdP signing
	// certificate.
	CertificateName        string `xml:"certificateName"`
	EnableIdentityProvider bool   `xml:"enableIdentityProvider"`
}

// MetadataType implements Component.
func (*IdentityProviderSettings) MetadataType() string { return TypeIdentityProviderSettings }

// MetadataFullName implements Component.
func (s *IdentityProviderSettings) MetadataFullName() string { return s.FullName }

// ConnectedApp is the Metadata API ConnectedApp. Every element of the WSDL
// sequence has a field, so a read-modify-write sends back the whole
// component; the complex elements this package does not use are kept as
// RawElement, verbatim, at their WSDL position.
//
// Elements that the WSDL does not list (none should appear at the pinned API
// version) are collected in Unknown when read and never sent: Salesforce
// rejects unknown elements, and re-emitting them at the end would break the
// sequence.
type ConnectedApp struct {
	FullName            string                  `xml:"fullName"`
	Module              string                  `xml:"module,omitempty"`
	Attributes          []ConnectedAppAttribute `xml:"attributes"`
	Canvas              *RawElement             `xml:"canvas,omitempty"`
	CanvasConfig        *RawElement             `xml:"canvasConfig,omitempty"`
	ContactEmail        string                  `xml:"contactEmail"`
	ContactPhone        string                  `xml:"contactPhone,omitempty"`
	Description         string                  `xml:"description,omitempty"`
	IconURL             string                  `xml:"iconUrl,omitempty"`
	InfoURL             string                  `xml:"infoUrl,omitempty"`
	IPRanges            []RawElement            `xml:"ipRanges"`
	Label               string                  `xml:"label"`
	LogoURL             string                  `xml:"logoUrl,omitempty"`
	MobileAppConfig     *RawElement             `xml:"mobileAppConfig,omitempty"`
	MobileStartURL      string                  `xml:"mobileStartUrl,omitempty"`
	OauthConfig         *RawElement             `xml:"oauthConfig,omitempty"`
	OauthPolicy         *RawElement             `xml:"oauthPolicy,omitempty"`
	PermissionSetName   []string                `xml:"permissionSetName"`
	Plugin              string                  `xml:"plugin,omitempty"`
	PluginExecutionUser string                  `xml:"pluginExecutionUser,omitempty"`
	ProfileName         []string                `xml:"profileName"`
	SamlConfig          *ConnectedAppSamlConfig `xml:"samlConfig,omitempty"`
	SessionPolicy       *RawElement             `xml:"sessionPolicy,omitempty"`
	StartURL            string                  `xml:"startUrl,omitempty"`
	// Unknown holds elements not in the WSDL sequence; never sent.
	Unknown []RawElement `xml:",any"`
}

// MetadataType implements Component.
func (*ConnectedApp) MetadataType() string { return TypeConnectedApp }

// MetadataFullName implements Component.
func (a *ConnectedApp) MetadataFullName() string { return a.FullName }

// MarshalXML implements xml.Marshaler: it leaves Unknown out.
func (a *ConnectedApp) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain ConnectedApp
	p := plain(*a)
	p.Unknown = nil
	return e.EncodeElement(p, start)
}

// Attribute returns the formula of the custom attribute key, and whether the
// app has it.
func (a *ConnectedApp) Attribute(key string) (string, bool) {
	return attribute(a.Attributes, key)
}

// attribute returns the formula of the custom attribute key.
func attribute(attrs []ConnectedAppAttribute, key string) (string, bool) {
	for _, at := range attrs {
		if at.Key == key {
			return at.Formula, true
		}
	}
	return "", false
}

// ConnectedAppAttribute is a custom SAML attribute of a connected app (the
// WSDL's ConnectedAppAttribute), and of an External Client App's SAML
// policies (ExtlClntAppSamlConfigurablePoliciesAttribute, the same sequence).
type ConnectedAppAttribute struct {
	Formula string `xml:"formula"`
	Key     string `xml:"key"`
}

// ConnectedAppSamlConfig is a connected app's SAML service provider
// configuration. It has no IdP certificate field (see doc.go).
type ConnectedAppSamlConfig struct {
	AcsURL                string `xml:"acsUrl"`
	Certificate           string `xml:"certificate,omitempty"`
	EncryptionCertificate string `xml:"encryptionCertificate,omitempty"`
	EncryptionType        string `xml:"encryptionType,omitempty"`
	EntityURL             string `xml:"entityUrl"`
	Issuer                string `xml:"issuer,omitempty"`
	SamlIdpSLOBindingEnum string `xml:"samlIdpSLOBindingEnum,omitempty"`
	SamlNameIDFormat      string `xml:"samlNameIdFormat,omitempty"`
	SamlSigningAlgoType   string `xml:"samlSigningAlgoType,omitempty"`
	SamlSloURL            string `xml:"samlSloUrl,omitempty"`
	SamlSubjectCustomAttr string `xml:"samlSubjectCustomAttr,omitempty"`
	SamlSubjectType       string `xml:"samlSubjectType"`
}

// CallCenter is the Metadata API CallCenter (a contact center's definition).
type CallCenter struct {
	FullName                   string              `xml:"fullName"`
	Module                     string              `xml:"module,omitempty"`
	AdapterURL                 string              `xml:"adapterUrl,omitempty"`
	ContactCenterChannels      []RawElement        `xml:"contactCenterChannels"`
	CustomSettings             string              `xml:"customSettings,omitempty"`
	DisplayName                string              `xml:"displayName"`
	DisplayNameLabel           string              `xml:"displayNameLabel"`
	InternalNameLabel          string              `xml:"internalNameLabel"`
	Sections                   []CallCenterSection `xml:"sections"`
	VendorCallCenterStatusMaps []RawElement        `xml:"vendorCallCenterStatusMaps"`
	Version                    string              `xml:"version,omitempty"`
}

// MetadataType implements Component.
func (*CallCenter) MetadataType() string { return TypeCallCenter }

// MetadataFullName implements Component.
func (c *CallCenter) MetadataFullName() string { return c.FullName }

// Item returns the value of the first item called name in any section.
func (c *CallCenter) Item(name string) string {
	for _, s := range c.Sections {
		for _, it := range s.Items {
			if it.Name == name {
				return it.Value
			}
		}
	}
	return ""
}

// CallCenterSection is a section of call center settings.
type CallCenterSection struct {
	Items []CallCenterItem `xml:"items"`
	Label string           `xml:"label"`
	Name  string           `xml:"name"`
}

// CallCenterItem is one call center setting.
type CallCenterItem struct {
	Label string `xml:"label"`
	Name  string `xml:"name"`
	Value string `xml:"value"`
}

// FileProperties describes a component returned by listMetadata.
type FileProperties struct {
	CreatedByID        string `xml:"createdById"`
	CreatedByName      string `xml:"createdByName"`
	CreatedDate        string `xml:"createdDate"`
	FileName           string `xml:"fileName"`
	FullName           string `xml:"fullName"`
	ID                 string `xml:"id"`
	LastModifiedByID   string `xml:"lastModifiedById"`
	LastModifiedByName string `xml:"lastModifiedByName"`
	LastModifiedDate   string `xml:"lastModifiedDate"`
	ManageableState    string `xml:"manageableState,omitempty"`
	NamespacePrefix    string `xml:"namespacePrefix,omitempty"`
	Type               string `xml:"type"`
}

// Base64 is an xsd:base64Binary value: bytes sent and read as standard
// base64 text (whitespace in the text is ignored when reading).
type Base64 []byte

// MarshalText implements encoding.TextMarshaler.
func (b Base64) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *Base64) UnmarshalText(text []byte) error {
	s := strings.Join(strings.Fields(string(text)), "")
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	*b = out
	return nil
}
