package aws

import (
	"regexp"
	"strings"
)

// This file gathers the facts about IAM, Amazon Connect and Salesforce that
// the backend relies on, each with its status: [C] confirmed (SDK source,
// service model, a probe of the SDK, AWS or Salesforce documentation),
// [U] uncertain (inferred; verify against a real account and correct it
// here, in one place).

// DefaultProviderName is the IAM SAML provider Service Cloud Voice creates
// for native Amazon Connect telephony. [C] Salesforce's SCV provisioning
// policy names it.
const DefaultProviderName = "SalesforceServiceVoiceIdp"

// partnerProviderPrefix is the name Salesforce Help gives the provider for
// Partner Telephony from Amazon Connect integrated by XML import:
// SalesforceVoiceIdp_<OrgId>, or SalesforceVoiceIdp alone. [C] both names
// are in Salesforce Help; [U] whether the 15- or the 18-character org id is
// used, so both are tried.
const partnerProviderPrefix = "SalesforceVoiceIdp"

// DefaultProviderNames returns the provider names FindProvider tries, in
// order, when it is given no name: SalesforceServiceVoiceIdp, then
// SalesforceVoiceIdp_<orgID> (for an 18-character org id also its
// 15-character form), then SalesforceVoiceIdp. An empty orgID skips the
// org-specific names.
func DefaultProviderNames(orgID string) []string {
	names := []string{DefaultProviderName}
	if orgID != "" {
		names = append(names, partnerProviderPrefix+"_"+orgID)
		if len(orgID) == 18 {
			names = append(names, partnerProviderPrefix+"_"+orgID[:15])
		}
	}
	return append(names, partnerProviderPrefix)
}

// GlobalSignInAudience is the AWS sign-in endpoint a role's trust policy
// names in its SAML:aud condition. [C] IAM user guide.
const GlobalSignInAudience = "https://signin.aws.amazon.com/saml"

// regionalAudience matches the regional sign-in endpoints Amazon Connect
// recommends. [C] that regional endpoints exist and are recommended; [U] the
// exact form https://<region>.signin.aws.amazon.com/saml.
var regionalAudience = regexp.MustCompile(`^https://[a-z]{2}(-[a-z]+)+-\d\.signin\.aws\.amazon\.com/saml$`)

// isSignInAudience reports whether aud is the global or a regional AWS
// sign-in endpoint. [U] other partitions' endpoints (aws-cn, aws-us-gov)
// are not recognised.
func isSignInAudience(aud string) bool {
	return aud == GlobalSignInAudience || regionalAudience.MatchString(aud)
}

// samlAudKey is the condition key of the audience. [U] that condition keys
// compare case-insensitively (a general IAM rule, not re-read for SAML:aud),
// so the key is compared in lower case.
const samlAudKey = "saml:aud"

// Error classification after the SDK's own retries. [C] the SDK's standard
// retryer retries ServiceFailure (500), Throttling and 5xx, and does not
// retry ConcurrentModification, LimitExceeded, NoSuchEntity or
// InvalidInput (probe recorded in the references); [C] IAM's advice for
// ConcurrentModification is to wait and submit again, which the backend does
// itself, bounded. A code in transientCodes is worth a later retry by the
// engine; every other code is permanent.
var transientCodes = map[string]bool{
	"ServiceFailure":          true,
	"ServiceUnavailable":      true,
	"Throttling":              true,
	"ThrottlingException":     true,
	"RequestLimitExceeded":    true,
	"RequestTimeout":          true,
	"RequestTimeoutException": true,
	"InternalFailure":         true,
	"ConcurrentModification":  true,
}

const (
	codeNoSuchEntity           = "NoSuchEntity"           // [C] 404
	codeInvalidInput           = "InvalidInput"           // [C] 400
	codeConcurrentModification = "ConcurrentModification" // [C] 409, UpdateSAMLProvider since 2025
)

// Tag values allow letters, digits, white space and _.:/=+-@ and at most 256
// characters. [C] IAM service model (tagValueType).
const tagValueMax = 256

// Tag keys allow the same characters and at most 128. [C] IAM service
// model (tagKeyType).
const tagKeyMax = 128

// sanitizeTagKey replaces the characters a tag key does not allow with "_".
func sanitizeTagKey(s string) string { return strings.Map(tagRune, s) }

func tagRune(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.:/=+-@", r):
		return r
	default:
		return '_'
	}
}

func sanitizeTagValue(s string) string {
	s = strings.Map(tagRune, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// STS AssumeRoleWithSAML. [C] botocore 1.43 / aws-sdk-go-v2 sts v1.52.0
// service model: the call is unsigned (auth none) and needs no IAM
// permission of the caller; its error shapes; DurationSeconds 900–43,200.
// [C] IAM User Guide, troubleshoot_saml.md: AccessDenied (403) "Not
// authorized to perform sts:AssumeRoleWithSAML" when the role is missing or
// its trust policy does not allow the provider.
//
// rejectionCodes are the codes by which STS judges the SAML Response (or
// the role's trust in it) and refuses it: a verdict, returned as a
// *SignInRejectedError. [C] model: IDPRejectedClaim ("the IdP reported that
// authentication failed… the claim is invalid"), InvalidIdentityToken
// ("could not be validated by AWS"), ExpiredTokenException ("expired");
// [C troubleshoot] AccessDenied. Every other code (ValidationError,
// MalformedPolicyDocument, PackedPolicyTooLarge, RegionDisabledException,
// throttling, 5xx) gives no verdict on the Response and is an *APIError.
var rejectionCodes = map[string]bool{
	"IDPRejectedClaim":      true,
	"InvalidIdentityToken":  true,
	"ExpiredTokenException": true,
	"AccessDenied":          true,
}

// minSTSSessionSeconds is the DurationSeconds JudgeSignIn asks for: the
// shortest session STS issues, so that the credentials it drops expire
// soonest. [C model: minimum 900]
const minSTSSessionSeconds = 900
