package sftest

import "slices"

// Facts copied from the Salesforce Metadata API WSDL version 66.0
// (forcedotcom/wsdl, resources/metadata.wsdl, Feb 2026). Status: confirmed
// [C]; the WSDL is the authority for element names, order, cardinality and
// enumerations. testdata/wsdl holds the verbatim WSDL fragments and
// TestWSDLTableMatchesFragments keeps this table equal to them.

// MetadataNS is the target namespace of the Metadata API WSDL, used for the
// SOAP body, the SessionHeader and every metadata element.
const MetadataNS = "http://soap.sforce.com/2006/04/metadata"

// Unbounded is the Max of a WSDLElement whose maxOccurs is "unbounded".
const Unbounded = -1

// WSDLElement is one element of a complexType sequence in the Metadata WSDL.
type WSDLElement struct {
	// Name is the local element name (namespace MetadataNS).
	Name string
	// Type is the element type as written in the WSDL, with its prefix:
	// "xsd:string", "xsd:boolean", "tns:ConnectedAppSamlConfig", ...
	Type string
	// Min is minOccurs (default 1); Min > 0 means the element is required.
	Min int
	// Max is maxOccurs (default 1), or Unbounded.
	Max int
	// Nillable reports nillable="true".
	Nillable bool
}

// Required reports whether the element must occur at least once.
func (e WSDLElement) Required() bool { return e.Min > 0 }

// Repeated reports whether the element may occur more than once.
func (e WSDLElement) Repeated() bool { return e.Max == Unbounded || e.Max > 1 }

// ComplexType returns the local name of the element's type when it is a
// complexType or simpleType of the metadata namespace ("tns:X" gives "X"),
// and "" for an XML Schema built-in type.
func (e WSDLElement) ComplexType() string {
	if len(e.Type) > 4 && e.Type[:4] == "tns:" {
		return e.Type[4:]
	}
	return ""
}

// WSDLSequence returns the element sequence of a complexType (or of the
// anonymous type of a top-level element such as "readMetadata" or
// "SessionHeader") in WSDL order, with the elements of its base types first:
// Certificate starts with fullName and module (Metadata), then content
// (MetadataWithContent). It returns nil for a type the table does not hold.
// The result is a fresh slice the caller may modify.
func WSDLSequence(typeName string) []WSDLElement {
	t, ok := wsdlTypes[typeName]
	if !ok {
		return nil
	}
	var seq []WSDLElement
	if t.base != "" {
		seq = WSDLSequence(t.base)
	}
	return append(seq, t.seq...)
}

// WSDLBase returns the base type a complexType extends ("Metadata",
// "MetadataWithContent"), or "" when it extends nothing or is unknown.
func WSDLBase(typeName string) string { return wsdlTypes[typeName].base }

// WSDLEnum returns the enumeration values of a simpleType the table holds
// (SamlSubjectType, SamlNameIdFormatType, ...), in WSDL order, or nil.
func WSDLEnum(typeName string) []string {
	return append([]string(nil), wsdlEnums[typeName]...)
}

