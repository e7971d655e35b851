package rotation_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationmock"
	"github.com/voicecert/voicecert/samlmeta"
)

// With a relying party that judges sign-ins, the overlap presents, for
// each trust and each certificate its apps sign with, a Response signed
// with that old certificate once the trust step has set the
// two-certificate documents (before activation), and every app's, signed
// with the new certificate, at verification; the events carry each
// contact center's local result and verdict.
func TestOrgPlanAsksTheRelyingPartyOldThenNew(t *testing.T) {
	w, idp, j, rp := newJudgeWorld(t)
	initial := w.snapshot()
	plan, err := rotation.NewOrgPlan(idp, rp, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	rec := &recorder{}
	st := plan.NewState("judged")
	require.NoError(t, w.rotator(t, plan, rotation.WithObserver(rec)).Run(context.Background(), st))
	requireRotated(t, w, initial, st)

	old := requireVerdicts(t, rec, rotation.StepTrust, 2, rotation.VerdictAccepted)
	for _, c := range old.ContactCenters {
		assert.Equal(t, rotation.LocalVerified, c.Local.Result)
		assert.Equal(t, st.Apps[c.ContactCenter.App.Name].Before.SHA256, c.SignedBy, "old certificate, %s", c.ContactCenter.Name)
	}
	fresh := requireVerdicts(t, rec, rotation.StepVerify, 3, rotation.VerdictAccepted)
	for _, c := range fresh.ContactCenters {
		assert.Equal(t, st.New.SHA256, c.SignedBy)
	}
	for _, c := range old.ContactCenters {
		assert.NotEqual(t, orgSouth.Name, c.ContactCenter.Name, "North stands for South: same trust, same certificate")
	}
	saw := j.seen()
	require.Len(t, saw, 5, "one Response per trust and old certificate after trust, three at verification; retirement confirms, it does not sign in")
	for i, s := range saw {
		if i < 2 {
			assert.NotEqual(t, st.New.SHA256, s.signedBy, "before activation the apps sign with their old certificate")
		} else {
			assert.Equal(t, st.New.SHA256, s.signedBy)
		}
	}
	assert.EqualValues(t, 5, idp.logins.Load())
	types := rec.types()
	assert.Less(t, indexOf(types, "step.verified trust"), indexOf(types, "step.started activate"))

	b, err := json.Marshal(fresh.ContactCenters[0])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"local":{"result":"verified"}`)
	assert.Contains(t, string(b), `"verdict":{"outcome":"accepted"}`)
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// A refusal by the relying party rolls the rotation back like any
// verification failure, with the service's error code in the message: at
// the old-certificate check after the trust step, and at verification.
func TestOrgPlanRollsBackWhenTheRelyingPartyRejects(t *testing.T) {
	for _, tc := range []struct {
		name, step string
		rejectNew  bool
	}{{"old certificate after trust", rotation.StepTrust, false}, {"new certificate at verify", rotation.StepVerify, true}} {
		t.Run(tc.name, func(t *testing.T) {
			w, idp, j, rp := newJudgeWorld(t)
			initial := w.snapshot()
			var newFP string
			j.code = "IDPRejectedClaim"
			j.reject = func(fp string) bool { return (fp == newFP) == tc.rejectNew }
			plan, err := rotation.NewOrgPlan(idp, rp, rotation.WithKeyBits(2048))
			require.NoError(t, err)
			st := plan.NewState("rejected")
			rec := &recorder{}
			observe := rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
				if e.Type == rotation.EventStepSucceeded && e.Step == rotation.StepStage {
					newFP = st.New.SHA256
				}
			})
			err = w.rotator(t, plan, rotation.WithObserver(observe), rotation.WithObserver(rec)).Run(context.Background(), st)
			require.Error(t, err)
			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.step, re.Step)
			assert.True(t, re.RolledBack)
			assert.Contains(t, err.Error(), "IDPRejectedClaim")
			assert.Contains(t, err.Error(), "the relying party rejected the Response")
			assert.Equal(t, initial, w.snapshot())
			v := requireVerdicts(t, rec, tc.step, map[string]int{rotation.StepTrust: 2, rotation.StepVerify: 3}[tc.step], rotation.VerdictRejected)
			assert.Equal(t, "IDPRejectedClaim", v.ContactCenters[0].Verdict.Code)
			assert.Equal(t, rotation.LocalVerified, v.ContactCenters[0].Local.Result, "the local check passed: only the service refused")
		})
	}
}

// Opting out keeps the relying party from being asked (the mock judge
// fails on any call), and the report says the verdict is local only.
func TestOrgPlanLocalVerdictOnly(t *testing.T) {
	w, idp := newLoginWorld(t)
	initial := w.snapshot()
	judge := rotationmock.NewMockSignInJudge(gomock.NewController(t))
	plan, err := rotation.NewOrgPlan(idp, &judgeRP{RelyingParty: w.rp, judge: judge}, rotation.WithKeyBits(2048), rotation.WithLocalVerdictOnly())
	require.NoError(t, err)
	rec := &recorder{}
	st := plan.NewState("local")
	require.NoError(t, w.rotator(t, plan, rotation.WithObserver(rec)).Run(context.Background(), st))
	requireRotated(t, w, initial, st)
	assert.Empty(t, verified(rec, rotation.StepTrust), "no old-certificate check without the relying party's verdict")
	v := requireVerdicts(t, rec, rotation.StepVerify, 3, rotation.VerdictNotAsked)
	for _, c := range v.ContactCenters {
		assert.Contains(t, c.Verdict.Detail, "local verdict only")
		assert.Equal(t, rotation.LocalVerified, c.Local.Result)
	}
	assert.EqualValues(t, 3, idp.logins.Load())
	opts, err := rotation.OrgOptionsFrom(st)
	require.NoError(t, err)
	resumed, err := rotation.NewOrgPlan(idp, w.rp, opts...)
	require.NoError(t, err)
	assert.True(t, resumed.Options().LocalVerdictOnly, "the opt-out is journaled with the plan")
}

// A relying party that cannot judge is reported as not asked, and why.
func TestOrgPlanVerifyWithoutJudge(t *testing.T) {
	w, idp := newLoginWorld(t)
	plan, err := rotation.NewOrgPlan(idp, w.rp, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	v, err := plan.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, v.OK(), v.Problems)
	for _, c := range v.ContactCenters {
		assert.Equal(t, rotation.VerdictNotAsked, c.Verdict.Outcome)
		assert.Contains(t, c.Verdict.String(), "cannot judge a sign-in")
		assert.Equal(t, "verified", c.Local.String())
	}
}

// An app configured SHA1 has its SHA-1 Response accepted, with a warning
// (in the report, the event and the log) that says how to switch it to
// SHA-256; an app configured SHA256 that sends SHA-1 is refused.
func TestOrgPlanAcceptsSHA1OnlyForAppsConfiguredSHA1(t *testing.T) {
	for _, tc := range []struct {
		name      string
		algorithm string
		ok        bool
	}{{"configured SHA1", rotation.AlgorithmSHA1, true}, {"configured SHA256", rotation.AlgorithmSHA256, false}, {"not reported", "", false}} {
		t.Run(tc.name, func(t *testing.T) {
			w, login := newLoginWorld(t)
			login.reshape = func(app rotation.AppRef, key *rsa.PrivateKey, cert *samlmeta.Cert, resp []byte) ([]byte, error) {
				if app.Name != orgNorth.App.Name {
					return resp, nil
				}
				return signSHA1(key, cert, resp)
			}
			idp := &algorithmIdP{loginIdP: login, algorithms: map[string]string{orgNorth.App.Name: tc.algorithm}}
			var log bytes.Buffer
			plan, err := rotation.NewOrgPlan(idp, w.rp, rotation.WithKeyBits(2048), rotation.WithOrgLogger(slog.New(slog.NewJSONHandler(&log, nil))))
			require.NoError(t, err)
			v, err := plan.Verify(context.Background())
			require.NoError(t, err)
			north := v.ContactCenters[0]
			require.Equal(t, orgNorth.Name, north.ContactCenter.Name)
			if !tc.ok {
				assert.False(t, v.OK())
				assert.ErrorContains(t, errors.New(v.Problems[0]), "SHA-1")
				assert.Equal(t, rotation.LocalFailed, north.Local.Result)
				assert.Empty(t, v.Warnings)
				return
			}
			require.True(t, v.OK(), v.Problems)
			assert.True(t, north.Local.SHA1)
			assert.False(t, v.ContactCenters[1].Local.SHA1, "South signs with SHA-256")
			require.Len(t, v.Warnings, 1)
			assert.Contains(t, v.Warnings[0], "samlSigningAlgoType SHA256")
			assert.Contains(t, v.Warnings[0], orgNorth.App.Name)
			assert.Contains(t, log.String(), "switch it to SHA-256")
		})
	}
}

// When the relying party gives no verdict (the service cannot be reached),
// the read-only verification reports it as a problem, and a rotation's
// verify step fails with the error and rolls back.
func TestOrgPlanWithoutAVerdict(t *testing.T) {
	w, idp := newLoginWorld(t)
	initial := w.snapshot()
	judge := rotationmock.NewMockSignInJudge(gomock.NewController(t))
	unreachable := rotation.Permanent(errors.New("sts unreachable"))
	judge.EXPECT().JudgeSignIn(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(unreachable).Times(3)
	rp := &judgeRP{RelyingParty: w.rp, judge: judge}
	plan, err := rotation.NewOrgPlan(idp, rp, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	v, err := plan.Verify(context.Background())
	require.NoError(t, err)
	require.False(t, v.OK())
	assert.Contains(t, v.Problems[0], "sts unreachable")
	assert.Equal(t, rotation.VerdictNotAsked, v.ContactCenters[0].Verdict.Outcome)
	assert.Contains(t, v.ContactCenters[0].Verdict.Detail, "no verdict")

	judge.EXPECT().JudgeSignIn(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil).Times(3)
	judge.EXPECT().JudgeSignIn(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(unreachable).MinTimes(1)
	err = w.rotator(t, plan).Run(context.Background(), plan.NewState("noverdict"))
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, rotation.StepVerify, re.Step)
	assert.True(t, re.RolledBack)
	assert.ErrorContains(t, err, "sts unreachable")
	assert.Equal(t, initial, w.snapshot())
}
