package rotation

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRefused matches every refusal of a change before it is sent: a
// *[ConflictError] (what is there is not what the plan or the journal
// expects), an *[InvariantError] (the change would break a sign-in), an
// *[InUseError] (a certificate still in use), and, in preflight, an
// *[AffectedAppsError] (apps whose service provider is not updated) and an
// *[ExcludeError] (an exclusion that would break a sign-in). A refused change changed
// nothing; the engine neither retries it nor rolls back further after a
// refused rollback.
var ErrRefused = errors.New("rotation: change refused")

// ConflictError reports a resource that is not what the plan (or, in a
// rollback, the journal) expects it to be: someone or something else has
// changed it since. Nothing was changed.
type ConflictError struct {
	// Resource names what was compared ("IAM trust arn:…", "org default
	// certificate", "app X").
	Resource string
	// Expected and Actual say what was expected and what is there.
	Expected, Actual string
	// Newer is the id of the rotation that made the change, when a journal
	// says so.
	Newer string
	// Advice says what the operator can do.
	Advice string
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s is not as expected: expected %s, found %s", e.Resource, e.Expected, e.Actual)
	if e.Newer != "" {
		fmt.Fprintf(&b, " (changed by rotation %s)", e.Newer)
	}
	if e.Advice != "" {
		b.WriteString("; " + e.Advice)
	}
	return b.String() + "; nothing was changed"
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *ConflictError) Is(target error) bool { return target == ErrRefused }

// InvariantError reports a change refused because, on the model predicted
// after it, some app would sign with a certificate its trust does not hold.
type InvariantError struct {
	Transition Transition
	Broken     []Breakage
}

func (e *InvariantError) Error() string {
	s := make([]string, len(e.Broken))
	for i, b := range e.Broken {
		s[i] = b.String()
	}
	return fmt.Sprintf("refused to %s: %s; nothing was changed", e.Transition, strings.Join(s, "; "))
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *InvariantError) Is(target error) bool { return target == ErrRefused }

// InUseError reports a certificate that was not deleted because something
// still uses it.
type InUseError struct {
	Certificate string
	// Users says what uses it ("the org default", "app X", "trust arn:…",
	// "rotation R").
	Users []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("certificate %s is not deleted: still used by %s", e.Certificate, strings.Join(e.Users, ", "))
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *InUseError) Is(target error) bool { return target == ErrRefused }

// AffectedAppsError refuses a rotation, in preflight, that would switch
// the certificate of SAML apps of no contact center that follow the org
// default while their service providers are not updated: their sign-in
// would break. Each must be acknowledged (WithAcceptAffected), given a
// relying party (WithAppRelyingParty) or pinned to the current
// certificate first. Nothing was changed.
type AffectedAppsError struct {
	// Apps are the apps' API names.
	Apps []string
	// Certificate is the SHA-256 of the certificate they sign with now.
	Certificate string
}

func (e *AffectedAppsError) Error() string {
	return fmt.Sprintf("the rotation would switch SAML apps whose service providers it does not update: %s "+
		"(they follow the org default %s); acknowledge each, supply a relying party for it, or pin it to the current certificate first; nothing was changed",
		strings.Join(e.Apps, ", "), short(e.Certificate))
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *AffectedAppsError) Is(target error) bool { return target == ErrRefused }

// ExcludeError refuses, in preflight, an exclusion of trusts
// (WithExcludeTrusts) that would break a sign-in: Cause, an
// *InvariantError, names the change of the plan and what breaks. Nothing
// was changed.
type ExcludeError struct {
	Trusts []string
	Cause  error
}

func (e *ExcludeError) Error() string {
	return fmt.Sprintf("cannot exclude %s: %v", strings.Join(e.Trusts, ", "), e.Cause)
}

// Unwrap returns Cause.
func (e *ExcludeError) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrRefused) true.
func (e *ExcludeError) Is(target error) bool { return target == ErrRefused }
