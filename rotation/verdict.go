package rotation

import (
	"context"
	"errors"
)

// ErrSignInRejected matches the error of a [SignInJudge] whose service
// refused a sign-in: the relying party itself says the Response would not
// sign anyone in.
var ErrSignInRejected = errors.New("rotation: the relying party rejected the sign-in")

// SignInJudge is implemented by relying parties that can ask their own
// service whether it accepts a SAML Response, as AWS STS
// AssumeRoleWithSAML does for an IAM SAML provider and a role. Verification
// uses it, when the relying party implements it, to get the service's
// verdict beside its own local check.
//
// JudgeSignIn presents samlResponse (base64, as an IdP-initiated login
// posts it) for roleARN through trust. It returns nil when the service
// accepts it; an error matching [ErrSignInRejected] that carries the
// service's error code when the service refuses it; and any other error
// (classified with [Transient] or [Permanent]) when no verdict was
// obtained. Whatever the service issues on acceptance (temporary
// credentials) is discarded at once: never returned, logged or journaled.
type SignInJudge interface {
	JudgeSignIn(ctx context.Context, trust TrustRef, roleARN, samlResponse string) error
}
