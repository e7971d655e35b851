package rotation

import (
	"context"
	"errors"
	"fmt"
)

// VerdictOutcome is what a relying party said of one Response.
type VerdictOutcome string

// The outcomes of a [SignInVerdict].
const (
	// VerdictAccepted: the service accepted the Response (AWS STS issued
	// credentials, which were discarded at once).
	VerdictAccepted VerdictOutcome = "accepted"
	// VerdictRejected: the service refused the Response; Code says why.
	VerdictRejected VerdictOutcome = "rejected"
	// VerdictNotAsked: the service was not asked; Detail says why.
	VerdictNotAsked VerdictOutcome = "not-asked"
)

// SignInVerdict is the relying party's own verdict on the Response of one
// contact center (see [SignInJudge]).
type SignInVerdict struct {
	Outcome VerdictOutcome `json:"outcome"`
	// Code is the service's error code of a rejection (for AWS STS
	// IDPRejectedClaim, InvalidIdentityToken, ExpiredTokenException, …),
	// when the error carries one.
	Code string `json:"code,omitempty"`
	// Detail is the rejection's message, or why the service was not asked.
	Detail string `json:"detail,omitempty"`
}

// String says the verdict in a few words.
func (v SignInVerdict) String() string {
	switch v.Outcome {
	case VerdictAccepted:
		return "accepted"
	case VerdictRejected:
		if v.Code != "" {
			return "rejected (" + v.Code + ")"
		}
		return "rejected"
	default:
		return "not asked: " + v.Detail
	}
}

// LocalResult is the outcome of verification's own check of a Response.
type LocalResult string

// The results of a [LocalCheck].
const (
	LocalVerified   LocalResult = "verified"
	LocalFailed     LocalResult = "failed"
	LocalNotChecked LocalResult = "not-checked"
)

// LocalCheck is verification's own check of one contact center's Response
// against the document its trust holds.
type LocalCheck struct {
	Result LocalResult `json:"result"`
	// Encrypted reports a Response that carried an EncryptedAssertion: the
	// local check verified its outer signature and Issuer only, and the
	// relying party's verdict is the one that counts.
	Encrypted bool `json:"encrypted,omitempty"`
	// SHA1 reports a SHA-1 signature accepted because the identity
	// provider reports the app configured SHA1.
	SHA1 bool `json:"sha1,omitempty"`
	// Detail says why nothing was checked, or what failed.
	Detail string `json:"detail,omitempty"`
}

// String says the local result in a few words.
func (l LocalCheck) String() string {
	s := string(l.Result)
	if l.Encrypted {
		s += " (assertion encrypted: outer signature only)"
	}
	if l.SHA1 {
		s += " (SHA-1, as the app is configured)"
	}
	if l.Detail != "" && l.Result != LocalVerified {
		s += ": " + l.Detail
	}
	return s
}

// Why the relying party was not asked.
const (
	whyLocalOnly  = "local verdict only (WithLocalVerdictOnly)"
	whyStructural = "structural verification only (WithStructuralVerification): nothing signs in"
	whyNoResponse = "no Response: the identity provider cannot sign one (no LoginTester)"
	whyNoLogin    = "no Response: the identity provider lists no login id for this app of no contact center; its trust is checked structurally"
)

// signsIn reports whether verification signs in to c's app: not when c
// stands for a SAML app of no contact center (see WithAppRelyingParty)
// whose identity provider lists no login id for it. Such an app is
// verified structurally: its trust must hold the certificate the app's
// metadata says it signs with.
func signsIn(c ContactCenter) bool { return c.Name != "" || c.App.LoginID != "" }

// judge returns the relying party's judge, or nil and why it is not asked.
func (e *orgEnv) judge() (SignInJudge, string) {
	switch j, ok := e.rp.(SignInJudge); {
	case e.opts.StructuralVerification:
		return nil, whyStructural
	case e.opts.LocalVerdictOnly:
		return nil, whyLocalOnly
	case !ok:
		return nil, fmt.Sprintf("relying party %s cannot judge a sign-in", e.rp.Name())
	default:
		return j, ""
	}
}

// judgeSignIn presents resp for contact center c and returns the verdict.
// An error is returned only when no verdict was obtained. The call and its
// outcome are audited; whatever the service issued never reaches here.
func (e *orgEnv) judgeSignIn(ctx context.Context, j SignInJudge, c ContactCenter, resp string) (SignInVerdict, error) {
	err := j.JudgeSignIn(ctx, c.Trust, c.RoleARN, resp)
	v := SignInVerdict{Outcome: VerdictAccepted}
	switch {
	case errors.Is(err, ErrSignInRejected):
		v = SignInVerdict{Outcome: VerdictRejected, Code: rejectionCode(err), Detail: err.Error()}
	case err != nil:
		return SignInVerdict{}, fmt.Errorf("ask %s for its verdict on app %s: %w", e.rp.Name(), c.App, err)
	}
	e.opts.Logger.InfoContext(ctx, "audit: sign-in judged by the relying party", "relying_party", e.rp.Name(),
		"trust", c.Trust.ARN, "role", c.RoleARN, "app", c.App.Name, "verdict", string(v.Outcome), "code", v.Code)
	return v, nil
}

// rejectionCode returns the service's error code that err carries (an
// AWS SDK API error says it with ErrorCode), or "".
func rejectionCode(err error) string {
	if c, ok := errors.AsType[interface {
		error
		ErrorCode() string
	}](err); ok {
		return c.ErrorCode()
	}
	return ""
}

// rejected returns the problem a rejection makes, with the service's code.
func rejected(c ContactCenter, signedWith string, v SignInVerdict) string {
	code := v.Code
	if code == "" {
		code = "no code"
	}
	return fmt.Sprintf("the relying party rejected the Response of app %s signed with %s for role %s through trust %s: %s (%s)",
		c.App, short(signedWith), c.RoleARN, c.Trust, code, v.Detail)
}

// emitVerification hands v to the rotation's observers as an
// EventVerified of the running step.
func emitVerification(ctx context.Context, v *Verification, msg string) {
	emitFrom(ctx, Event{Type: EventVerified, Verification: v, Message: msg})
}
