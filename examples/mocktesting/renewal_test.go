package mocktesting_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/voicecert/voicecert/examples/mocktesting"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationmock"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

const entityID = "https://acme.my.salesforce.com"

var (
	issued = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)
	east   = rotation.ContactCenter{Name: "East", App: rotation.AppRef{Name: "East_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"}}
	west = rotation.ContactCenter{Name: "West", App: rotation.AppRef{Name: "West_Connected_App"},
		Trust: rotation.TrustRef{Account: "222222222222", ARN: "arn:aws:iam::222222222222:saml-provider/SalesforceServiceVoiceIdp"}}
)

// org is what the mocks answer: the org default, each app's certificate and
// the certificates each IAM trust holds.
type org struct {
	def    rotation.Certificate
	apps   map[string]rotation.Certificate // by contact center
	pinned map[string]bool
	trusts map[string][]rotation.Certificate // by contact center
}

func newCert(t *testing.T, name string, notBefore time.Time) rotation.Certificate {
	t.Helper()
	key, err := rotationtest.CachedKey(2048)
	require.NoError(t, err)
	c, err := rotationtest.NewCertificate(name, name, key, notBefore)
	require.NoError(t, err)
	return c
}

// healthy is an org whose two contact centers follow the default c, which
// both IAM trusts hold.
func healthy(c rotation.Certificate) org {
	return org{def: c,
		apps:   map[string]rotation.Certificate{"East": c, "West": c},
		trusts: map[string][]rotation.Certificate{"East": {c}, "West": {c}},
	}
}

// expectCheck makes the mocks answer the read-only calls of rotation.Check,
// once each, with o. Nothing else is expected: any other call, a mutating
// one above all, fails the test.
func expectCheck(idp *rotationmock.MockIdentityProvider, rp *rotationmock.MockRelyingParty, o org) {
	ccs := []rotation.ContactCenter{east, west}
	idp.EXPECT().ContactCenters(gomock.Any()).Return(ccs, nil)
	st := rotation.SigningState{Default: o.def}
	for _, cc := range ccs {
		st.Apps = append(st.Apps, rotation.AppSigning{App: cc.App, Certificate: o.apps[cc.Name], Pinned: o.pinned[cc.Name]})
	}
	idp.EXPECT().SigningState(gomock.Any()).Return(st, nil)
	for _, cc := range ccs {
		var ders [][]byte
		for _, c := range o.trusts[cc.Name] {
			ders = append(ders, c.DER)
		}
		rp.EXPECT().Trust(gomock.Any(), cc.Trust).
			Return(rotation.TrustSnapshot{Ref: cc.Trust, Document: rotationtest.MetadataDocument(entityID, ders...)}, nil)
	}
}

// spy returns a Renewer that counts its calls in *calls and returns err.
func spy(calls *int, err error) mocktesting.Renewer {
	return mocktesting.RenewerFunc(func(context.Context) error { *calls++; return err })
}

func TestRenewIfDue(t *testing.T) {
	old := newCert(t, "SCV_IdP_2025", issued) // valid until issued + 1 year - 1 hour
	fresh := newCert(t, "SCV_IdP_2026", issued.AddDate(0, 6, 0))
	expiry := old.NotAfter
	pinned := healthy(fresh)
	pinned.apps["West"], pinned.pinned = old, map[string]bool{"West": true}
	pinned.trusts["West"] = []rotation.Certificate{old}
	broken := healthy(old)
	broken.trusts["East"] = []rotation.Certificate{fresh}

	for _, tc := range []struct {
		name     string
		org      org
		now      time.Time
		before   time.Duration
		renewErr error

		wantDue     []string
		wantBlocked int
		wantRenew   int
		wantErr     error
	}{
		{name: "fresh: nothing due", org: healthy(old), now: issued.AddDate(0, 1, 0), before: 30 * 24 * time.Hour},
		{name: "default within the lead time: renews", org: healthy(old), now: expiry.Add(-10 * 24 * time.Hour), before: 30 * 24 * time.Hour,
			wantDue: []string{"org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 10 days"}, wantRenew: 1},
		{name: "expired: renews", org: healthy(old), now: expiry.Add(time.Hour), before: 30 * 24 * time.Hour,
			wantDue: []string{"org default: certificate SCV_IdP_2025 expired on 2027-01-05"}, wantRenew: 1},
		{name: "no lead time: at two thirds of the lifetime", org: healthy(old), now: expiry.Add(-100 * 24 * time.Hour),
			wantDue: []string{"org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 100 days"}, wantRenew: 1},
		{name: "no lead time: before two thirds", org: healthy(old), now: expiry.Add(-130 * 24 * time.Hour)},
		{name: "a pinned app's own certificate is due", org: pinned, now: expiry.Add(-5 * 24 * time.Hour), before: 30 * 24 * time.Hour,
			wantDue: []string{"contact center West: certificate SCV_IdP_2025 expires on 2027-01-05, in 5 days"}, wantRenew: 1},
		{name: "due but a trust disagrees: blocked", org: broken, now: expiry.Add(-5 * 24 * time.Hour), before: 30 * 24 * time.Hour,
			wantDue:     []string{"org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 5 days"},
			wantBlocked: 1, wantErr: mocktesting.ErrBlocked},
		{name: "a disagreeing trust alone renews nothing", org: broken, now: issued.AddDate(0, 1, 0), before: 30 * 24 * time.Hour,
			wantBlocked: 1},
		{name: "renewal fails", org: healthy(old), now: expiry.Add(-time.Hour), before: 30 * 24 * time.Hour, renewErr: rotation.ErrLocked,
			wantDue: []string{"org default: certificate SCV_IdP_2025 expires on 2027-01-05, in 0 days"}, wantRenew: 1, wantErr: rotation.ErrLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Only the reads are expected: in every case, a call of
			// CreateCertificate, SetDefaultCertificate, SetAppCertificate,
			// DeleteCertificate or SetTrust fails the test.
			ctrl := gomock.NewController(t)
			idp, rp := rotationmock.NewMockIdentityProvider(ctrl), rotationmock.NewMockRelyingParty(ctrl)
			expectCheck(idp, rp, tc.org)
			var calls int
			renew := spy(&calls, tc.renewErr)

			d, err := mocktesting.RenewIfDue(context.Background(), idp, rp, renew,
				mocktesting.WithClock(func() time.Time { return tc.now }), mocktesting.WithRenewBefore(tc.before))

			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, d)
			assert.Equal(t, tc.wantDue, d.Due)
			assert.Len(t, d.Blocked, tc.wantBlocked)
			assert.Equal(t, tc.wantRenew, calls, "renewer calls")
			assert.Equal(t, tc.wantRenew == 1 && tc.wantErr == nil, d.Renewed)
			assert.True(t, tc.now.Equal(d.Report.CheckedAt), "the injected clock is used")
		})
	}
}

