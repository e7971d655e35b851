package rotation

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
)

// The checked calls: before every mutating call, apply or rollback, the
// resource it changes is read again and compared with what the plan (or
// the journal) expects it to be (compare-and-swap: a resource already as
// wanted is left alone, one that is neither is refused with a
// *ConflictError), and the change is refused with an *InvariantError when
// the model predicted after it breaks a sign-in. The live model is then
// updated with the change.
//
// The compare and the call are two requests: a change someone makes
// between them is not seen. The window is one round trip.

// setTrust makes the trust ref hold next, where it holds a document
// matches accepts (expect describes it).
func (e *orgEnv) setTrust(ctx context.Context, st *State, lv *liveModel, ref TrustRef, expect []byte, matches func([]byte) bool, next []byte) error {
	cur, err := e.rp.Trust(ctx, ref)
	if err != nil {
		return fmt.Errorf("read trust %s: %w", ref, err)
	}
	have := signingOf(cur.Document)
	lv.observeTrust(ref, have)
	if bytes.Equal(cur.Document, next) {
		return nil
	}
	if !matches(cur.Document) {
		return e.conflict(ctx, st, &ConflictError{Resource: "IAM trust " + ref.ARN, Expected: describeDoc(expect), Actual: describeDoc(cur.Document)}, have)
	}
	t := Transition{Kind: TransitionTrust, Resource: ref.ARN, From: have, To: signingOf(next)}
	if err := lv.check(t); err != nil {
		return err
	}
	if err := e.rp.SetTrust(ctx, ref, next); err != nil {
		return fmt.Errorf("set trust %s: %w", ref, err)
	}
	lv.apply(t)
	e.opts.Logger.InfoContext(ctx, "audit: trust document set", "trust", ref.ARN, "from", strings.Join(t.From, ","),
		"to", strings.Join(t.To, ","), "bytes", len(next))
	return nil
}

// setDefault makes next the org default, where expect is, on a live model
// the caller has just observed.
func (e *orgEnv) setDefault(ctx context.Context, st *State, lv *liveModel, expect, next Certificate) error {
	cur := lv.model().Default
	switch cur.SHA256 {
	case next.SHA256:
		return nil
	case expect.SHA256:
	default:
		return e.conflict(ctx, st, &ConflictError{Resource: "the org default certificate", Expected: describeCert(expect), Actual: describeCert(cur)}, []string{cur.SHA256})
	}
	t := Transition{Kind: TransitionDefault, Resource: "default", From: []string{cur.SHA256}, To: []string{next.SHA256}, ToName: next.Name}
	if err := lv.check(t); err != nil {
		return err
	}
	if err := e.idp.SetDefaultCertificate(ctx, next.Name); err != nil {
		return fmt.Errorf("set IdP certificate %s: %w", next.Name, err)
	}
	lv.apply(t)
	e.opts.Logger.InfoContext(ctx, "audit: IdP certificate set", "old", cur.Name, "old_sha256", cur.SHA256,
		"new", next.Name, "new_sha256", next.SHA256)
	return nil
}

// appTransition returns the switch of app from expect to next on the live
// model: nil when the app already signs with next, a *ConflictError when it
// signs with neither, an *InvariantError when the switch would break its
// sign-in.
func (e *orgEnv) appTransition(ctx context.Context, st *State, lv *liveModel, app AppRef, expect, next Certificate) (*Transition, error) {
	a, ok := lv.model().App(app.Name)
	if !ok {
		return nil, fmt.Errorf("app %s is not in the model", app)
	}
	switch a.Certificate.SHA256 {
	case next.SHA256:
		return nil, nil
	case expect.SHA256:
	default:
		return nil, e.conflict(ctx, st, &ConflictError{Resource: "app " + app.String(), Expected: describeCert(expect), Actual: describeCert(a.Certificate)}, []string{a.Certificate.SHA256})
	}
	t := Transition{Kind: TransitionApp, Resource: app.Name, From: []string{a.Certificate.SHA256}, To: []string{next.SHA256}, ToName: next.Name}
	if err := lv.check(t); err != nil {
		return nil, err
	}
	return &t, nil
}

// deleteCertificate deletes the certificate c unless something still uses
// it: the org default, an app, a trust (all read again now), or a rotation
// another journal records that would restore it.
func (e *orgEnv) deleteCertificate(ctx context.Context, st *State, c Certificate) error {
	m, _, err := e.observe(ctx, st.Org)
	if err != nil {
		return err
	}
	users := usersOf(m, c)
	others, err := e.otherRotations(ctx, st)
	if err != nil {
		return err
	}
	for _, r := range others {
		if r.Status != StatusRolledBack && restores(r.State, c) {
			users = append(users, "rotation "+r.RotationID+" (its rollback restores it)")
		}
	}
	if len(users) > 0 {
		return &InUseError{Certificate: c.Name, Users: users}
	}
	if err := e.idp.DeleteCertificate(ctx, c.Name); err != nil {
		return fmt.Errorf("delete certificate %s: %w", c.Name, err)
	}
	e.opts.Logger.InfoContext(ctx, "audit: certificate deleted", "certificate", c.Name, "sha256", c.SHA256)
	return nil
}

// usersOf says what in m uses the certificate c.
func usersOf(m Model, c Certificate) []string {
	same := func(x Certificate) bool {
		return (c.Name != "" && x.Name == c.Name) || (c.SHA256 != "" && x.SHA256 == c.SHA256)
	}
	var users []string
	if same(m.Default) {
		users = append(users, "the org default")
	}
	for _, a := range m.Apps {
		if same(a.Certificate) {
			users = append(users, "app "+a.App.Name)
		}
	}
	for _, arn := range sortedKeys(m.Trusts) {
		if m.Trusts[arn].Holds(c.SHA256) {
			users = append(users, "trust "+arn)
		}
	}
	return users
}

// restores reports whether rolling back the rotation of st would set c
// again.
func restores(st *State, c Certificate) bool {
	if st == nil {
		return false
	}
	olds := []Certificate{st.OldDefault}
	for _, a := range st.Apps {
		olds = append(olds, a.Before)
	}
	return slices.ContainsFunc(olds, func(x Certificate) bool {
		return (c.Name != "" && x.Name == c.Name) || (c.SHA256 != "" && x.SHA256 == c.SHA256)
	})
}

// describeDoc says what a document trusts, for a message.
func describeDoc(doc []byte) string {
	fps := signingOf(doc)
	s := make([]string, len(fps))
	for i, fp := range fps {
		s[i] = short(fp)
	}
	return fmt.Sprintf("a document trusting {%s} (%d bytes)", strings.Join(s, ", "), len(doc))
}

// describeCert names a certificate for a message.
func describeCert(c Certificate) string {
	if c.Name == "" {
		return short(c.SHA256)
	}
	return c.Name + " (" + short(c.SHA256) + ")"
}
