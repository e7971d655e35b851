package rotation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// Someone changes an IAM document between preflight and the trust step:
// the trust step's compare-and-swap refuses with a typed error naming the
// trust, what was expected and what is there, and never overwrites it.
func TestOrgPlanRefusesATrustChangedSincePreflight(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	key, err := rotationtest.FreshKey(2048)
	require.NoError(t, err)
	other, err := rotationtest.NewCertificate("Other", "Other", key, time.Now())
	require.NoError(t, err)
	theirs := rotationtest.MetadataDocument(entityID, other.DER)
	w.idp.OnCall(func(_ context.Context, c rotationtest.Call) error {
		if c.Method == "CreateCertificate" {
			return w.rp.AddTrust(orgNorth.Trust, theirs)
		}
		return nil
	})
	plan := newPlan(t, w)
	err = w.rotator(t, plan).Run(context.Background(), plan.NewState("cas"))
	require.ErrorIs(t, err, rotation.ErrRefused)
	var ce *rotation.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Resource, arnOrg1)
	assert.Contains(t, ce.Expected, "trusting")
	assert.Contains(t, ce.Actual, "trusting")
	assert.NotEqual(t, ce.Expected, ce.Actual)
	assert.Equal(t, theirs, w.rp.Document(arnOrg1), "their document is left alone")
	after := w.snapshot()
	assert.Equal(t, initial.IdP, after.IdP, "the rest rolled back")
	assert.Equal(t, initial.RP[arnWest], after.RP[arnWest])
}

// A rollback of a rotation that a newer one followed is refused, naming the
// newer rotation from the history, and changes nothing.
func TestOrgPlanRollbackNamesTheNewerRotation(t *testing.T) {
	w := newOrgWorld(t)
	dir := rotation.JournalDir(t.TempDir())
	run := func(id string) {
		plan := newPlan(t, w, rotation.WithHistory(dir))
		require.NoError(t, w.rotator(t, plan, rotation.WithJournal(dir.Journal(id))).Run(context.Background(), plan.NewState(id)))
	}
	run("older")
	run("newer")
	before := w.snapshot()
	rec, err := rotation.LoadJournal(dir.Path("older"))
	require.NoError(t, err)
	plan := newPlan(t, w, rotation.WithHistory(dir))
	err = w.rotator(t, plan, rotation.WithJournal(dir.Journal("older"))).Resume(context.Background(), rec, rotation.ResumeRollback)
	require.ErrorIs(t, err, rotation.ErrRefused)
	var ce *rotation.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "newer", ce.Newer)
	assert.Contains(t, err.Error(), "changed by rotation newer")
	assert.Equal(t, before, w.snapshot(), "nothing changed")
	after, err := rotation.LoadJournal(dir.Path("older"))
	require.NoError(t, err)
	assert.Equal(t, rotation.StatusSucceeded, after.Status, "a refused rollback leaves the journal's status")
}

// Running a plan a second time with one rotation id is refused by
// preflight, even without a journal: the certificate named after the id is
// in use.
func TestOrgPlanUsedIDIsRefused(t *testing.T) {
	w := newOrgWorld(t)
	plan := newPlan(t, w)
	require.NoError(t, w.rotator(t, plan).Run(context.Background(), plan.NewState("same")))
	before := w.snapshot()
	err := w.rotator(t, plan).Run(context.Background(), plan.NewState("same"))
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, rotation.StepPreflight, re.Step)
	assert.Equal(t, before, w.snapshot())
}

// Transitions lists each step's changes on the model, for the apps in
// scope, and changes nothing; an app out of scope is in the model.
func TestOrgPlanTransitions(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	plan := newPlan(t, w, rotation.WithContactCenters("North", "South"))
	m, steps, err := plan.Transitions(context.Background())
	require.NoError(t, err)
	assert.Equal(t, initial, w.snapshot())
	require.Len(t, m.Apps, 3)
	west, ok := m.App(orgWest.App.Name)
	require.True(t, ok)
	assert.False(t, west.InScope)
	assert.True(t, west.Pinned)
	old := initial.IdP.Certificates["Old_Cert"]
	byStep := map[string][]rotation.Transition{}
	for _, s := range steps {
		byStep[s.Step] = s.Transitions
	}
	assert.Equal(t, []rotation.Transition{{Kind: rotation.TransitionTrust, Resource: arnOrg1, From: []string{old}, To: []string{old, rotation.NewCertificate}}}, byStep[rotation.StepTrust])
	assert.Equal(t, []rotation.Transition{{Kind: rotation.TransitionDefault, Resource: "default", From: []string{old}, To: []string{rotation.NewCertificate}}}, byStep[rotation.StepActivate])
	assert.Equal(t, []rotation.Transition{{Kind: rotation.TransitionTrust, Resource: arnOrg1, From: []string{old, rotation.NewCertificate}, To: []string{rotation.NewCertificate}}}, byStep[rotation.StepRetire])
	assert.Empty(t, byStep[rotation.StepVerify])
}

// The previous certificate is not deleted while an app out of scope still
// signs with it; the rotation succeeds and the audit says why.
func TestOrgPlanCleanupKeepsACertificateInUse(t *testing.T) {
	w := newOrgWorld(t)
	require.NoError(t, w.idp.PinApp(orgWest.App.Name, "Old_Cert"))
	plan := newPlan(t, w, rotation.WithContactCenters("North", "South"), rotation.WithDeleteOld(true))
	require.NoError(t, w.rotator(t, plan).Run(context.Background(), plan.NewState("keep")))
	snap := w.snapshot()
	assert.Contains(t, snap.IdP.Certificates, "Old_Cert", "still used by West")
	assert.Equal(t, "Old_Cert", snap.IdP.AppCertificates[orgWest.App.Name])
}

// The invariant on the model: a change that would leave an app signing
// with a certificate its trust does not hold is refused, unless it is
// already broken; the direct strategy's outage covers apps in scope only.
func TestModelInvariant(t *testing.T) {
	m := rotation.Model{
		Default: rotation.Certificate{SHA256: "D"},
		Apps: []rotation.ModelApp{
			{App: rotation.AppRef{Name: "in"}, Trust: rotation.TrustRef{ARN: "t1"}, Certificate: rotation.Certificate{SHA256: "D"}, InScope: true},
			{App: rotation.AppRef{Name: "out"}, Trust: rotation.TrustRef{ARN: "t1"}, Certificate: rotation.Certificate{SHA256: "P"}, Pinned: true},
		},
		Trusts: map[string]rotation.ModelTrust{"t1": {Ref: rotation.TrustRef{ARN: "t1"}, Signing: []string{"D", "P"}}},
	}
	assert.Empty(t, m.Broken())
	drop := rotation.Transition{Kind: rotation.TransitionTrust, Resource: "t1", From: []string{"D", "P"}, To: []string{"D"}}
	broken := m.After(drop).Broken()
	require.Len(t, broken, 1)
	assert.Equal(t, "out", broken[0].App)
	moved := m.After(rotation.Transition{Kind: rotation.TransitionDefault, Resource: "default", To: []string{"N"}})
	in, _ := moved.App("in")
	out, _ := moved.App("out")
	assert.Equal(t, "N", in.Certificate.SHA256, "a follower moves with the default")
	assert.Equal(t, "P", out.Certificate.SHA256, "a pinned app does not")
	require.Len(t, moved.Broken(), 1)
	assert.Equal(t, "in", moved.Broken()[0].App)
	assert.True(t, errors.Is(&rotation.InvariantError{Transition: drop, Broken: broken}, rotation.ErrRefused))
}
