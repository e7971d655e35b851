package rotation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/samlmeta"
)

// The org world: three contact centers in two AWS accounts. North and South
// follow the org default and share account 1's provider; West pins its own
// certificate and is trusted from account 2.
const arnOrg1 = "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"

var (
	orgNorth = rotation.ContactCenter{Name: "North", Telephony: rotation.TelephonyNative,
		App:   rotation.AppRef{Name: "North_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: arnOrg1}}
	orgSouth = rotation.ContactCenter{Name: "South", Telephony: rotation.TelephonyNative,
		App:   rotation.AppRef{Name: "South_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: arnOrg1}}
	orgWest = rotation.ContactCenter{Name: "West", Telephony: rotation.TelephonyPartner,
		App:   rotation.AppRef{Name: "West_Connected_App"},
		Trust: rotation.TrustRef{Account: "222222222222", ARN: arnWest}}
)

type orgWorld struct {
	idp *rotationtest.IdentityProvider
	rp  *rotationtest.RelyingParty
}

func newOrgWorld(t *testing.T) *orgWorld {
	t.Helper()
	return newOrgWorldWithKeys(t, rotationtest.CachedKey)
}

// newOrgWorldWithKeys is newOrgWorld whose identity provider makes its keys
// with keys.
func newOrgWorldWithKeys(t *testing.T, keys rotationtest.KeyGenerator) *orgWorld {
	t.Helper()
	w := &orgWorld{
		idp: rotationtest.NewIdentityProvider(rotationtest.WithKeyGenerator(keys),
			rotationtest.WithEntityID(entityID), rotationtest.WithPollInterval(time.Millisecond)),
		rp: rotationtest.NewRelyingParty(),
	}
	old, err := w.idp.AddCertificate("Old_Cert", 2048)
	require.NoError(t, err)
	west, err := w.idp.AddCertificate("West_Cert", 2048)
	require.NoError(t, err)
	require.NoError(t, w.idp.UseDefault("Old_Cert"))
	for _, cc := range []rotation.ContactCenter{orgNorth, orgSouth, orgWest} {
		w.idp.AddContactCenter(cc)
	}
	require.NoError(t, w.idp.PinApp(orgWest.App.Name, "West_Cert"))
	require.NoError(t, w.rp.AddTrust(orgNorth.Trust, rotationtest.MetadataDocument(entityID, old.DER)))
	require.NoError(t, w.rp.AddTrust(orgWest.Trust, rotationtest.MetadataDocument(entityID, west.DER)))
	return w
}

func (w *orgWorld) snapshot() worldSnapshot {
	return worldSnapshot{IdP: w.idp.Snapshot(), RP: w.rp.Snapshot()}
}

// admin plays the person who changes a pinned app in Setup.
func (w *orgWorld) admin(_ context.Context, req rotation.ManualRequest) error {
	for _, c := range req.Changes {
		if err := w.idp.PinApp(c.App.Name, c.Certificate); err != nil {
			return err
		}
	}
	return nil
}

func (w *orgWorld) rotator(t *testing.T, plan *rotation.OrgPlan, opts ...rotation.Option) *rotation.Rotator {
	t.Helper()
	opts = append([]rotation.Option{
		rotation.WithConfirm(w.admin),
		rotation.WithRetry(3, time.Millisecond, time.Millisecond),
		rotation.WithManualTimeout(5 * time.Second),
	}, opts...)
	r, err := rotation.New(plan.Steps(), opts...)
	require.NoError(t, err)
	return r
}

func newPlan(t *testing.T, w *orgWorld, opts ...rotation.OrgOption) *rotation.OrgPlan {
	t.Helper()
	opts = append([]rotation.OrgOption{rotation.WithKeyBits(2048)}, opts...)
	p, err := rotation.NewOrgPlan(w.idp, w.rp, opts...)
	require.NoError(t, err)
	return p
}

// requireRotated checks the fully rotated world: the org default and every
// app on the new certificate, and every trust holding exactly the new
// certificate with entityID unchanged.
func requireRotated(t *testing.T, w *orgWorld, initial worldSnapshot, st *rotation.State) {
	t.Helper()
	snap := w.snapshot()
	newName := rotation.CertificateName(st.ID)
	require.Equal(t, newName, snap.IdP.DefaultCertificate)
	for app, cert := range snap.IdP.AppCertificates {
		assert.Equal(t, newName, cert, "app %s", app)
	}
	for name, fp := range initial.IdP.Certificates {
		assert.Equal(t, fp, snap.IdP.Certificates[name], "certificate %s kept", name)
	}
	for _, arn := range []string{arnOrg1, arnWest} {
		md, err := samlmeta.Parse(w.rp.Document(arn))
		require.NoError(t, err)
		assert.Equal(t, entityID, md.EntityID())
		certs, err := md.SigningCertificates()
		require.NoError(t, err)
		require.Len(t, certs, 1, "trust %s", arn)
		assert.Equal(t, st.New.SHA256, certs[0].SHA256)
	}
}

func TestOrgPlanOverlapRotatesEverything(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	plan := newPlan(t, w)
	var events []rotation.Event
	r := w.rotator(t, plan, rotation.WithObserver(rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
		events = append(events, e)
	})))
	// What each trust holds when the IdP switches.
	atSwitch := map[string][]string{}
	w.idp.OnCall(func(ctx context.Context, c rotationtest.Call) error {
		if c.Method != "SetDefaultCertificate" {
			return nil
		}
		for _, arn := range []string{arnOrg1, arnWest} {
			fps, err := rotationtest.MetadataFingerprints(w.rp.Document(arn))
			if err != nil {
				return err
			}
			atSwitch[arn] = fps
		}
		return nil
	})
	st := plan.NewState("r1")
	require.NoError(t, r.Run(context.Background(), st))
	requireRotated(t, w, initial, st)

	assert.Equal(t, "Old_Cert", st.OldDefault.Name)
	assert.True(t, st.Apps[orgWest.App.Name].Pinned)
	assert.Equal(t, "West_Cert", st.Apps[orgWest.App.Name].Before.Name)
	assert.True(t, slices.ContainsFunc(events, func(e rotation.Event) bool { return e.Type == rotation.EventWaiting }),
		"the pinned app asked for a person")

	// Overlap order: every trust holds old+new before the IdP switches.
	calls := w.rp.Calls()
	firstSet := slices.IndexFunc(calls, func(c rotationtest.Call) bool { return c.Method == "SetTrust" })
	require.GreaterOrEqual(t, firstSet, 0)
	assert.ElementsMatch(t, []string{initial.IdP.Certificates["Old_Cert"], st.New.SHA256}, atSwitch[arnOrg1])
	assert.ElementsMatch(t, []string{initial.IdP.Certificates["West_Cert"], st.New.SHA256}, atSwitch[arnWest])
}

func TestOrgPlanStepOrder(t *testing.T) {
	w := newOrgWorld(t)
	names := func(steps []rotation.Step) []string {
		var out []string
		for _, s := range steps {
			out = append(out, s.Name())
		}
		return out
	}
	assert.Equal(t, []string{"preflight", "stage", "trust", "activate", "verify", "soak", "retire"},
		names(newPlan(t, w).Steps()))
	assert.Equal(t, []string{"preflight", "stage", "activate", "trust", "verify"},
		names(newPlan(t, w, rotation.WithStrategy(rotation.StrategyDirect)).Steps()))
	assert.Equal(t, []string{"preflight", "stage", "trust", "activate", "verify", "soak", "retire", "cleanup"},
		names(newPlan(t, w, rotation.WithDeleteOld(true)).Steps()))
}

func TestOrgPlanDirectSwitchesBeforeTrust(t *testing.T) {
	w := newOrgWorld(t)
	initial := w.snapshot()
	plan := newPlan(t, w, rotation.WithStrategy(rotation.StrategyDirect))
	// The hooks run on the plan's goroutines: order them under a lock.
	var (
		mu                          sync.Mutex
		seq, setDefaultAt, firstSet int
	)
	w.idp.OnCall(func(_ context.Context, c rotationtest.Call) error {
		mu.Lock()
		defer mu.Unlock()
		seq++
		if c.Method == "SetDefaultCertificate" && setDefaultAt == 0 {
			setDefaultAt = seq
		}
		return nil
	})
	w.rp.OnCall(func(_ context.Context, c rotationtest.Call) error {
		mu.Lock()
		defer mu.Unlock()
		seq++
		if c.Method == "SetTrust" && firstSet == 0 {
			firstSet = seq
		}
		return nil
	})
	st := plan.NewState("direct1")
	require.NoError(t, w.rotator(t, plan).Run(context.Background(), st))
	requireRotated(t, w, initial, st)
	assert.Less(t, setDefaultAt, firstSet, "direct switches the IdP before IAM")
	sets := 0
	for _, c := range w.rp.Calls() {
		if c.Method == "SetTrust" {
			sets++
		}
	}
	assert.Equal(t, 2, sets, "direct sets each of the two trusts once, never an overlap document")
}

func TestOrgPlanRefusesBadOptions(t *testing.T) {
	w := newOrgWorld(t)
	for name, opt := range map[string]rotation.OrgOption{
		"3072 bits":   rotation.WithKeyBits(3072),
		"8192 bits":   rotation.WithKeyBits(8192),
		"1024 bits":   rotation.WithKeyBits(1024),
		"strategy":    rotation.WithStrategy("sideways"),
		"concurrency": rotation.WithConcurrency(0),
		"soak":        rotation.WithSoak(-time.Second),
		"label":       rotation.WithLabelTemplate("{date} and a label far too long to fit Salesforce's limit of 64"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := rotation.NewOrgPlan(w.idp, w.rp, opt)
			require.ErrorIs(t, err, rotation.ErrInvalidInput)
		})
	}
	_, err := rotation.NewOrgPlan(nil, w.rp)
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestOrgPlanScope(t *testing.T) {
	t.Run("unknown contact center", func(t *testing.T) {
		w := newOrgWorld(t)
		plan := newPlan(t, w, rotation.WithContactCenters("Nowhere"))
		err := w.rotator(t, plan).Run(context.Background(), plan.NewState("s"))
		require.ErrorIs(t, err, rotation.ErrInvalidInput)
	})
	t.Run("out-of-scope follower would break", func(t *testing.T) {
		w := newOrgWorld(t)
		initial := w.snapshot()
		plan := newPlan(t, w, rotation.WithContactCenters("West"))
		err := w.rotator(t, plan).Run(context.Background(), plan.NewState("s"))
		require.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.Contains(t, err.Error(), "North")
		assert.Equal(t, initial, w.snapshot())
		assert.Zero(t, w.idp.MutatingCalls()+w.rp.MutatingCalls())
	})
	t.Run("in-scope subset sharing the trust", func(t *testing.T) {
		w := newOrgWorld(t)
		plan := newPlan(t, w, rotation.WithContactCenters("North", "South"))
		// West is pinned, so the default switch does not touch it.
		st := plan.NewState("s")
		require.NoError(t, w.rotator(t, plan).Run(context.Background(), st))
		snap := w.snapshot()
		assert.Equal(t, "West_Cert", snap.IdP.AppCertificates[orgWest.App.Name])
		assert.Equal(t, st.New.Name, snap.IdP.AppCertificates[orgNorth.App.Name])
	})
	t.Run("app without trust", func(t *testing.T) {
		w := newOrgWorld(t)
		w.idp.AddContactCenter(rotation.ContactCenter{Name: "NoRole", App: rotation.AppRef{Name: "NoRole_App"}})
		plan := newPlan(t, w)
		err := w.rotator(t, plan).Run(context.Background(), plan.NewState("s"))
		require.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.Contains(t, err.Error(), "Role attribute")
	})
}

func TestOrgPlanLockKeys(t *testing.T) {
	w := newOrgWorld(t)
	keys, err := newPlan(t, w).LockKeys(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"idp:" + w.idp.Name(), "trust:" + arnOrg1, "trust:" + arnWest}, keys)
	assert.Zero(t, w.idp.MutatingCalls())
}

func TestOrgPlanSoakAndCleanup(t *testing.T) {
	w := newOrgWorld(t)
	var slept time.Duration
	plan := newPlan(t, w, rotation.WithSoak(time.Hour), rotation.WithDeleteOld(true),
		rotation.WithOrgClock(nil, func(_ context.Context, d time.Duration) error { slept += d; return nil }))
	st := plan.NewState("soak")
	require.NoError(t, w.rotator(t, plan).Run(context.Background(), st))
	assert.Equal(t, time.Hour, slept)
	_, ok := w.idp.Certificate("Old_Cert")
	assert.False(t, ok, "previous certificate deleted")
	_, ok = w.idp.Certificate("West_Cert")
	assert.True(t, ok, "only the previous default is deleted")
}

func TestOrgPlanAuditLogNamesFingerprints(t *testing.T) {
	w := newOrgWorld(t)
	var buf bytes.Buffer
	plan := newPlan(t, w, rotation.WithOrgLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	st := plan.NewState("audit")
	require.NoError(t, w.rotator(t, plan).Run(context.Background(), st))
	out := buf.String()
	assert.Contains(t, out, "audit: IdP certificate set")
	assert.Contains(t, out, st.New.SHA256)
	assert.Contains(t, out, st.OldDefault.SHA256)
	assert.NotContains(t, out, "PRIVATE KEY")
}

func TestCertificateNameAndLabel(t *testing.T) {
	assert.Equal(t, "voicecert_2026_11_27T08_00_00Z", rotation.CertificateName("2026-11-27T08:00:00Z"))
	assert.Equal(t, "voicecert_a_b", rotation.CertificateName("a--b__"))
	assert.LessOrEqual(t, len(rotation.CertificateName(string(bytes.Repeat([]byte("x"), 200)))), 80)
	l, err := rotation.CertificateLabel("SCV {date} {id}", "r7", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, "SCV 2026-11-27 r7", l)
	_, err = rotation.CertificateLabel("   ", "r", time.Now())
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
}

// An app pinned to the very certificate that is the org default looks like a
// follower; activation and rollback still reach it through the person.
func TestOrgPlanHiddenPinIsSwitchedAndRestored(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			w := newOrgWorld(t)
			require.NoError(t, w.idp.PinApp(orgNorth.App.Name, "Old_Cert"))
			initial := w.snapshot()
			if fail {
				// The last mutating call of the relying party: retire's second write.
				w.rp.FailCall("SetTrust", 4, rotation.Permanent(errors.New("injected")))
			}
			plan := newPlan(t, w)
			st := plan.NewState("hidden")
			err := w.rotator(t, plan).Run(context.Background(), st)
			if !fail {
				require.NoError(t, err)
				requireRotated(t, w, initial, st)
				return
			}
			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			require.Equal(t, rotation.StepRetire, re.Step)
			assert.Equal(t, initial, w.snapshot())
		})
	}
}

