package sftest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// This file is the one place that holds the behaviours of the fake which rest
// on facts the project's Salesforce reference marks uncertain ([I], inferred
// or not captured from a live org) or which are the fake's own policy. Each
// is named below with its status; everything else the fake does follows the
// Metadata WSDL v66.0 (wsdlfacts.go) or a confirmed [C] fact.
//
//   - [I] Schema violations in a SOAP request (unknown element, wrong order,
//     a second occurrence of a single element) are answered with an HTTP 500
//     fault whose faultcode is soapenv:Client and whose faultstring is
//     "Element {ns}X invalid at this location in type Y" (the message text
//     is confirmed from deploy errors; the fault code is not). Bad values
//     give "'v' is not a valid value for the enum 'T'" or "... for the type
//     xsd:boolean"; a wrong Content-Type, a SOAPAction other than "", a
//     missing xsi:type and a malformed envelope are soapenv:Client faults too;
//     an API version that is not NN.0 is sf:UNSUPPORTED_API_VERSION.
//   - [I] listMetadata accepts a request without asOfVersion (the WSDL
//     requires it; the documentation calls it optional). Deleting a
//     component that does not exist gives a DeleteResult error
//     INVALID_CROSS_REFERENCE_KEY. Records carry a bare xsi:type.
//   - [I] A new org's identity provider is disabled (no certificate) until a
//     default certificate is seeded; while disabled, the metadata endpoints
//     answer 404 and /idp/login refuses.
//   - [I] More than 10 components (or fullNames) in one CRUD call is a
//     sf:EXCEEDED_ID_LIMIT fault; components of different types in one call
//     are a sf:INVALID_TYPE fault; more than 3 listMetadata queries is a
//     sf:INVALID_OPERATION fault.
//   - [I] A missing required field gives SaveResult statusCode
//     REQUIRED_FIELD_MISSING with message "Required fields are missing:
//     [name]". Updating (or deleting) a component that does not exist gives
//     INVALID_CROSS_REFERENCE_KEY "In field: fullName - no T named X found";
//     a certificateName that names no certificate gives the same code.
//   - [I] Certificate creation: keySize other than 2048/4096, content or
//     caSigned=true on create (the fake makes self-signed certificates only)
//     give FIELD_INTEGRITY_EXCEPTION; a duplicate name gives DUPLICATE_VALUE;
//     expirationDate sent on create is ignored. The subject is
//     "CN=SelfSignedCert_<ddMonYYYY>_<hhmmss>, OU=<15-char org id>,
//     O=Salesforce.com, L=San Francisco, ST=CA, C=USA" (UTC). Lifetimes, 1
//     year for 2048-bit and 2 years for 4096-bit keys, are [C].
//   - [I] Deleting a certificate the IdP setting or a pinned connected app
//     uses gives DeleteResult DELETE_FAILED.
//   - [I] ConnectedAppSamlConfig.certificate is the SP request-signing
//     certificate as PEM (reference §1, open question 1): a value that is not
//     a PEM certificate gives FIELD_INTEGRITY_EXCEPTION, and it never changes
//     the IdP certificate.
//   - [I] A connected app's IdP certificate is not part of its metadata (no
//     documented field): the fake keeps it as hidden state, "follows the org
//     default" or "pinned to certificate X", changed only through
//     Org.SetAppCertificate and Org.FollowDefault, as an admin in Setup.
//   - [I] Creating a ConnectedApp is refused (INSUFFICIENT_ACCESS; creation is
//     restricted since Spring '26). upsertMetadata is refused for every type
//     with a sf:INVALID_OPERATION fault: this is the fake's policy so that a
//     client using it is caught, not a Salesforce fact.
//   - [I] Query objects: Certificate only through /tooling/query, CallCenter
//     only through /query, ConnectedApplication through both. Certificate
//     ExpirationDate is a date ("2027-06-05"). Error bodies follow the real
//     shape [{"message","errorCode"}] [C]; the message texts and the HTTP
//     status of each code (INVALID_SESSION_ID 401, REQUEST_LIMIT_EXCEEDED 403,
//     SERVER_UNAVAILABLE 503, UNKNOWN_EXCEPTION 500, others 400) are [I]
//     apart from INVALID_SESSION_ID 401 [C].
//   - [I] OAuth error descriptions other than "audience is invalid" and
//     "user hasn't approved this consumer" [C]: an unknown client is
//     invalid_client_id "client identifier invalid", a bad signature or a
//     malformed assertion is invalid_grant "invalid assertion", an expired
//     assertion is invalid_grant "expired authorization code", bad client
//     credentials are invalid_client "invalid client credentials".
//   - [I] SSO: /secur/frontdoor.jsp sets a "sid" cookie and redirects to
//     retURL; /idp/login without that cookie redirects to the login page.
//     The SAML Response is signed on the Response element (rsa-sha256, not the
//     assertion), NameID is the username with the format the app's
//     samlNameIdFormat names, the Issuer and the metadata entityID are the
//     org URL, and the metadata documents are unsigned.
//   - [I] The SCV connected app: its API name defaults to
//     "<InternalName>_Connected_App", its samlConfig entityUrl is the contact
//     center's display name and its subject type PersistentId; the partner
//     telephony call center keeps its items in a section named
//     "reqGeneralInfo".
const (
	maxComponentsPerCall = 10
	maxListQueries       = 3
	defaultPageSize      = 2000

	faultClient = "soapenv:Client"
)

