package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/voicecert/voicecert/samlmeta"
)

// signIn is what verification learnt of one contact center's sign-in:
// the Response's local check and the relying party's verdict on it.
type signIn struct {
	loginErr  error // no Response
	judgeErr  error // no verdict
	checkErr  error // the local check failed
	assertion *samlmeta.Assertion
	local     LocalCheck
	verdict   SignInVerdict
	warning   string
}

// notChecked is the sign-in of a contact center nothing signed in for.
func notChecked(why string) signIn {
	return signIn{local: LocalCheck{Result: LocalNotChecked, Detail: why}, verdict: SignInVerdict{Outcome: VerdictNotAsked, Detail: why}}
}

// noResponse is the sign-in of a contact center whose login failed.
func noResponse(err error) signIn {
	return signIn{loginErr: err, local: LocalCheck{Result: LocalFailed, Detail: err.Error()},
		verdict: SignInVerdict{Outcome: VerdictNotAsked, Detail: "no Response to present"}}
}

// askVerdict records in s the relying party's verdict on resp for c (when j is
// not nil; why says otherwise why it is not asked).
func (e *orgEnv) askVerdict(ctx context.Context, s *signIn, j SignInJudge, why string, c ContactCenter, resp string) {
	if j == nil {
		s.verdict = SignInVerdict{Outcome: VerdictNotAsked, Detail: why}
		return
	}
	s.verdict, s.judgeErr = e.judgeSignIn(ctx, j, c, resp)
	if s.judgeErr != nil {
		s.verdict = SignInVerdict{Outcome: VerdictNotAsked, Detail: "no verdict: " + s.judgeErr.Error()}
	}
}

// judgeAside starts askVerdict on a goroutine of its own, so that the call is
// in flight while the caller checks the Response locally; wait returns
// once the verdict is in s.
func (e *orgEnv) judgeAside(ctx context.Context, s *signIn, j SignInJudge, why string, c ContactCenter, resp string) (wait func()) {
	var verdict signIn
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.askVerdict(ctx, &verdict, j, why, c, resp)
	}()
	return func() {
		<-done
		s.verdict, s.judgeErr = verdict.verdict, verdict.judgeErr
	}
}

// check checks resp locally against td for app and records the result in
// s. alg returns the signing algorithm the app is configured with; it is
// asked only for a SHA-1 Response.
func (e *orgEnv) check(s *signIn, td trustDoc, resp []byte, app AppRef, alg func() string) {
	var opts []samlmeta.VerifyOption
	if e.opts.AllowSHA1 {
		opts = append(opts, samlmeta.AllowSHA1())
	}
	verify := td.verifyResponse
	s.local = LocalCheck{Result: LocalVerified}
	if raw, ok := encryptedResponse(resp); ok {
		verify, resp, s.local.Encrypted = td.verifyEncrypted, raw, true
	}
	a, err := verify(resp, opts...)
	if errors.Is(err, samlmeta.ErrSHA1) && alg() == AlgorithmSHA1 {
		if a, err = verify(resp, append(opts, samlmeta.AllowSHA1())...); err == nil {
			s.local.SHA1, s.warning = true, sha1Warning(app)
		}
	}
	if err != nil {
		s.local = LocalCheck{Result: LocalFailed, Encrypted: s.local.Encrypted, Detail: err.Error()}
	}
	s.assertion, s.checkErr = a, err
}

// sha1Warning says that app's SHA-1 Response was accepted, and how to
// switch the app to SHA-256.
func sha1Warning(app AppRef) string {
	return fmt.Sprintf("app %s signs its SAML Responses with SHA-1 (its signing algorithm is set to SHA1), accepted for this app only; "+
		"switch it to SHA-256: in Setup, App Manager, edit the app's SAML settings and set Signing Algorithm to SHA256 "+
		"(Metadata API: samlConfig.samlSigningAlgoType SHA256)", app)
}

// signedIn records the sign-in s of contact center i, whose app must sign
// with signs. It returns an error that fails verification at once (no
// Response or no verdict, when strict); anything else is a problem of v.
func (v *Verification) signedIn(ctx context.Context, log *slog.Logger, i int, signs string, s signIn, strict bool) error {
	c := &v.ContactCenters[i]
	c.Local, c.Verdict = s.local, s.verdict
	if s.warning != "" {
		v.Warnings = append(v.Warnings, s.warning)
		log.WarnContext(ctx, s.warning, "app", c.ContactCenter.App.Name)
	}
	switch a := s.assertion; {
	case s.local.Result == LocalNotChecked && s.loginErr == nil:
		return nil
	case s.loginErr != nil && strict:
		return s.loginErr
	case s.loginErr != nil:
		v.problem(i, "%v", s.loginErr)
		return nil
	case s.judgeErr != nil && strict:
		return s.judgeErr
	case s.judgeErr != nil:
		v.problem(i, "%v", s.judgeErr)
	case s.checkErr != nil:
		v.problem(i, "a Response for app %s does not verify against trust %s: %v", c.ContactCenter.App, c.ContactCenter.Trust, s.checkErr)
	case a.SignedBy == nil || a.SignedBy.SHA256 != signs:
		v.problem(i, "a Response for app %s is not signed with %s", c.ContactCenter.App, short(signs))
	default:
		c.SignedBy, c.issuer = a.SignedBy.SHA256, a.Issuer
	}
	if s.verdict.Outcome == VerdictRejected {
		v.problem(i, "%s", rejected(c.ContactCenter, signs, s.verdict))
	}
	return nil
}

// logAttrs summarises v for an event's log record.
func (v *Verification) logAttrs() []slog.Attr {
	counts := map[VerdictOutcome]int{}
	for _, c := range v.ContactCenters {
		counts[c.Verdict.Outcome]++
	}
	attrs := []slog.Attr{slog.Int("contact_centers", len(v.ContactCenters)), slog.Int("accepted", counts[VerdictAccepted]),
		slog.Int("rejected", counts[VerdictRejected]), slog.Int("not_asked", counts[VerdictNotAsked])}
	if len(v.Problems) > 0 {
		attrs = append(attrs, slog.Int("problems", len(v.Problems)))
	}
	if len(v.Warnings) > 0 {
		attrs = append(attrs, slog.Int("warnings", len(v.Warnings)))
	}
	return attrs
}
