package salesforce

import "encoding/xml"

// Metadata type names of External Client Apps (API 63.0 and later).
const (
	TypeExternalClientApplication           = "ExternalClientApplication"
	TypeExtlClntAppSamlConfigurablePolicies = "ExtlClntAppSamlConfigurablePolicies"
)

// ExternalClientApplication is the Metadata API ExternalClientApplication:
// an External Client App, the successor of connected apps. Its SAML service
// provider settings are a separate component,
// ExtlClntAppSamlConfigurablePolicies. Fields follow the WSDL v66.0 order;
// elements the WSDL does not list are kept in Unknown and never sent.
type ExternalClientApplication struct {
	FullName             string `xml:"fullName"`
	Module               string `xml:"module,omitempty"`
	ContactEmail         string `xml:"contactEmail,omitempty"`
	ContactPhone         string `xml:"contactPhone,omitempty"`
	Description          string `xml:"description,omitempty"`
	DistributionState    string `xml:"distributionState,omitempty"`
	IconURL              string `xml:"iconUrl,omitempty"`
	InfoURL              string `xml:"infoUrl,omitempty"`
	IsProtected          *bool  `xml:"isProtected,omitempty"`
	Label                string `xml:"label,omitempty"`
	LogoURL              string `xml:"logoUrl,omitempty"`
	ManagedType          string `xml:"managedType,omitempty"`
	OrgScopedExternalApp string `xml:"orgScopedExternalApp,omitempty"`
	// Unknown holds elements not in the WSDL sequence; never sent.
	Unknown []RawElement `xml:",any"`
}

// MetadataType implements Component.
func (*ExternalClientApplication) MetadataType() string { return TypeExternalClientApplication }

// MetadataFullName implements Component.
func (a *ExternalClientApplication) MetadataFullName() string { return a.FullName }

// MarshalXML implements xml.Marshaler: it leaves Unknown out.
func (a *ExternalClientApplication) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain ExternalClientApplication
	p := plain(*a)
	p.Unknown = nil
	return e.EncodeElement(p, start)
}

// ExtlClntAppSamlConfigurablePolicies is the SAML service provider
// configuration of an External Client App, named by
// ExternalClientApplication. Like ConnectedAppSamlConfig it has no IdP
// certificate field (see eca_facts.go).
type ExtlClntAppSamlConfigurablePolicies struct {
	FullName                    string                  `xml:"fullName"`
	Module                      string                  `xml:"module,omitempty"`
	AcsURL                      string                  `xml:"acsUrl"`
	Certificate                 string                  `xml:"certificate,omitempty"`
	CommaSeparatedPermissionSet string                  `xml:"commaSeparatedPermissionSet,omitempty"`
	CommaSeparatedProfile       string                  `xml:"commaSeparatedProfile,omitempty"`
	CustomAttributes            []ConnectedAppAttribute `xml:"customAttributes"`
	EncryptionCertificate       string                  `xml:"encryptionCertificate,omitempty"`
	EncryptionType              string                  `xml:"encryptionType,omitempty"`
	EntityURL                   string                  `xml:"entityUrl"`
	ExternalClientApplication   string                  `xml:"externalClientApplication"`
	Issuer                      string                  `xml:"issuer,omitempty"`
	Label                       string                  `xml:"label,omitempty"`
	NameIDFormat                string                  `xml:"nameIdFormat,omitempty"`
	SigningAlgorithmType        string                  `xml:"signingAlgorithmType,omitempty"`
	SingleLogoutBindingType     string                  `xml:"singleLogoutBindingType,omitempty"`
	SingleLogoutURL             string                  `xml:"singleLogoutUrl,omitempty"`
	SubjectCustomAttribute      string                  `xml:"subjectCustomAttribute,omitempty"`
	SubjectType                 string                  `xml:"subjectType,omitempty"`
	// Unknown holds elements not in the WSDL sequence; never sent.
	Unknown []RawElement `xml:",any"`
}

// MetadataType implements Component.
func (*ExtlClntAppSamlConfigurablePolicies) MetadataType() string {
	return TypeExtlClntAppSamlConfigurablePolicies
}

// MetadataFullName implements Component.
func (s *ExtlClntAppSamlConfigurablePolicies) MetadataFullName() string { return s.FullName }

// MarshalXML implements xml.Marshaler: it leaves Unknown out.
func (s *ExtlClntAppSamlConfigurablePolicies) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain ExtlClntAppSamlConfigurablePolicies
	p := plain(*s)
	p.Unknown = nil
	return e.EncodeElement(p, start)
}

// Attribute returns the formula of the custom attribute key, and whether the
// policies have it.
func (s *ExtlClntAppSamlConfigurablePolicies) Attribute(key string) (string, bool) {
	return attribute(s.CustomAttributes, key)
}