// Status codes (WSDL StatusCode values) and exception codes the fake emits.
const (
	codeRequiredFieldMissing = "REQUIRED_FIELD_MISSING"
	codeDuplicateValue       = "DUPLICATE_VALUE"
	codeDeleteFailed         = "DELETE_FAILED"
	codeInvalidCrossRef      = "INVALID_CROSS_REFERENCE_KEY"
	codeFieldIntegrity       = "FIELD_INTEGRITY_EXCEPTION"
	codeInsufficientAccess   = "INSUFFICIENT_ACCESS"
	codeInvalidType          = "INVALID_TYPE"
	codeInvalidField         = "INVALID_FIELD"
	codeAllOrNone            = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
	codeInvalidSession       = "INVALID_SESSION_ID"
	codeInvalidOperation     = "INVALID_OPERATION"
	codeExceededIDLimit      = "EXCEEDED_ID_LIMIT"
	codeMalformedQuery       = "MALFORMED_QUERY"
	codeInvalidQueryLocator  = "INVALID_QUERY_LOCATOR"
	codeNotFound             = "NOT_FOUND"
	codeRequestLimit         = "REQUEST_LIMIT_EXCEEDED"
	codeServerUnavailable    = "SERVER_UNAVAILABLE"
	codeUnknownException     = "UNKNOWN_EXCEPTION"
)

// savedStatusCodes are the statusCode values a SaveResult or DeleteResult of
// the fake can carry; a test checks each against the WSDL StatusCode enum.
var savedStatusCodes = []string{
	codeRequiredFieldMissing, codeDuplicateValue, codeDeleteFailed, codeInvalidCrossRef,
	codeFieldIntegrity, codeInsufficientAccess, codeAllOrNone,
}

// soapSessionFault is the fault string of a rejected session [C].
const soapSessionFault = "Invalid Session ID found in SessionHeader: Illegal Session"

func invalidLocation(elem, typeName string) string {
	return fmt.Sprintf("Element {%s}%s invalid at this location in type %s", MetadataNS, elem, typeName)
}

func invalidEnum(v, enum string) string {
	return fmt.Sprintf("'%s' is not a valid value for the enum '%s'", v, enum)
}

func invalidSimple(v, typ string) string {
	return fmt.Sprintf("'%s' is not a valid value for the type %s", v, typ)
}

func requiredMissing(path string) string {
	return fmt.Sprintf("Required fields are missing: [%s]", path)
}

func noSuchComponent(field, typeName, name string) string {
	return fmt.Sprintf("In field: %s - no %s named %s found", field, typeName, name)
}

func tooManyComponents() string {
	return fmt.Sprintf("record limit reached. cannot submit more than %d records in this operation", maxComponentsPerCall)
}

// Self-signed certificate facts.
const (
	certSubjectOrg      = "Salesforce.com"
	certSubjectLocality = "San Francisco"
	certSubjectProvince = "CA"
	certSubjectCountry  = "USA"
	defaultKeySize      = 2048 // [C] when keySize is omitted
	maxMasterLabel      = 64   // [C]
	maxUniqueName       = 80   // [I]
)

// certLifetime is how long a new self-signed certificate is valid [C].
func certLifetime(keyBits int) (years int) {
	if keyBits >= 4096 {
		return 2
	}
	return 1
}

// certCommonName is the subject CN of a self-signed certificate made at t.
func certCommonName(t time.Time) string {
	t = t.UTC()
	return "SelfSignedCert_" + t.Format("02Jan2006") + "_" + t.Format("150405")
}

// restStatus is the HTTP status a REST (and token, SSO) error code is
// answered with when a Fault does not set one.
func restStatus(code string) int {
	switch code {
	case codeInvalidSession:
		return http.StatusUnauthorized
	case codeRequestLimit:
		return http.StatusForbidden
	case codeServerUnavailable:
		return http.StatusServiceUnavailable
	case codeUnknownException:
		return http.StatusInternalServerError
	case codeNotFound:
		return http.StatusNotFound
	default:
		return http.StatusBadRequest
	}
}

