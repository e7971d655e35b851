package rotation

import (
	"context"
	"fmt"
)

// The overlap's check of the old certificate. Once every trust in scope
// holds the two-certificate document, and before the identity provider
// switches, a Response signed with the certificate an app signs with now
// (the old one) is presented to the relying party for every trust and
// every such certificate: its acceptance proves that the service took the
// two-certificate document and still trusts that key. One contact center
// stands for all those whose app signs with the same certificate behind
// the same trust, since what is proved is the document's, not the app's
// (every app is judged at verification); so an org of many contact
// centers opens a few STS sessions here, not one per contact center. The
// sign-ins go out while the documents are set; only the verdicts wait for
// them. It runs only when the relying party can judge a sign-in (see
// SignInJudge) and the identity provider can sign a Response (see
// LoginTester).

// oldChecker returns what the trust step needs to check the old
// certificate, or ok false when it does not.
func (s *trustStep) oldChecker() (lt LoginTester, j SignInJudge, ok bool) {
	if s.stage != stageOverlap {
		return nil, nil, false
	}
	lt, logs := s.idp.(LoginTester)
	j, _ = s.judge()
	return lt, j, logs && j != nil
}

// setOverlapChecked sets the overlap documents while the app of each
// representative contact center (see oldRepresentatives) signs in and its
// Response is checked against the overlap document of its
// trust (derived, so known before it is set), then presents every Response
// to the relying party at once. A rejection fails the step, which rolls
// back like any verification failure.
func (s *trustStep) setOverlapChecked(ctx context.Context, st *State, lv *liveModel, lt LoginTester, j SignInJudge) error {
	ccs := oldRepresentatives(st)
	docs := map[string]trustDoc{}
	for _, ref := range trustRefs(ccs) {
		doc, err := st.document(ref, stageOverlap)
		if err != nil {
			return err
		}
		docs[ref.ARN] = parseTrustDoc(doc)
	}
	resps := make([]string, len(ccs))
	signIns := make([]signIn, len(ccs))
	err := s.all(ctx,
		func(ctx context.Context) error { return s.setTrusts(ctx, st, lv, stageOriginal, stageOverlap) },
		func(ctx context.Context) error {
			return s.parallel(ctx, len(ccs), func(ctx context.Context, i int) error {
				c := ccs[i]
				r, err := lt.SAMLResponse(ctx, c.App)
				if err != nil {
					signIns[i] = noResponse(fmt.Errorf("sign in to app %s: %w", c.App, err))
					return nil
				}
				resps[i] = r
				alg := st.Apps[c.App.Name].Algorithm
				s.check(&signIns[i], docs[c.Trust.ARN], []byte(r), c.App, func() string { return alg })
				return nil
			})
		})
	if err != nil {
		return err
	}
	err = s.parallel(ctx, len(ccs), func(ctx context.Context, i int) error {
		if signIns[i].loginErr == nil {
			s.askVerdict(ctx, &signIns[i], j, "", ccs[i], resps[i])
		}
		return nil
	})
	if err != nil {
		return err
	}
	v := &Verification{Default: bare(st.OldDefault), ContactCenters: make([]ContactCenterVerification, len(ccs))}
	for i, c := range ccs {
		before := st.Apps[c.App.Name].Before.SHA256
		v.ContactCenters[i] = ContactCenterVerification{ContactCenter: c, Certificate: before}
		if err := v.signedIn(ctx, s.opts.Logger, i, before, signIns[i], true); err != nil {
			return err
		}
	}
	emitVerification(ctx, v, "Responses signed with the old certificate (one per trust and certificate), after the trust step, before activation")
	return v.err()
}

// algorithmOf returns the signing algorithm sig reports for app.
func algorithmOf(sig SigningState, app AppRef) string {
	a, _ := sig.App(app.Name)
	return a.Algorithm
}

// oldRepresentatives returns, for every trust in scope and every
// certificate the in-scope apps naming it sign with before the rotation,
// the first contact center whose app does: one sign-in stands for them.
func oldRepresentatives(st *State) []ContactCenter {
	type key struct{ trust, cert string }
	seen := map[key]bool{}
	var out []ContactCenter
	for _, c := range st.ContactCenters {
		if !signsIn(c) {
			continue // checked structurally (see signsIn)
		}
		k := key{c.Trust.ARN, st.Apps[c.App.Name].Before.SHA256}
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}
