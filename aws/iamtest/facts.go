package iamtest

import "net/http"

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
const (
	stsVersion = "2011-06-15"
	stsXMLNS   = "https://sts.amazonaws.com/doc/2011-06-15/"
)