// Each failing read of the check fails RenewIfDue with the cause still
// classified, the later reads and the renewer never called.
func TestRenewIfDueCheckFails(t *testing.T) {
	c := newCert(t, "SCV_IdP_2025", issued)
	throttled := rotation.Transient(errors.New("503 Service Unavailable"))
	for _, tc := range []struct {
		name      string
		expect    func(idp *rotationmock.MockIdentityProvider, rp *rotationmock.MockRelyingParty)
		wantErr   error
		transient bool
	}{
		{"contact centers", func(idp *rotationmock.MockIdentityProvider, _ *rotationmock.MockRelyingParty) {
			idp.EXPECT().ContactCenters(gomock.Any()).Return(nil, throttled)
		}, throttled, true},
		{"signing state", func(idp *rotationmock.MockIdentityProvider, _ *rotationmock.MockRelyingParty) {
			idp.EXPECT().ContactCenters(gomock.Any()).Return([]rotation.ContactCenter{east}, nil)
			idp.EXPECT().SigningState(gomock.Any()).Return(rotation.SigningState{}, rotation.Permanent(errors.New("session expired")))
		}, nil, false},
		{"missing trust", func(idp *rotationmock.MockIdentityProvider, rp *rotationmock.MockRelyingParty) {
			idp.EXPECT().ContactCenters(gomock.Any()).Return([]rotation.ContactCenter{east}, nil)
			idp.EXPECT().SigningState(gomock.Any()).Return(rotation.SigningState{Default: c,
				Apps: []rotation.AppSigning{{App: east.App, Certificate: c}}}, nil)
			rp.EXPECT().Trust(gomock.Any(), east.Trust).Return(rotation.TrustSnapshot{}, rotation.ErrNotFound)
		}, rotation.ErrNotFound, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			idp, rp := rotationmock.NewMockIdentityProvider(ctrl), rotationmock.NewMockRelyingParty(ctrl)
			tc.expect(idp, rp)
			var calls int
			renew := spy(&calls, nil)

			d, err := mocktesting.RenewIfDue(context.Background(), idp, rp, renew,
				mocktesting.WithClock(func() time.Time { return c.NotAfter }))

			require.Error(t, err)
			assert.Nil(t, d)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			assert.Equal(t, tc.transient, rotation.IsTransient(err))
			assert.Zero(t, calls)
		})
	}
}

// The check is scoped: only the named contact center's trust is read.
func TestRenewIfDueScope(t *testing.T) {
	c := newCert(t, "SCV_IdP_2025", issued)
	ctrl := gomock.NewController(t)
	idp, rp := rotationmock.NewMockIdentityProvider(ctrl), rotationmock.NewMockRelyingParty(ctrl)
	idp.EXPECT().ContactCenters(gomock.Any()).Return([]rotation.ContactCenter{east, west}, nil)
	idp.EXPECT().SigningState(gomock.Any()).Return(rotation.SigningState{Default: c, Apps: []rotation.AppSigning{
		{App: east.App, Certificate: c}, {App: west.App, Certificate: c}}}, nil)
	rp.EXPECT().Trust(gomock.Any(), west.Trust).
		Return(rotation.TrustSnapshot{Ref: west.Trust, Document: rotationtest.MetadataDocument(entityID, c.DER)}, nil)

	d, err := mocktesting.RenewIfDue(context.Background(), idp, rp, spy(new(int), nil),
		mocktesting.WithContactCenters("West"), mocktesting.WithClock(func() time.Time { return issued }))
	require.NoError(t, err)
	require.Len(t, d.Report.ContactCenters, 1)
	assert.Equal(t, "West", d.Report.ContactCenters[0].ContactCenter.Name)
}

func TestDecisionMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    mocktesting.Decision
		want string
	}{
		{"nothing", mocktesting.Decision{}, "No certificate renewal due."},
		{"nothing due, broken", mocktesting.Decision{Blocked: []string{"East: x"}}, "No certificate renewal due. Sign-in is broken for: East: x."},
		{"renewed", mocktesting.Decision{Due: []string{"a", "b"}, Renewed: true}, "Renewed the SAML signing certificate: a; b."},
		{"blocked", mocktesting.Decision{Due: []string{"a"}, Blocked: []string{"East: x"}}, "Renewal due (a) but blocked: East: x."},
		{"failed", mocktesting.Decision{Due: []string{"a"}}, "Renewal due (a) and not done: see the logs."},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.d.Message()) })
	}
}
