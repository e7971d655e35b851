package rotation_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationmock"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/samlmeta"
)

// readyIdP is the login identity provider that can tell whether
// verification's sign-ins can work.
type readyIdP struct {
	*loginIdP
	*rotationmock.MockSignInChecker
}

// Preflight asks the identity provider whether verification can sign in,
// and refuses, before any change (0 mutating calls), a session that
// cannot open a UI session or a user who may not sign in to an app, naming
// the cause and the flag that rotates with structural verification only.
func TestOrgPlanRefusesWhatVerificationCouldNotSignIn(t *testing.T) {
	for _, tc := range []struct {
		name      string
		readiness func(apps []rotation.AppRef) rotation.SignInReadiness
		want      []string
	}{
		{"no web scope", func(apps []rotation.AppRef) rotation.SignInReadiness {
			r := rotation.SignInReadiness{Scopes: []string{"api", "refresh_token"}, Why: "frontdoor.jsp needs the web or full scope; add web to the connected app's OAuth scopes"}
			for _, a := range apps {
				r.Apps = append(r.Apps, rotation.AppReadiness{App: a, Access: true})
			}
			return r
		}, []string{"cannot open a UI session", "api refresh_token", "web or full scope"}},
		{"no access to an app", func(apps []rotation.AppRef) rotation.SignInReadiness {
			r := rotation.SignInReadiness{UISession: true, Scopes: []string{"web", "api"}}
			for _, a := range apps {
				ar := rotation.AppReadiness{App: a, Access: true}
				if a.Name == orgSouth.App.Name {
					ar = rotation.AppReadiness{App: a, Why: "assign the permission set Contact_Center_Agent (or a profile the app admits) to the user"}
				}
				r.Apps = append(r.Apps, ar)
			}
			return r
		}, []string{"may not sign in to app " + orgSouth.App.Name, "Contact_Center_Agent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, login := newLoginWorld(t)
			initial := w.snapshot()
			checker := rotationmock.NewMockSignInChecker(gomock.NewController(t))
			checker.EXPECT().CheckSignIn(gomock.Any(), gomock.Len(3)).DoAndReturn(
				func(_ context.Context, apps []rotation.AppRef) (rotation.SignInReadiness, error) {
					return tc.readiness(apps), nil
				})
			plan, err := rotation.NewOrgPlan(&readyIdP{login, checker}, w.rp, rotation.WithKeyBits(2048))
			require.NoError(t, err)
			err = w.rotator(t, plan).Run(context.Background(), plan.NewState("ready"))
			require.Error(t, err)
			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, rotation.StepPreflight, re.Step)
			assert.ErrorIs(t, err, rotation.ErrRefused)
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
			var ready *rotation.ReadinessError
			require.ErrorAs(t, err, &ready)
			for _, s := range append(tc.want, "--verify=structural", "WithStructuralVerification", "nothing was changed") {
				assert.Contains(t, err.Error(), s)
			}
			assert.Zero(t, w.idp.MutatingCalls())
			assert.Zero(t, w.rp.MutatingCalls())
			assert.Zero(t, login.logins.Load(), "refused before any sign-in")
			assert.Equal(t, initial, w.snapshot())
		})
	}
}

// With structural verification the identity provider is not asked and
// nothing signs in: the rotation verifies by agreement on the
// certificates, and the report says so.
func TestOrgPlanStructuralVerification(t *testing.T) {
	w, login := newLoginWorld(t)
	initial := w.snapshot()
	checker := rotationmock.NewMockSignInChecker(gomock.NewController(t)) // fails on any call
	judge := rotationmock.NewMockSignInJudge(gomock.NewController(t))
	plan, err := rotation.NewOrgPlan(&readyIdP{login, checker}, &judgeRP{RelyingParty: w.rp, judge: judge},
		rotation.WithKeyBits(2048), rotation.WithStructuralVerification())
	require.NoError(t, err)
	rec := &recorder{}
	st := plan.NewState("structural")
	require.NoError(t, w.rotator(t, plan, rotation.WithObserver(rec)).Run(context.Background(), st))
	requireRotated(t, w, initial, st)
	assert.Zero(t, login.logins.Load())
	v := requireVerdicts(t, rec, rotation.StepVerify, 3, rotation.VerdictNotAsked)
	for _, c := range v.ContactCenters {
		assert.Equal(t, rotation.LocalNotChecked, c.Local.Result)
		assert.Contains(t, c.Local.Detail, "structural")
	}
}

// A readiness that cannot be read fails preflight, changing nothing.
func TestOrgPlanReadinessUnknown(t *testing.T) {
	w, login := newLoginWorld(t)
	checker := rotationmock.NewMockSignInChecker(gomock.NewController(t))
	checker.EXPECT().CheckSignIn(gomock.Any(), gomock.Any()).Return(rotation.SignInReadiness{}, rotation.Permanent(errors.New("identity: 401")))
	plan, err := rotation.NewOrgPlan(&readyIdP{login, checker}, w.rp, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	_, _, err = plan.Transitions(context.Background())
	require.ErrorContains(t, err, "check that verification can sign in: identity: 401")
	assert.Zero(t, w.rp.MutatingCalls())
}

// validIdP publishes metadata with a validUntil, as a real org does.
type validIdP struct {
	*loginIdP
	until time.Time
}

func (p *validIdP) Metadata(ctx context.Context, app rotation.AppRef) ([]byte, error) {
	doc, err := p.loginIdP.Metadata(ctx, app)
	if err != nil {
		return nil, err
	}
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return nil, err
	}
	md.SetValidUntil(p.until)
	return md.Bytes(), nil
}

