package rotation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// preflightReads reads, at once, what preflight needs once the contact
// centers are known: the trusts (trusts reads the document of every trust
// any app names, then those no app names), the validUntil the identity
// provider's metadata gives each trust in scope, and whether verification's
// sign-ins can work (see checkSignIn).
func (s *preflightStep) preflightReads(ctx context.Context, ccs []ContactCenter, trusts func(context.Context) error) (until map[string]time.Time, err error) {
	err = s.all(ctx, trusts,
		func(ctx context.Context) (err error) { until, err = s.idpValidUntil(ctx, ccs); return err },
		func(ctx context.Context) error { return s.checkSignIn(ctx, ccs) })
	return until, err
}

// idpValidUntil returns, for every trust of ccs, the validUntil of the
// metadata the identity provider publishes now for the first app that
// names it (absent when it gives none). The documents the rotation sets
// carry it (see State.document): a relying party's stored validUntil is
// an old download's, and once past it would make every new document
// invalid.
func (e *orgEnv) idpValidUntil(ctx context.Context, ccs []ContactCenter) (map[string]time.Time, error) {
	refs := trustRefs(ccs)
	until := make([]time.Time, len(refs))
	err := e.parallel(ctx, len(refs), func(ctx context.Context, i int) error {
		app := ccs[slices.IndexFunc(ccs, func(c ContactCenter) bool { return c.Trust == refs[i] })].App
		doc, err := e.idp.Metadata(ctx, app)
		if err != nil {
			return fmt.Errorf("read the IdP metadata of app %s: %w", app, err)
		}
		md, err := samlmeta.Parse(doc)
		if err != nil {
			return Permanent(fmt.Errorf("the IdP metadata of app %s: %w", app, err))
		}
		until[i] = md.ValidUntil()
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for i, ref := range refs {
		if !until[i].IsZero() {
			out[ref.ARN] = until[i].UTC()
		}
	}
	return out, nil
}

// flagStructural is the voicecert flag that rotates with structural
// verification only (see WithStructuralVerification).
const flagStructural = "--verify=structural"

// ReadinessError refuses, before any change, a rotation whose verification
// could not sign in: the session cannot open a UI session, or the user may
// not sign in to some app. Nothing was changed. It matches ErrRefused and
// ErrInvalidInput.
type ReadinessError struct {
	// Missing says, one entry per cause, what is missing and how to fix
	// it (the scope, the profile or permission set).
	Missing []string
}

func (e *ReadinessError) Error() string {
	return "verification could not sign in: " + strings.Join(e.Missing, "; ") +
		"; fix it, or rotate with structural verification only (three-way agreement on the certificates, no sign-in): " +
		flagStructural + " (WithStructuralVerification); nothing was changed"
}

// Is makes errors.Is(err, ErrRefused) and errors.Is(err, ErrInvalidInput)
// true.
func (e *ReadinessError) Is(target error) bool {
	return target == ErrRefused || target == ErrInvalidInput
}

// checkSignIn asks an identity provider that can tell (see SignInChecker)
// whether verification's sign-ins can work for the apps of ccs, and
// refuses the rotation with a *ReadinessError when they cannot. Without
// sign-ins (no LoginTester, or structural verification) there is nothing
// to ask.
func (e *orgEnv) checkSignIn(ctx context.Context, ccs []ContactCenter) error {
	sc, ok := e.idp.(SignInChecker)
	if _, logs := e.idp.(LoginTester); !ok || !logs || e.opts.StructuralVerification {
		return nil
	}
	var apps []AppRef
	for _, c := range ccs {
		if signsIn(c) && !slices.Contains(apps, c.App) {
			apps = append(apps, c.App)
		}
	}
	r, err := sc.CheckSignIn(ctx, apps)
	if err != nil {
		return fmt.Errorf("check that verification can sign in: %w", err)
	}
	var missing []string
	if !r.UISession {
		why := r.Why
		if why == "" {
			why = "the session's token needs the web or full scope"
		}
		missing = append(missing, fmt.Sprintf("the session cannot open a UI session (scopes %s): %s", scopes(r.Scopes), why))
	}
	for _, a := range r.Apps {
		if !a.Access {
			missing = append(missing, fmt.Sprintf("the user may not sign in to app %s: %s", a.App, a.Why))
		}
	}
	if len(missing) > 0 {
		return Permanent(&ReadinessError{Missing: missing})
	}
	return nil
}

func scopes(s []string) string {
	if len(s) == 0 {
		return "unknown"
	}
	return strings.Join(s, " ")
}