func TestOrgOptionsFromStateRebuildsThePlan(t *testing.T) {
	w := newOrgWorld(t)
	plan := newPlan(t, w, rotation.WithStrategy(rotation.StrategyDirect), rotation.WithDeleteOld(true),
		rotation.WithSoak(time.Minute), rotation.WithContactCenters("North", "South", "West"),
		rotation.WithCanary(2), rotation.WithConcurrency(3), rotation.WithAllowSHA1(true), rotation.WithLabelTemplate("L {id}"))
	st := plan.NewState("opts")
	opts, err := rotation.OrgOptionsFrom(st)
	require.NoError(t, err)
	again, err := rotation.NewOrgPlan(w.idp, w.rp, opts...)
	require.NoError(t, err)
	want := plan.Options()
	got := again.Options()
	want.Now, want.Sleep, want.Logger = nil, nil, nil
	got.Now, got.Sleep, got.Logger = nil, nil, nil
	assert.Equal(t, want, got)

	_, err = rotation.OrgOptionsFrom(&rotation.State{})
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
	st.Plan.KeyBits = 1024
	opts, err = rotation.OrgOptionsFrom(st)
	require.NoError(t, err)
	_, err = rotation.NewOrgPlan(w.idp, w.rp, opts...)
	require.ErrorIs(t, err, rotation.ErrInvalidInput, "a recorded option is checked as the option is")
}
