package rotation_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

func TestCheckReportsPinnedExpiringAndDisagreement(t *testing.T) {
	w := newOrgWorld(t)
	old, ok := w.idp.Certificate("Old_Cert")
	require.True(t, ok)
	west, ok := w.idp.Certificate("West_Cert")
	require.True(t, ok)
	ctx := context.Background()

	// Healthy far from expiry, apart from the pinned app.
	now := old.NotAfter.Add(-200 * 24 * time.Hour)
	r, err := rotation.Check(ctx, w.idp, w.rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return now } })
	require.NoError(t, err)
	require.Len(t, r.ContactCenters, 3)
	byName := map[string]rotation.ContactCenterStatus{}
	for _, c := range r.ContactCenters {
		byName[c.ContactCenter.Name] = c
	}
	assert.Equal(t, rotation.LevelOK, byName["North"].Effective.Level)
	assert.True(t, byName["North"].TrustAgrees)
	assert.Empty(t, byName["North"].Problems)
	assert.True(t, byName["West"].Pinned)
	assert.Equal(t, west.SHA256, byName["West"].Effective.Certificate.SHA256)
	assert.Contains(t, byName["West"].Problems[0], "pinned")
	assert.False(t, r.Healthy(30*24*time.Hour), "a pinned app is reported")
	assert.Equal(t, old.SHA256, r.Default.Certificate.SHA256)

	// Expiring: 5 days left is critical; 20 days a warning; 45 a notice.
	for left, want := range map[time.Duration]rotation.Level{
		5 * 24 * time.Hour: rotation.LevelCritical, 20 * 24 * time.Hour: rotation.LevelWarning,
		45 * 24 * time.Hour: rotation.LevelNotice, -time.Hour: rotation.LevelExpired,
	} {
		at := old.NotAfter.Add(-left)
		r, err := rotation.Check(ctx, w.idp, w.rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return at } })
		require.NoError(t, err)
		assert.Equal(t, want, r.ContactCenters[0].Effective.Level, "left %s", left)
		assert.False(t, r.Healthy(time.Hour*24*60))
	}

	// Disagreement: North's IAM document trusts only West's certificate.
	require.NoError(t, w.rp.AddTrust(orgNorth.Trust, rotationtest.MetadataDocument(entityID, west.DER)))
	r, err = rotation.Check(ctx, w.idp, w.rp, func(o *rotation.CheckOptions) {
		o.Now = func() time.Time { return now }
		o.ContactCenters = []string{"North"}
	})
	require.NoError(t, err)
	require.Len(t, r.ContactCenters, 1)
	assert.False(t, r.ContactCenters[0].TrustAgrees)
	assert.Equal(t, []string{west.SHA256}, r.ContactCenters[0].TrustCertificates)
	assert.Contains(t, r.ContactCenters[0].Problems[0], "does not trust")
	assert.False(t, r.Healthy(0))
}

func TestCheckHealthy(t *testing.T) {
	w := newOrgWorld(t)
	require.NoError(t, w.idp.FollowDefault(orgWest.App.Name))
	old, _ := w.idp.Certificate("Old_Cert")
	require.NoError(t, w.rp.AddTrust(orgWest.Trust, rotationtest.MetadataDocument(entityID, old.DER)))
	now := old.NotAfter.Add(-100 * 24 * time.Hour)
	r, err := rotation.Check(context.Background(), w.idp, w.rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return now } })
	require.NoError(t, err)
	assert.True(t, r.Healthy(60*24*time.Hour))
	assert.False(t, r.Healthy(101*24*time.Hour))
}

func TestCheckPropagatesErrors(t *testing.T) {
	w := newOrgWorld(t)
	w.rp.OnCall(func(context.Context, rotationtest.Call) error { return rotation.ErrNotFound })
	_, err := rotation.Check(context.Background(), w.idp, w.rp)
	require.ErrorIs(t, err, rotation.ErrNotFound)
}

func TestRenewalDue(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := rotation.Certificate{NotBefore: start, NotAfter: start.AddDate(0, 0, 300)}
	assert.False(t, rotation.RenewalDue(c, 0, start.AddDate(0, 0, 199)), "a third of 300 days is 100")
	assert.True(t, rotation.RenewalDue(c, 0, start.AddDate(0, 0, 200)))
	assert.True(t, rotation.RenewalDue(c, 30*24*time.Hour, start.AddDate(0, 0, 271)))
	assert.False(t, rotation.RenewalDue(c, 30*24*time.Hour, start.AddDate(0, 0, 269)))
}

// A contact center name that matches none is an error, not a healthy
// report of nothing.
func TestCheckRefusesUnknownContactCenter(t *testing.T) {
	w := newOrgWorld(t)
	calls := 0
	w.rp.OnCall(func(context.Context, rotationtest.Call) error { calls++; return nil })
	_, err := rotation.Check(context.Background(), w.idp, w.rp, func(o *rotation.CheckOptions) {
		o.ContactCenters = []string{"North", "Typo"}
	})
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
	assert.Contains(t, err.Error(), `"Typo"`)
	assert.Zero(t, calls, "nothing is read from the relying party")
}