// A provider whose stored validUntil has passed rotates: the overlap and
// final documents carry the validUntil the IdP publishes now, never the
// stored one (which would make every new document invalid). An IdP that
// gives none leaves it out.
func TestOrgPlanTakesValidUntilFromTheIdP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		until time.Time
	}{{"from the IdP", time.Now().Add(5 * 365 * 24 * time.Hour).UTC().Truncate(time.Millisecond)}, {"none", time.Time{}}} {
		t.Run(tc.name, func(t *testing.T) {
			w, login := newLoginWorld(t)
			past := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, arn := range w.rp.Trusts() {
				md, err := samlmeta.Parse(w.rp.Document(arn))
				require.NoError(t, err)
				md.SetValidUntil(past)
				ref := orgNorth.Trust
				if arn == orgWest.Trust.ARN {
					ref = orgWest.Trust
				}
				require.NoError(t, w.rp.AddTrust(ref, md.Bytes()))
			}
			var overlap [][]byte
			observe := rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
				if e.Type == rotation.EventStepSucceeded && e.Step == rotation.StepTrust {
					for _, arn := range w.rp.Trusts() {
						overlap = append(overlap, w.rp.Document(arn))
					}
				}
			})
			plan, err := rotation.NewOrgPlan(&validIdP{login, tc.until}, w.rp, rotation.WithKeyBits(2048))
			require.NoError(t, err)
			st := plan.NewState("valid")
			require.NoError(t, w.rotator(t, plan, rotation.WithObserver(observe)).Run(context.Background(), st))
			require.Len(t, overlap, 2)
			for _, arn := range w.rp.Trusts() {
				overlap = append(overlap, w.rp.Document(arn))
			}
			for i, doc := range overlap {
				md, err := samlmeta.Parse(doc)
				require.NoError(t, err)
				assert.True(t, md.ValidUntil().Equal(tc.until), "document %d: validUntil %s, want %s", i, md.ValidUntil(), tc.until)
				require.NoError(t, samlmeta.ValidateIAM(doc, time.Now()), "document %d is valid for IAM", i)
			}
			orig := st.Trusts[orgNorth.Trust.ARN].Original.Document
			md, err := samlmeta.Parse(orig)
			require.NoError(t, err)
			assert.True(t, md.ValidUntil().Equal(past), "the snapshot keeps the stored document byte for byte")
		})
	}
}

// An app that encrypts its assertion: the local check verifies the
// Response's own signature, the report says the assertion was encrypted,
// and the relying party's verdict is the one that counts.
func TestOrgPlanEncryptedAssertion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		foreign bool
		verdict error
		ok      bool
	}{{"accepted", false, nil, true}, {"rejected by the service", false, rejectedBy("InvalidIdentityToken"), false}, {"outer signature untrusted", true, nil, false}} {
		t.Run(tc.name, func(t *testing.T) {
			w, login := newLoginWorld(t)
			foreign, err := rsaKeyAndCert()
			require.NoError(t, err)
			login.reshape = func(app rotation.AppRef, key *rsa.PrivateKey, cert *samlmeta.Cert, _ []byte) ([]byte, error) {
				if tc.foreign {
					key, cert = foreign.key, foreign.cert
				}
				return encryptedResponse(entityID, key, cert)
			}
			judge := rotationmock.NewMockSignInJudge(gomock.NewController(t))
			judge.EXPECT().JudgeSignIn(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(tc.verdict).Times(3)
			plan, err := rotation.NewOrgPlan(login, &judgeRP{RelyingParty: w.rp, judge: judge}, rotation.WithKeyBits(2048))
			require.NoError(t, err)
			v, err := plan.Verify(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tc.ok, v.OK(), v.Problems)
			for _, c := range v.ContactCenters {
				assert.True(t, c.Local.Encrypted, "contact center %s", c.ContactCenter.Name)
				assert.Contains(t, c.Local.String(), "assertion encrypted: outer signature only")
				if tc.foreign {
					assert.Equal(t, rotation.LocalFailed, c.Local.Result)
				} else {
					assert.Equal(t, rotation.LocalVerified, c.Local.Result)
				}
			}
			if tc.verdict != nil {
				assert.Contains(t, v.Problems[0], "InvalidIdentityToken")
			}
		})
	}
}

func rejectedBy(code string) error {
	return errors.Join(rotation.ErrSignInRejected, &stsError{code: code})
}

type keyCert struct {
	key  *rsa.PrivateKey
	cert *samlmeta.Cert
}

func rsaKeyAndCert() (keyCert, error) {
	key, err := rotationtest.FreshKey(2048)
	if err != nil {
		return keyCert{}, err
	}
	c, err := rotationtest.NewCertificate("Foreign", "Foreign", key, time.Now())
	if err != nil {
		return keyCert{}, err
	}
	cert, err := samlmeta.ParseCertDER(c.DER)
	return keyCert{key, cert}, err
}