// soapStatus is the HTTP status of a SOAP fault.
func soapStatus(code string) int {
	if code == codeServerUnavailable {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// defaultMessage is the message of an injected fault without one.
func defaultMessage(code string) string {
	switch code {
	case codeInvalidSession:
		return "Session expired or invalid"
	case codeRequestLimit:
		return "TotalRequests Limit exceeded."
	case codeServerUnavailable:
		return "Server unavailable. Please try again later."
	case codeUnknownException:
		return "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)"
	default:
		return strings.ToLower(strings.ReplaceAll(code, "_", " "))
	}
}

// Query facts.
type queryAPI int

const (
	dataAPI queryAPI = iota
	toolingAPI
)

// queryObjects lists the objects each query API serves and their fields in
// canonical case. Organization and User serve other clients (clientFacts).
var queryObjects = map[queryAPI]map[string][]string{
	dataAPI: {
		"CallCenter":           {"Id", "Name", "InternalName"},
		"ConnectedApplication": {"Id", "Name"},
		"Organization":         {"Id", "Name", "InstanceName", "IsSandbox", "TrialExpirationDate", "NamespacePrefix", "OrganizationType"},
		"User":                 {"Id", "Username", "Email", "IsActive"},
		// accessFacts
		"Profile": {"Id", "Name"},
		"PermissionSet": {"Id", "Name", "Label", "IsOwnedByProfile", "ProfileId", PermissionAPIEnabled, PermissionViewSetup,
			PermissionCustomizeApplication, PermissionModifyMetadata, PermissionModifyAllData},
		"PermissionSetAssignment": {"Id", "AssigneeId", "PermissionSetId"},
		"SetupEntityAccess":       {"Id", "ParentId", "SetupEntityId", "SetupEntityType"},
	},
	toolingAPI: {
		"Certificate":          {"Id", "DeveloperName", "MasterLabel", "ExpirationDate", "KeySize"},
		"ConnectedApplication": {"Id", "Name"},
	},
}

// soqlError formats a query error the way Salesforce does: the query, a caret
// under the column, and the message.
func soqlError(query string, col int, msg string) string {
	return fmt.Sprintf("\n%s\n%s^\nERROR at Row:1:Column:%d\n%s", query, strings.Repeat(" ", max(col-1, 0)), col, msg)
}

func noSuchColumn(field, object string) string {
	return fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to "+
		"append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "+
		"appropriate names.", field, object)
}

func notSupportedObject(object string) string {
	return fmt.Sprintf("sObject type '%s' is not supported. If you are attempting to use a custom object, be sure "+
		"to append the '__c' after the entity name. Please reference your WSDL or the describe call for the "+
		"appropriate names.", object)
}

// OAuth facts.
const (
	loginURL = "https://login.salesforce.com" // [C] JWT audience
	testURL  = "https://test.salesforce.com"  // [C] JWT audience for sandboxes
	// jwtSkew is the clock skew the token endpoint allows on exp [C].
	jwtSkew = 3 * time.Minute
)

type oauthError struct{ code, description string }

var (
	errUnknownClient   = oauthError{"invalid_client_id", "client identifier invalid"}
	errBadAssertion    = oauthError{"invalid_grant", "invalid assertion"}
	errBadAudience     = oauthError{"invalid_grant", "audience is invalid"}
	errExpired         = oauthError{"invalid_grant", "expired authorization code"}
	errNotApproved     = oauthError{"invalid_grant", "user hasn't approved this consumer"}
	errBadCredentials  = oauthError{"invalid_client", "invalid client credentials"}
	errUnsupportedType = oauthError{"unsupported_grant_type", "grant type not supported"}
)

// SSO facts.
const (
	// DefaultSignInURL is the acsUrl of seeded apps, the AWS sign-in
	// endpoint [C], where the auto-post form posts unless WithSignInURL
	// names another URL.
	DefaultSignInURL = "https://signin.aws.amazon.com/saml"

	nameIDEmail     = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	nameIDTransient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"

	sessionCookie = "sid"
)

// nameIDFormat maps a SamlNameIdFormatType value to its URI.
func nameIDFormat(v string) string {
	switch v {
	case "EmailAddress":
		return nameIDEmail
	case "Persistent":
		return samlmeta.NameIDFormatPersistent
	case "Transient":
		return nameIDTransient
	default:
		return samlmeta.NameIDFormatUnspecified
	}
}

// defaultAppName is the connected app API name of a seeded contact center
// when the seed names none.
func defaultAppName(internalName string) string { return internalName + "_Connected_App" }

// appLabel is the label Salesforce gives the connected app it creates for a
// contact center [C].
func appLabel(displayName string) string { return displayName + " Connected App" }

// clientFacts: what the endpoints for other clients (clients.go) follow.
//
//   - [C] REST API versions 31.0 and later are served; 21.0-30.0 were
//     retired in Summer '25 and 7.0-20.0 in Summer '22, and a request to a
//     retired version answers 410 GONE (REST API Developer Guide, "API
//     End-of-Life Policy"). The newest version is the one of the Metadata
//     WSDL the fake follows, 66.0. GET /services/data lists the versions
//     without a session; GET /services/data/vNN.0 lists the version's
//     resources. [I] The body of the 410 is an error with errorCode GONE.
//   - [C] The OpenID Connect UserInfo endpoint /services/oauth2/userinfo
//     returns user_id, organization_id, preferred_username and the other
//     standard claims for the session's user; the Salesforce CLI reads
//     user_id there, then the User record at
//     /services/data/v51.0/sobjects/User/{id} for its Username, then queries
//     Organization (Name, InstanceName, IsSandbox, TrialExpirationDate,
//     NamespacePrefix, OrganizationType) to describe the org.
//   - [I] A path with repeated slashes is served as the path with single
//     ones (the Salesforce CLI, which works against real orgs, sends
//     "//services/data/..." when its stored instance URL ends in a slash).
//   - [I] A bad token at the UserInfo endpoint is answered 403 with the
//     plain-text body Bad_OAuth_Token.
//   - [C] A query with columns=true answers the columns the query selects
//     (columnMetadata with columnName, displayName, apexType, joinColumns)
//     instead of its rows; the Salesforce CLI's data query asks for it.
//   - [I] The fake's limits answer DailyApiRequests (Max 15,000, the
//     Developer Edition allowance, less the calls it has served) and a few
//     storage limits; an org's real values depend on its edition and
//     licenses.
const (
	minAPIVersion    = 31
	maxAPIVersion    = 66
	dailyAPIRequests = 15000
)

// fieldTypes are the Apex types of the fields the query APIs serve.
var fieldTypes = map[string]string{
	"Id": "Id", "Name": "String", "InternalName": "String", "DeveloperName": "String", "MasterLabel": "String",
	"ExpirationDate": "Date", "KeySize": "Integer", "InstanceName": "String", "IsSandbox": "Boolean",
	"TrialExpirationDate": "Datetime", "NamespacePrefix": "String", "OrganizationType": "String",
	"Username": "String", "Email": "String", "IsActive": "Boolean",
	"Label": "String", "IsOwnedByProfile": "Boolean", "ProfileId": "Id", "AssigneeId": "Id", "PermissionSetId": "Id",
	"ParentId": "Id", "SetupEntityId": "Id", "SetupEntityType": "String", PermissionAPIEnabled: "Boolean",
	PermissionViewSetup: "Boolean", PermissionCustomizeApplication: "Boolean", PermissionModifyMetadata: "Boolean",
	PermissionModifyAllData: "Boolean",
}

// ecaFacts: External Client Apps (eca.go, samlapps.go).
//
//   - [C] ExternalClientApplication and ExtlClntAppSamlConfigurablePolicies
//     are Metadata types (API 63.0+; element order and enumerations from the
//     WSDL v66.0, wsdlfacts.go). The policies' externalClientApplication
//     names their app, and their parent app must have distributionState
//     Local, because ECAs with SAML cannot be packaged (Metadata API
//     Developer Guide, "ExtlClntAppSamlConfigurablePolicies"); a SAML ECA is
//     configured through the Metadata API only (Help
//     "xcloud.meta_external_client_app_saml"). Their certificate field is the
//     service provider's request-signing certificate (same page). Neither
//     type has an IdP certificate field; the Tooling object
//     ExtlClntAppSamlPlcyCnfg has IdpCertificateId (forcedotcom/wsdl
//     src/tooling.ts).
//   - [I] Policies naming no such app give INVALID_CROSS_REFERENCE_KEY, an
//     app not Local (or a Local SAML app changed to another state) gives
//     FIELD_INTEGRITY_EXCEPTION, a second policies component for one app
//     gives DUPLICATE_VALUE, and the app of policies cannot change. The
//     required ExtlClntAppConfigurablePolicies with isSamlPluginEnabled is not
//     modelled: the fake stores no such type and does not ask for it.
//   - [I] An ECA's IdP certificate is hidden state, as a connected app's is
//     (Org.SetAppCertificate, Org.FollowDefault); its metadata endpoint is
//     /.well-known/samlidp/<ECA API name>.xml and its IdP-initiated login
//     /idp/login?app=<0sp… id>, as for connected apps; the Response is the
//     connected apps' one, from the policies' values. ECA ids start with
//     0xI and policies ids with 0xS (the fake's own choice).
const ecaLocalDistribution = "Local"