// WSDLTypes returns the names of every complexType and top-level element the
// table holds, sorted.
func WSDLTypes() []string {
	names := make([]string, 0, len(wsdlTypes))
	for n := range wsdlTypes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

type wsdlType struct {
	base    string
	element bool // a top-level element with an anonymous complexType
	seq     []WSDLElement
}

var wsdlTypes = map[string]wsdlType{
	"Metadata": {base: "", seq: []WSDLElement{
		{Name: "fullName", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "module", Type: "xsd:string", Min: 0, Max: 1},
	}},
	"MetadataWithContent": {base: "Metadata", seq: []WSDLElement{
		{Name: "content", Type: "xsd:base64Binary", Min: 0, Max: 1},
	}},
	"Certificate": {base: "MetadataWithContent", seq: []WSDLElement{
		{Name: "caSigned", Type: "xsd:boolean", Min: 1, Max: 1},
		{Name: "encryptedWithPlatformEncryption", Type: "xsd:boolean", Min: 0, Max: 1, Nillable: true},
		{Name: "expirationDate", Type: "xsd:dateTime", Min: 0, Max: 1, Nillable: true},
		{Name: "keySize", Type: "xsd:int", Min: 0, Max: 1},
		{Name: "masterLabel", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "privateKeyExportable", Type: "xsd:boolean", Min: 0, Max: 1, Nillable: true},
	}},
	"IdentityProviderSettings": {base: "Metadata", seq: []WSDLElement{
		{Name: "certificateName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "enableIdentityProvider", Type: "xsd:boolean", Min: 1, Max: 1},
	}},
	"ConnectedApp": {base: "Metadata", seq: []WSDLElement{
		{Name: "attributes", Type: "tns:ConnectedAppAttribute", Min: 0, Max: Unbounded},
		{Name: "canvas", Type: "tns:CanvasMetadata", Min: 0, Max: 1},
		{Name: "canvasConfig", Type: "tns:ConnectedAppCanvasConfig", Min: 0, Max: 1},
		{Name: "contactEmail", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "contactPhone", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "description", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "iconUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "infoUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "ipRanges", Type: "tns:ConnectedAppIpRange", Min: 0, Max: Unbounded},
		{Name: "label", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "logoUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "mobileAppConfig", Type: "tns:ConnectedAppMobileDetailConfig", Min: 0, Max: 1},
		{Name: "mobileStartUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "oauthConfig", Type: "tns:ConnectedAppOauthConfig", Min: 0, Max: 1},
		{Name: "oauthPolicy", Type: "tns:ConnectedAppOauthPolicy", Min: 0, Max: 1},
		{Name: "permissionSetName", Type: "xsd:string", Min: 0, Max: Unbounded},
		{Name: "plugin", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "pluginExecutionUser", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "profileName", Type: "xsd:string", Min: 0, Max: Unbounded},
		{Name: "samlConfig", Type: "tns:ConnectedAppSamlConfig", Min: 0, Max: 1},
		{Name: "sessionPolicy", Type: "tns:ConnectedAppSessionPolicy", Min: 0, Max: 1},
		{Name: "startUrl", Type: "xsd:string", Min: 0, Max: 1},
	}},
	"ConnectedAppAttribute": {base: "", seq: []WSDLElement{
		{Name: "formula", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "key", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"ConnectedAppSamlConfig": {base: "", seq: []WSDLElement{
		{Name: "acsUrl", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "certificate", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "encryptionCertificate", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "encryptionType", Type: "tns:SamlEncryptionType", Min: 0, Max: 1},
		{Name: "entityUrl", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "issuer", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "samlIdpSLOBindingEnum", Type: "tns:SamlIdpSLOBinding", Min: 0, Max: 1},
		{Name: "samlNameIdFormat", Type: "tns:SamlNameIdFormatType", Min: 0, Max: 1},
		{Name: "samlSigningAlgoType", Type: "tns:SamlSigningAlgoType", Min: 0, Max: 1},
		{Name: "samlSloUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "samlSubjectCustomAttr", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "samlSubjectType", Type: "tns:SamlSubjectType", Min: 1, Max: 1},
	}},
	"ConnectedAppOauthConfig": {base: "", seq: []WSDLElement{
		{Name: "assetTokenConfig", Type: "tns:ConnectedAppOauthAssetToken", Min: 0, Max: 1},
		{Name: "callbackUrl", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "certificate", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "consumerKey", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "consumerSecret", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "idTokenConfig", Type: "tns:ConnectedAppOauthIdToken", Min: 0, Max: 1},
		{Name: "isAdminApproved", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isClientCredentialEnabled", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isCodeCredentialEnabled", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isCodeCredentialPostOnly", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isConsumerSecretOptional", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isIntrospectAllTokens", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isNamedUserJwtEnabled", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isPkceRequired", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isRefreshTokenRotationEnabled", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isSecretRequiredForRefreshToken", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isSecretRequiredForTokenExchange", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "isTokenExchangeEnabled", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "oauthClientCredentialUser", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "scopes", Type: "tns:ConnectedAppOauthAccessScope", Min: 0, Max: Unbounded},
		{Name: "singleLogoutUrl", Type: "xsd:string", Min: 0, Max: 1},
	}},
	"ConnectedAppIpRange": {base: "", seq: []WSDLElement{
		{Name: "description", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "end", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "start", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"ConnectedAppOauthIdToken": {base: "", seq: []WSDLElement{
		{Name: "idTokenAudience", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "idTokenIncludeAttributes", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "idTokenIncludeCustomPerms", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "idTokenIncludeStandardClaims", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "idTokenValidity", Type: "xsd:int", Min: 0, Max: 1},
	}},
	"ConnectedAppOauthAssetToken": {base: "", seq: []WSDLElement{
		{Name: "assetAudiences", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "assetIncludeAttributes", Type: "xsd:boolean", Min: 1, Max: 1},
		{Name: "assetIncludeCustomPerms", Type: "xsd:boolean", Min: 1, Max: 1},
		{Name: "assetSigningCertId", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "assetValidityPeriod", Type: "xsd:int", Min: 1, Max: 1},
	}},
	"CallCenter": {base: "Metadata", seq: []WSDLElement{
		{Name: "adapterUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "contactCenterChannels", Type: "tns:ContactCenterChannel", Min: 0, Max: Unbounded},
		{Name: "customSettings", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "displayName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "displayNameLabel", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "internalNameLabel", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "sections", Type: "tns:CallCenterSection", Min: 0, Max: Unbounded},
		{Name: "vendorCallCenterStatusMaps", Type: "tns:VendorCallCenterStatusMap", Min: 0, Max: Unbounded},
		{Name: "version", Type: "xsd:string", Min: 0, Max: 1},
	}},
	"CallCenterSection": {base: "", seq: []WSDLElement{
		{Name: "items", Type: "tns:CallCenterItem", Min: 0, Max: Unbounded},
		{Name: "label", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "name", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"CallCenterItem": {base: "", seq: []WSDLElement{
		{Name: "label", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "name", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "value", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"ExternalClientApplication": {base: "Metadata", seq: []WSDLElement{
		{Name: "contactEmail", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "contactPhone", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "description", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "distributionState", Type: "tns:ExtlClntAppDistState", Min: 0, Max: 1},
		{Name: "iconUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "infoUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "isProtected", Type: "xsd:boolean", Min: 0, Max: 1},
		{Name: "label", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "logoUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "managedType", Type: "tns:ExtlClntAppManagedType", Min: 0, Max: 1},
		{Name: "orgScopedExternalApp", Type: "xsd:string", Min: 0, Max: 1},
	}},
	"ExtlClntAppSamlConfigurablePolicies": {base: "Metadata", seq: []WSDLElement{
		{Name: "acsUrl", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "certificate", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "commaSeparatedPermissionSet", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "commaSeparatedProfile", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "customAttributes", Type: "tns:ExtlClntAppSamlConfigurablePoliciesAttribute", Min: 0, Max: Unbounded},
		{Name: "encryptionCertificate", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "encryptionType", Type: "tns:ExtlClntAppSamlEncryptType", Min: 0, Max: 1},
		{Name: "entityUrl", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "externalClientApplication", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "issuer", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "label", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "nameIdFormat", Type: "tns:ExtlClntAppNameIdFormatType", Min: 0, Max: 1},
		{Name: "signingAlgorithmType", Type: "tns:ExtlClntAppSamlSignAlgoType", Min: 0, Max: 1},
		{Name: "singleLogoutBindingType", Type: "tns:ExtlClntAppSamlBindingType", Min: 0, Max: 1},
		{Name: "singleLogoutUrl", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "subjectCustomAttribute", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "subjectType", Type: "tns:ExtlClntAppSamlSubjectType", Min: 0, Max: 1},
	}},
	"ExtlClntAppSamlConfigurablePoliciesAttribute": {base: "", seq: []WSDLElement{
		{Name: "formula", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "key", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"SaveResult": {base: "", seq: []WSDLElement{
		{Name: "errors", Type: "tns:Error", Min: 0, Max: Unbounded},
		{Name: "fullName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "success", Type: "xsd:boolean", Min: 1, Max: 1},
	}},
	"UpsertResult": {base: "", seq: []WSDLElement{
		{Name: "created", Type: "xsd:boolean", Min: 1, Max: 1},
		{Name: "errors", Type: "tns:Error", Min: 0, Max: Unbounded},
		{Name: "fullName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "success", Type: "xsd:boolean", Min: 1, Max: 1},
	}},
	"DeleteResult": {base: "", seq: []WSDLElement{
		{Name: "errors", Type: "tns:Error", Min: 0, Max: Unbounded},
		{Name: "fullName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "success", Type: "xsd:boolean", Min: 1, Max: 1},
	}},
	"ReadResult": {base: "", seq: []WSDLElement{
		{Name: "records", Type: "tns:Metadata", Min: 0, Max: Unbounded},
	}},
	"FileProperties": {base: "", seq: []WSDLElement{
		{Name: "createdById", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "createdByName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "createdDate", Type: "xsd:dateTime", Min: 1, Max: 1},
		{Name: "fileName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "fullName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "id", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "lastModifiedById", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "lastModifiedByName", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "lastModifiedDate", Type: "xsd:dateTime", Min: 1, Max: 1},
		{Name: "manageableState", Type: "tns:ManageableState", Min: 0, Max: 1},
		{Name: "namespacePrefix", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "type", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"Error": {base: "", seq: []WSDLElement{
		{Name: "extendedErrorDetails", Type: "tns:ExtendedErrorDetails", Min: 0, Max: Unbounded},
		{Name: "fields", Type: "xsd:string", Min: 0, Max: Unbounded},
		{Name: "message", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "statusCode", Type: "tns:StatusCode", Min: 1, Max: 1},
	}},
	"ListMetadataQuery": {base: "", seq: []WSDLElement{
		{Name: "folder", Type: "xsd:string", Min: 0, Max: 1},
		{Name: "type", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"readMetadata": {element: true, seq: []WSDLElement{
		{Name: "type", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "fullNames", Type: "xsd:string", Min: 0, Max: Unbounded},
	}},
	"readMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:ReadResult", Min: 1, Max: 1},
	}},
	"createMetadata": {element: true, seq: []WSDLElement{
		{Name: "metadata", Type: "tns:Metadata", Min: 0, Max: Unbounded},
	}},
	"createMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:SaveResult", Min: 0, Max: Unbounded},
	}},
	"updateMetadata": {element: true, seq: []WSDLElement{
		{Name: "metadata", Type: "tns:Metadata", Min: 0, Max: Unbounded},
	}},
	"updateMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:SaveResult", Min: 0, Max: Unbounded},
	}},
	"upsertMetadata": {element: true, seq: []WSDLElement{
		{Name: "metadata", Type: "tns:Metadata", Min: 0, Max: Unbounded},
	}},
	"upsertMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:UpsertResult", Min: 0, Max: Unbounded},
	}},
	"deleteMetadata": {element: true, seq: []WSDLElement{
		{Name: "type", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "fullNames", Type: "xsd:string", Min: 0, Max: Unbounded},
	}},
	"deleteMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:DeleteResult", Min: 0, Max: Unbounded},
	}},
	"listMetadata": {element: true, seq: []WSDLElement{
		{Name: "queries", Type: "tns:ListMetadataQuery", Min: 0, Max: Unbounded},
		{Name: "asOfVersion", Type: "xsd:double", Min: 1, Max: 1},
	}},
	"listMetadataResponse": {element: true, seq: []WSDLElement{
		{Name: "result", Type: "tns:FileProperties", Min: 0, Max: Unbounded},
	}},
	"SessionHeader": {element: true, seq: []WSDLElement{
		{Name: "sessionId", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"CallOptions": {element: true, seq: []WSDLElement{
		{Name: "client", Type: "xsd:string", Min: 1, Max: 1},
		{Name: "perfOption", Type: "tns:PerfOption", Min: 1, Max: 1},
		{Name: "uiRequestId", Type: "xsd:string", Min: 1, Max: 1},
	}},
	"AllOrNoneHeader": {element: true, seq: []WSDLElement{
		{Name: "allOrNone", Type: "xsd:boolean", Min: 1, Max: 1},
	}},
}

var wsdlEnums = map[string][]string{
	"SamlSubjectType":              {"Username", "FederationId", "UserId", "SpokeId", "CustomAttribute", "PersistentId"},
	"SamlNameIdFormatType":         {"Unspecified", "EmailAddress", "Persistent", "Transient"},
	"SamlEncryptionType":           {"AES_128", "AES_256", "Triple_Des"},
	"SamlSigningAlgoType":          {"SHA1", "SHA256"},
	"SamlIdpSLOBinding":            {"RedirectBinding", "PostBinding"},
	"ConnectedAppOauthAccessScope": {"Basic", "Api", "Web", "Full", "Chatter", "CustomApplications", "RefreshToken", "OpenID", "Profile", "Email", "Address", "Phone", "OfflineAccess", "CustomPermissions", "Wave", "Eclair", "Pardot", "Lightning", "Content", "CDPIngest", "CDPProfile", "CDPQuery", "Chatbot", "CDPSegment", "CDPIdentityResolution", "CDPCalculatedInsight", "ForgotPassword", "UserRegistration", "SFAP", "Interaction", "CDP", "EinsteinGPT", "PwdlessLogin", "MCP", "SCRT"},
	"ExtlClntAppDistState":         {"Local", "Packaged", "Managed", "AutoInstalled"},
	"ExtlClntAppManagedType":       {"Local", "Global"},
	"ExtlClntAppSamlEncryptType":   {"AES_128", "AES_256"},
	"ExtlClntAppNameIdFormatType":  {"Unspecified", "EmailAddress", "Persistent", "Transient"},
	"ExtlClntAppSamlSignAlgoType":  {"SHA1", "SHA256"},
	"ExtlClntAppSamlBindingType":   {"RedirectBinding", "PostBinding"},
	"ExtlClntAppSamlSubjectType":   {"Username", "FederationId", "UserId", "SpokeId", "CustomAttribute", "PersistentId"},
	"ManageableState":              {"released", "deleted", "deprecated", "installed", "beta", "unmanaged", "installedEditable", "deprecatedEditable"},
}
