package iamtest

import (
	"net/http"
	"regexp"
	"time"
)

// This file holds every fact about real IAM that the fake reproduces and
// that the project could not confirm against a real account. Status marks
// follow the project's references: [C] confirmed (SDK source, service
// model or a probe of the SDK), [U] uncertain (inferred; verify against a
// real account and correct it here, in one place).

// Version is the awsquery API version IAM speaks. [C]
const Version = "2010-05-08"

// xmlns is the namespace of every IAM response document. [C]
const xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"

// Metadata document limits. [C] length from the service model
// (1,000–10,000,000 characters); [C] UTF-8 without BOM and keys of at least
// 1024 bits from the IAM user guide; [C] the value 10 of the quota "Keys per
// SAML provider", [U] that it counts signing KeyDescriptors.
const (
	minDocLen  = 1000
	maxDocLen  = 10_000_000
	minKeyBits = 1024
	maxKeys    = 10
)

// Tag limits. [C] service model.
const (
	maxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// errorFact is how IAM answers one error code on the wire.
type errorFact struct {
	status  int
	typ     string // <Type>: Sender or Receiver (ignored by the SDK)
	message string // default message when the fault names none
}

// errorFacts maps each error code to its HTTP status and default message.
//
// [C] status codes of the modelled IAM errors (SDK types/errors.go and the
// probe recorded in the references): NoSuchEntity 404, InvalidInput 400,
// LimitExceeded 409, ConcurrentModification 409, EntityAlreadyExists 409,
// ServiceFailure 500, Throttling 400.
// [U] the authentication and protocol errors (MissingAuthenticationToken,
// InvalidClientTokenId, SignatureDoesNotMatch, IncompleteSignature,
// AccessDenied, InvalidAction, ServiceUnavailable): codes and statuses as
// AWS query services commonly send them, not checked against IAM.
// [U] every message text: IAM's exact wording is not documented; clients
// must match on the code only.
var errorFacts = map[string]errorFact{
	"NoSuchEntity":               {http.StatusNotFound, "Sender", "The requested entity does not exist."},
	"InvalidInput":               {http.StatusBadRequest, "Sender", "The request contains invalid input."},
	"LimitExceeded":              {http.StatusConflict, "Sender", "The request exceeds a limit of the account."},
	"ConcurrentModification":     {http.StatusConflict, "Sender", "Another request is modifying this entity. Wait a few minutes and submit your request again."},
	"EntityAlreadyExists":        {http.StatusConflict, "Sender", "The entity already exists."},
	"ServiceFailure":             {http.StatusInternalServerError, "Receiver", "The request processing has failed because of an unknown error, exception or failure."},
	"Throttling":                 {http.StatusBadRequest, "Sender", "Rate exceeded"},
	"ServiceUnavailable":         {http.StatusServiceUnavailable, "Receiver", "Service is unavailable."},
	"MissingAuthenticationToken": {http.StatusForbidden, "Sender", "Request is missing Authentication Token"},
	"IncompleteSignature":        {http.StatusBadRequest, "Sender", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."},
	"InvalidClientTokenId":       {http.StatusForbidden, "Sender", "The security token included in the request is invalid."},
	"SignatureDoesNotMatch":      {http.StatusForbidden, "Sender", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
	"AccessDenied":               {http.StatusForbidden, "Sender", "User is not authorized to perform this action on this resource."},
	"InvalidAction":              {http.StatusBadRequest, "Sender", "Could not find operation for version " + Version},
}

// Messages for refused metadata. [C] IAM answers InvalidInput; [U] the exact
// texts ("Could not parse metadata" is quoted by the IAM troubleshooting
// guide, the length message follows the AWS validation style).
const (
	msgDocTooShort = "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"
	msgDocTooLong  = "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length less than or equal to 10000000"
	msgBadMetadata = "Could not parse metadata"
	msgTooManyKeys = "Could not parse metadata: the metadata names more than 10 keys"
	msgNoUpdates   = "Unable to update identity provider. No updates are defined for metadata or encryption assertion." // [C]
)

// signatureMaxSkew is how far X-Amz-Date may be from the server's clock. [U]
// (the common AWS value of 15 minutes).
const signatureMaxSkew = 15 * 60 // seconds

// defaultValidUntilYears is how far in the future IAM sets ValidUntil when the
// metadata has no validUntil attribute. [U] IAM does not document how it
// derives ValidUntil; the metadata's validUntil is used when present.
const defaultValidUntilYears = 100

// signInChecksCertValidity says whether the sign-in endpoint refuses a
// Response signed with a certificate outside its validity period. [U] AWS
// does not document it; Salesforce states that an expired contact-center
// certificate "doesn't break anything", so the fake does not check it. The
// assertion's own Conditions are always checked.
const signInChecksCertValidity = false

// STS GetCallerIdentity (sts_identity.go). [C] STS API Reference,
// "GetCallerIdentity": awsquery API version 2011-06-15, response namespace
// https://sts.amazonaws.com/doc/2011-06-15/, result Account, Arn and UserId;
// "No permissions are required to perform this operation", so it answers
// for any valid key. Requests are SigV4-signed for the service "sts".
// [U] The fake's keys belong to an IAM user named iamtest in their account,
// whose UserId is "AIDA" and 17 characters derived from the key.

// STS AssumeRoleWithSAML and the console sign-in.
//
// Sources, cited by tag below:
//   - [model] botocore 1.43 data/sts/2011-06-15/service-2.json and
//     aws-sdk-go-v2 service/sts v1.52.0 (parameters, lengths, error shapes,
//     auth none).
//   - [apiref] STS API Reference, AssumeRoleWithSAML (result fields:
//     Audience is the Recipient, SubjectType, NameQualifier).
//   - [assertions] IAM User Guide, "Configure SAML assertions for the
//     authentication response" (awsdocs/iam-user-guide
//     id_roles_providers_create_saml_assertions.md).
//   - [troubleshoot] IAM User Guide, "Troubleshoot SAML federation with
//     IAM" (troubleshoot_saml.md): the error texts, codes and statuses
//     quoted there.
//   - [trust] IAM User Guide, "Create a role for SAML 2.0 federation"
//     (id_roles_create_for-idp_saml.md): the trust policy and SAML:aud.
//   - [saml-profiles] OASIS SAML 2.0 Profiles §4.1.4.2: a Web Browser SSO
//     assertion carries a bearer SubjectConfirmation.
const (
	// stsVersion and stsXMLNS: the awsquery API version and namespace of
	// STS. [C model]
	stsVersion = "2011-06-15"
	stsXMLNS   = "https://sts.amazonaws.com/doc/2011-06-15/"

	// SAMLAssertion is 4–100,000 characters. [C model]
	minAssertionLen = 4
	maxAssertionLen = 100_000
	// DurationSeconds is 900–43,200, default 3,600; the SessionDuration
	// attribute has the same range. [C model, assertions]
	minSessionSeconds     = 900
	maxSessionSeconds     = 43_200
	defaultSessionSeconds = 3600
	// RoleArn and PrincipalArn are 20–2,048 characters. [C model]
	minARNLen = 20
	maxARNLen = 2048
	// maxPolicyLen: the inline session Policy is at most 2,048 characters
	// [C model]; a policy that is not JSON is MalformedPolicyDocument. [C model]
	maxPolicyLen = 2048
	// clockSkew tolerated on Conditions NotBefore/NotOnOrAfter. [U] AWS
	// does not document one; SAML deployments commonly allow a few minutes.
	// The SubjectConfirmationData NotOnOrAfter gets none. [U]
	clockSkew = 5 * time.Minute
)

// AWS's attribute names (case-sensitive). [C assertions]
const (
	attrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	attrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	attrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	attrSourceIdentity  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
)

// SAML constants. [C SAML 2.0 core / saml-profiles]
const (
	statusSuccess     = "urn:oasis:names:tc:SAML:2.0:status:Success"
	methodBearer      = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	nameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
)

// The AWS sign-in endpoints a Recipient (the SAML:aud key) names: the
// global one and the regional ones. [C assertions; trust] The global form;
// [C] Amazon Connect's admin guide recommends regional endpoints, [U] their
// exact form https://<region>.signin.aws.amazon.com/saml.
const globalSignIn = "https://signin.aws.amazon.com/saml"

var regionalSignIn = regexp.MustCompile(`^https://[a-z]{2}(-[a-z]+)+-\d\.signin\.aws\.amazon\.com/saml$`)

// stsErrorFacts: wire code → HTTP status for STS. [C model] for
// MalformedPolicyDocument, PackedPolicyTooLarge, IDPRejectedClaim (403),
// InvalidIdentityToken, ExpiredTokenException, RegionDisabledException
// (403); [C troubleshoot] AccessDenied 403; ValidationError 400, the code
// STS answers a malformed ARN with ("Principal ARN is invalid", "Request
// ARN is invalid": [C] as users of Versent/saml2aws issue #536 and
// physera/onelogin-aws-cli issue #12 quote real STS answers).
var stsErrorFacts = map[string]errorFact{
	"MalformedPolicyDocument": {http.StatusBadRequest, "Sender", "The policy document is malformed."},
	"PackedPolicyTooLarge":    {http.StatusBadRequest, "Sender", "The packed policy is too large."},
	"IDPRejectedClaim":        {http.StatusForbidden, "Sender", msgIdPRejected},
	"InvalidIdentityToken":    {http.StatusBadRequest, "Sender", "The token could not be validated."},
	"ExpiredTokenException":   {http.StatusBadRequest, "Sender", msgExpired},
	"RegionDisabledException": {http.StatusForbidden, "Sender", "STS is not activated in this region."},
	"AccessDenied":            {http.StatusForbidden, "Sender", msgNotAuthorized},
	"ValidationError":         {http.StatusBadRequest, "Sender", "The request has an invalid parameter."},
}

// What each refusal answers. Texts marked [C] are quoted by the
// troubleshooting guide with their code; for the others the rule is [C]
// (from the source named) and the code [U]: AWS documents the rule, not
// which code violates it, and the fake picks InvalidIdentityToken ("could
// not be validated by AWS", [C model]) for a Response AWS cannot accept,
// ExpiredTokenException ("expired", [C model]) for one past its time, and
// IDPRejectedClaim ("the IdP reported that authentication failed", [C
// model]) for a Response whose Status is not Success.
const (
	msgSignatureInvalid    = "Response signature invalid"                                                      // [C troubleshoot] InvalidIdentityToken 400
	msgSessionNameRequired = "RoleSessionName is required in AuthnResponse"                                    // [C troubleshoot] InvalidIdentityToken 400
	msgSessionNamePattern  = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"            // [C troubleshoot]
	msgSourceIdentity      = `Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`   // [C troubleshoot]
	msgNotAuthorized       = "Not authorized to perform sts:AssumeRoleWithSAML"                                // [C troubleshoot] AccessDenied 403: role missing or its trust policy does not allow the call
	msgIssuerNotPresent    = "Issuer not present in specified provider"                                        // [C troubleshoot text; U code]
	msgNoProvider          = "Specified provider doesn't exist."                                               // [C troubleshoot text; U code]
	msgDurationTooLong     = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." // [C troubleshoot topic; U code ValidationError]
	msgSessionNameOne      = "RoleSessionName in AuthnResponse must have exactly one value"                    // [C assertions: one value]
	msgOneConfirmation     = "The response must contain exactly one SubjectConfirmation"                       // [C assertions]
	msgConfirmationData    = "SubjectConfirmationData must contain both NotOnOrAfter and Recipient"            // [C assertions]
	msgBearer              = "SubjectConfirmation Method must be bearer"                                       // [C saml-profiles]
	msgOneSubject          = "The assertion must contain exactly one Subject"                                  // [C SAML core: Subject 0..1; AWS needs one]
	msgOneConditions       = "The assertion must contain at most one Conditions"                               // [C SAML core: Conditions 0..1]
	msgOneAssertion        = "The response must contain exactly one assertion"                                 // [U] AWS reads one assertion
	msgNotYetValid         = "The assertion is not yet valid"                                                  // [C SAML core NotBefore]
	msgExpired             = "Token is expired"                                                                // [U text] ExpiredTokenException
	msgIdPRejected         = "The identity provider reported that authentication failed"                       // [C model description]
	msgNotBase64           = "SAMLAssertion is not valid base64"                                               // [U text]
	msgMalformedResponse   = "Invalid SAML response"                                                           // [U text]
	msgSessionDuration     = "SessionDuration must be between 900 and 43200 seconds"                           // [C assertions]
	msgReplay              = "Duplicate SAML assertion: an assertion ID can be used only once"                 // [U text and code; the rule is SAML profiles §4.1.4.5, one-time use of bearer assertions]
	msgRoleNotInAssertion  = "The Role attribute does not name the requested role and provider"                // [U text; AccessDenied as a role the Response does not grant]
	msgNoRoleAttribute     = "Your request included an invalid SAML response."                                 // [C troubleshoot] console: no Role attribute
	msgEncryptionRequired  = "The SAML provider requires an encrypted assertion"                               // [U text; C rule: AssertionEncryptionMode Required]
	msgCannotDecrypt       = "The encrypted assertion cannot be decrypted with the provider's private keys"    // [U text]
	msgRecipientEndpoint   = "The Recipient does not match the AWS sign-in endpoint"                           // [C assertions: Recipient must match the endpoint]
)

// Assertion encryption. [C] botocore IAM model: AssertionEncryptionMode
// Required|Allowed, AddPrivateKey 1–16,384 characters of PEM,
// RemovePrivateKey 22–64 [A-Z0-9]; PrivateKeyList of at most 2 (KeyId,
// Timestamp); [C troubleshoot] the messages below. [U] their code
// (InvalidInput, as IAM answers other bad input).
const (
	encryptionRequired   = "Required"
	encryptionAllowed    = "Allowed"
	maxPrivateKeys       = 2
	maxPrivateKeyLen     = 16_384
	msgInvalidPrivateKey = "Invalid private key."                                                                                       // [C troubleshoot]
	msgRemoveKeyFailed   = "Failed to remove private key."                                                                              // [C troubleshoot]
	msgRemoveKeyNoMatch  = "Failed to remove private key because the Key ID does not match a private key."                              // [C troubleshoot]
	msgRequiredNoKey     = "Unable to set assertion encryption mode to Required because no private key is provided."                    // [C troubleshoot]
	msgAddAndRemove      = "Unable to add and remove private keys in the same request. Set a value for only one of the two parameters." // [C troubleshoot]
	msgKeyLimit          = "Private key limit of 2 is reached."                                                                         // [C troubleshoot]
)

// Rules whose code lives next to what it checks, with their sources:
//   - Trust policy evaluation (trustpolicy.go): [C trust] Allow
//     sts:AssumeRoleWithSAML for Principal.Federated = the provider with
//     SAML:aud; [C assertions] SAML:aud is the Recipient, not the Audience;
//     [U] the fake requires the SAML:aud condition and evaluates only
//     StringEquals/StringLike on it. A Recipient the condition does not
//     allow (a wrong Recipient) is therefore AccessDenied. [C troubleshoot]
//   - The fake's SignInURL stands for https://signin.aws.amazon.com/saml
//     as the Recipient (judge.go): it is the endpoint the fake plays.
//   - Replay (judge.go): [C] SAML 2.0 profiles §4.1.4.5, a bearer
//     assertion is used once; [U] AWS's code and whether STS and the
//     console share one replay cache (the fake: InvalidIdentityToken, one
//     cache). Only accepted assertions are remembered, until their
//     NotOnOrAfter.
//   - Role MaxSessionDuration 3,600 s (judge.go): [C] IAM's default.
//   - Session token (sigv4.go): [C] SigV4 with temporary credentials sends
//     X-Amz-Security-Token; [U] the code for a missing or wrong one
//     (InvalidClientTokenId).
//   - Tags (tags.go): [C model] lengths and characters; [C IAM User Guide,
//     "Tagging IAM resources"] no aws: prefix; [C API reference] "The
//     returned list of tags is sorted by tag key".
//   - ValidUntil (metadata.go): [C API reference] only "the expiration date
//     and time for the SAML provider"; [U] derived from the metadata's
//     validUntil, kept by an update whose document has none.
//   - Assertion encryption (privatekeys.go, decrypt.go): the constants
//     above; [U] the XML Encryption algorithms IAM accepts.
