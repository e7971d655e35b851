package samlmeta

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// The AWS sign-in endpoint, to which an IdP posts a Response for the AWS
// console and which AWS requires as the Recipient (facts.go).
const AWSSignInURL = "https://signin.aws.amazon.com/saml"

// AWSAudienceURN is the second audience value AWS documents for a
// Response ("urn:amazon:webservices"), besides AWSSignInURL.
const AWSAudienceURN = "urn:amazon:webservices"

// regionalSignIn matches a regional sign-in endpoint,
// https://<region>.signin.aws.amazon.com/saml.
var regionalSignIn = regexp.MustCompile(`^https://[a-z]{2}(-[a-z]+)+-[0-9]+\.signin\.aws\.amazon\.com/saml$`)

// roleSessionName is AWS's pattern for RoleSessionName: 2 to 64
// characters, [\w+=,.@-] (facts.go).
var roleSessionName = regexp.MustCompile(`^[\w+=,.@-]{` + awsRoleSessionNameMin + `,` + awsRoleSessionNameMax + `}$`)

// IsAWSSignInURL reports whether u is the global AWS sign-in endpoint
// (AWSSignInURL) or a regional one, https://<region>.signin.aws.amazon.com/saml.
func IsAWSSignInURL(u string) bool {
	return u == AWSSignInURL || regionalSignIn.MatchString(u)
}

type awsSignIn struct{ provider, role string }

// RequireAWSSignIn makes VerifyResponse apply what AWS requires of a
// Response for a sign-in through the IAM SAML provider providerARN
// (console sign-in and STS AssumeRoleWithSAML; facts.go has the sources):
//
//   - exactly one SubjectConfirmation, with the bearer method
//     (ErrSubjectConfirmation; holder-of-key: ErrHolderOfKey), whose
//     SubjectConfirmationData has a Recipient that is an AWS sign-in
//     endpoint, global or regional (ErrRecipient; see IsAWSSignInURL), and
//     a NotOnOrAfter still ahead at the verifier's clock, less the clock
//     skew (WithClockSkew, default DefaultClockSkew, the tolerance of
//     the Conditions too; ErrConfirmationExpired);
//   - the RoleSessionName attribute with exactly one value of 2 to 64
//     characters of letters, digits and _+=,.@- (ErrRoleSessionName);
//   - a Role attribute value pairing providerARN with a role ARN, in
//     either order, and with roleARN when it is not empty (ErrRole).
//
// AWS only says it "should" be an audience, so the audience is not
// required: Assertion.HasAWSAudience reports it, and WithAudience requires
// one. A second Subject or Conditions is refused whatever the options
// (ErrDuplicateElement). When the assertion is encrypted
// (AllowEncryptedAssertion) none of these checks can run, which the
// returned Assertion's Encrypted says.
func RequireAWSSignIn(providerARN, roleARN string) VerifyOption {
	return func(o *verifyOptions) { o.aws = &awsSignIn{provider: providerARN, role: roleARN} }
}

// HasAWSAudience reports whether one of the Assertion's audiences is one
// AWS documents (AWSSignInURL or AWSAudienceURN), which AWS says a
// Response "should" carry but does not require.
func (a *Assertion) HasAWSAudience() bool {
	return slices.ContainsFunc(a.audiences, func(s string) bool { return s == AWSSignInURL || s == AWSAudienceURN })
}

// confirmation is one SubjectConfirmation as read from the Assertion.
type confirmation struct {
	method       string
	hasData      bool
	recipient    string
	notOnOrAfter time.Time
}

// check applies the policy to a verified, plaintext Assertion.
func (p *awsSignIn) check(a *Assertion, now time.Time, skew time.Duration) error {
	if n := len(a.confirmations); n != 1 {
		return wrapf(ErrSubjectConfirmation, "%d SubjectConfirmation elements, AWS requires exactly one", n)
	}
	c := a.confirmations[0]
	switch {
	case c.method == methodHolderOfKey:
		return wrapf(ErrHolderOfKey, "SubjectConfirmation method %s, AWS requires %s", c.method, methodBearer)
	case c.method != methodBearer:
		return wrapf(ErrSubjectConfirmation, "SubjectConfirmation method %q, AWS requires %s", c.method, methodBearer)
	case !c.hasData:
		return wrapf(ErrSubjectConfirmation, "the SubjectConfirmation has no SubjectConfirmationData")
	case c.recipient == "":
		return wrapf(ErrRecipient, "the SubjectConfirmationData has no Recipient")
	case !IsAWSSignInURL(c.recipient):
		return wrapf(ErrRecipient, "Recipient %q is not an AWS sign-in endpoint (%s or a regional one)", c.recipient, AWSSignInURL)
	case c.notOnOrAfter.IsZero():
		return wrapf(ErrConfirmationExpired, "the SubjectConfirmationData has no NotOnOrAfter")
	case !now.Add(-skew).Before(c.notOnOrAfter):
		return wrapf(ErrConfirmationExpired, "SubjectConfirmationData NotOnOrAfter %s has passed (now %s)", formatDateTime(c.notOnOrAfter), formatDateTime(now))
	}
	names := a.Attributes[AttrRoleSessionName]
	if len(names) != 1 {
		return wrapf(ErrRoleSessionName, "%d values of %s, AWS requires exactly one", len(names), AttrRoleSessionName)
	}
	if !roleSessionName.MatchString(names[0]) {
		return wrapf(ErrRoleSessionName, "%q is not 2 to 64 characters of letters, digits and _+=,.@-", names[0])
	}
	if p.provider == "" {
		return wrapf(ErrRole, "no SAML provider ARN to compare the Role attribute with")
	}
	for _, v := range a.Roles {
		role, provider, ok := SplitRole(v)
		if ok && provider == p.provider && (p.role == "" || role == p.role) {
			return nil
		}
	}
	want := "a role"
	if p.role != "" {
		want = p.role
	}
	return wrapf(ErrRole, "no value of %s pairs %s with %s (%d values)", AttrRole, p.provider, want, len(a.Roles))
}

// SplitRole splits a Role attribute value, a role ARN and a SAML provider
// ARN separated by a comma in either order (AWS accepts both), into the
// role and the provider. ok is false unless exactly one part names a role
// (":role/") and the other a SAML provider (":saml-provider/").
func SplitRole(v string) (role, provider string, ok bool) {
	a, b, found := strings.Cut(v, ",")
	if !found || strings.Contains(b, ",") {
		return "", "", false
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if isSAMLProviderARN(a) {
		a, b = b, a
	}
	if !isRoleARN(a) || !isSAMLProviderARN(b) {
		return "", "", false
	}
	return a, b, true
}

func isRoleARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":iam::") && strings.Contains(s, ":role/")
}

func isSAMLProviderARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":iam::") && strings.Contains(s, ":saml-provider/")
}
