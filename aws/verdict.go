package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/voicecert/voicecert/rotation"
)

// STSAPI is the part of the STS API JudgeSignIn calls. *sts.Client
// satisfies it.
type STSAPI interface {
	AssumeRoleWithSAML(ctx context.Context, in *sts.AssumeRoleWithSAMLInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithSAMLOutput, error)
}

var (
	_ STSAPI               = (*sts.Client)(nil)
	_ rotation.SignInJudge = (*RelyingParty)(nil)
	_ rotation.SignInJudge = Multi(nil)
)

// NewSTSClient returns the STS client New gives a RelyingParty: built from
// cfg (its region, and its endpoint: cfg.BaseEndpoint or, with a config
// from config.LoadDefaultConfig, AWS_ENDPOINT_URL_STS) with anonymous
// credentials, as AssumeRoleWithSAML is not signed.
func NewSTSClient(cfg awssdk.Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.Credentials = awssdk.AnonymousCredentials{} })
}

// SignInRejectedError is STS refusing a SAML Response: AWS's own verdict
// that the Response would not sign anyone in to Role through Trust. It
// matches rotation.ErrSignInRejected.
type SignInRejectedError struct {
	// Account is the account of the trust and the role.
	Account string
	// Trust is the SAML provider's ARN (PrincipalArn); Role the role's
	// (RoleArn).
	Trust, Role string
	// Code and Message are STS's: IDPRejectedClaim, InvalidIdentityToken,
	// ExpiredTokenException or AccessDenied.
	Code, Message string
}

func (e *SignInRejectedError) Error() string {
	return fmt.Sprintf("aws: account %s: STS refused the SAML Response for role %s through %s: %s: %s",
		orUnknown(e.Account), e.Role, e.Trust, e.Code, e.Message)
}

// Is makes errors.Is(err, rotation.ErrSignInRejected) true.
func (e *SignInRejectedError) Is(target error) bool { return target == rotation.ErrSignInRejected }

// JudgeSignIn asks STS whether it accepts samlResponse (base64) for
// roleARN through the SAML provider trust: one AssumeRoleWithSAML call in
// the trust's account, unsigned, for the shortest session STS issues. It
// implements rotation.SignInJudge.
//
// It returns nil when STS accepts; a *SignInRejectedError when STS refuses
// the Response (see rejectionCodes); an *APIError marked rotation.Transient
// (throttling, 5xx, no answer) or rotation.Permanent (any other code) when
// STS gave no verdict; rotation.ErrInvalidInput when trust or roleARN is
// not of this relying party's account. The temporary credentials STS
// issues are dropped at once: never returned, logged or kept. Each call is
// logged (account, trust, role, outcome, code; never the Response).
func (rp *RelyingParty) JudgeSignIn(ctx context.Context, trust rotation.TrustRef, roleARN, samlResponse string) error {
	trust, err := rp.resolve(trust)
	if err != nil {
		return err
	}
	role, err := parseARN(roleARN, "role/")
	if err != nil || role.account != trust.Account {
		return invalidRef(trust, fmt.Sprintf("cannot judge a sign-in to role %q, which is not a role of account %s", roleARN, trust.Account))
	}
	if rp.opts.STS == nil {
		return rotation.Permanent(fmt.Errorf("aws: account %s: no STS client to ask for a verdict (Options.STS)", trust.Account))
	}
	// Only the verdict is kept: the output, with its credentials, is
	// dropped here.
	_, err = rp.opts.STS.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
		RoleArn: &roleARN, PrincipalArn: &trust.ARN, SAMLAssertion: &samlResponse,
		DurationSeconds: awssdk.Int32(minSTSSessionSeconds),
	})
	log := rp.log.With("account", trust.Account, "trust", trust.ARN, "role", roleARN)
	if err == nil {
		log.InfoContext(ctx, "aws: STS AssumeRoleWithSAML", "outcome", "accepted")
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && rejectionCodes[ae.ErrorCode()] {
		log.WarnContext(ctx, "aws: STS AssumeRoleWithSAML", "outcome", "rejected", "code", ae.ErrorCode())
		return &SignInRejectedError{Account: trust.Account, Trust: trust.ARN, Role: roleARN, Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
	}
	mapped := mapError(err, trust.Account, "AssumeRoleWithSAML", roleARN)
	var re *awshttp.ResponseError
	var apiErr *APIError
	if errors.As(err, &re) && re.HTTPStatusCode() >= http.StatusInternalServerError && !rotation.IsTransient(mapped) &&
		errors.As(mapped, &apiErr) {
		mapped = rotation.Transient(apiErr) // [C] a 5xx is the service's failure, worth a later retry
	}
	code := ""
	if ae != nil {
		code = ae.ErrorCode()
	}
	log.WarnContext(ctx, "aws: STS AssumeRoleWithSAML", "outcome", "no verdict", "code", code)
	return mapped
}

// JudgeSignIn calls JudgeSignIn on the RelyingParty of trust's account.
func (m Multi) JudgeSignIn(ctx context.Context, trust rotation.TrustRef, roleARN, samlResponse string) error {
	rp, err := m.For(trust)
	if err != nil {
		return err
	}
	return rp.JudgeSignIn(ctx, trust, roleARN, samlResponse)
}
