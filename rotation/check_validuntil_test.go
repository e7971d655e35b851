package rotation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/samlmeta"
)

// Check grades an IAM document's validUntil with the thresholds of
// certificate expiry, and says what to do when it nears or has passed; a
// document without one is not graded.
func TestCheckWarnsWhenADocumentsValidUntilNears(t *testing.T) {
	w := newOrgWorld(t)
	require.NoError(t, w.idp.FollowDefault(orgWest.App.Name))
	old, _ := w.idp.Certificate("Old_Cert")
	now := old.NotAfter.Add(-200 * 24 * time.Hour)
	md, err := samlmeta.Parse(w.rp.Document(orgNorth.Trust.ARN))
	require.NoError(t, err)
	md.SetValidUntil(now.Add(20 * 24 * time.Hour))
	require.NoError(t, w.rp.AddTrust(orgNorth.Trust, md.Bytes()))
	require.NoError(t, w.rp.AddTrust(orgWest.Trust, rotationtest.MetadataDocument(entityID, old.DER)))

	for left, want := range map[time.Duration]rotation.Level{
		100 * 24 * time.Hour: rotation.LevelOK, 45 * 24 * time.Hour: rotation.LevelNotice, 20 * 24 * time.Hour: rotation.LevelWarning,
		5 * 24 * time.Hour: rotation.LevelCritical, -time.Hour: rotation.LevelExpired,
	} {
		at := now.Add(20*24*time.Hour - left)
		r, err := rotation.Check(context.Background(), w.idp, w.rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return at } })
		require.NoError(t, err)
		north := r.ContactCenters[0]
		require.NotNil(t, north.TrustValidUntil)
		assert.Equal(t, want, north.TrustValidUntil.Level, "left %s", left)
		assert.Nil(t, r.ContactCenters[2].TrustValidUntil, "West's document has no validUntil")
		if want == rotation.LevelOK {
			assert.Empty(t, north.Problems)
			continue
		}
		require.NotEmpty(t, north.Problems, "left %s", left)
		assert.Contains(t, north.Problems[0], "validUntil")
		assert.Contains(t, north.Problems[0], "upload the identity provider's current metadata")
		assert.False(t, r.Healthy(0))
		b, err := json.Marshal(north)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"trustValidUntil":{"validUntil":`)
	}
}
