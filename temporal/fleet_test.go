package temporal

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/temporal/internal/devserver"
)

// due reports whether any contact center of the world is due for renewal
// within the window.
func due(t *testing.T, w *sandbox.World, within time.Duration) bool {
	r, err := rotation.Check(context.Background(), w.IdP, w.RP)
	require.NoError(t, err)
	for _, c := range r.ContactCenters {
		if rotation.RenewalDue(c.Effective.Certificate, within, time.Now()) {
			return true
		}
	}
	return false
}

// fleetOnSchedules renews 10 sandbox orgs on schedules firing every two
// seconds, at most maxInFlight rotations at once. The seeded certificates
// (2048 bits) live one year and the new ones (4096 bits) two, so a window
// of 400 days makes every org due once, and each later firing finds
// nothing to do.
func fleetOnSchedules(t *testing.T, c client.Client) {
	const orgs, maxInFlight, window = 10, 3, "400d"
	within, err := ParseWithin(window)
	require.NoError(t, err)
	worlds := map[string]*sandbox.World{}
	for i := range orgs {
		w := startWorld(t, sandbox.Options{Pinned: -1, ContactCenters: 2, Accounts: 1})
		require.True(t, due(t, w, within))
		worlds[fmt.Sprintf("fleet-%02d", i)] = w
	}
	tq := devserver.TaskQueue(t)
	rec := &recorder{}
	locker := rotation.NewFileLocker(t.TempDir())
	for range 2 {
		wk := startWorker(t, c, tq, Options{Orgs: orgsOf(worlds), Locker: locker, Observer: rec}, func(a *Activities) {
			// Sandbox worlds share their org id and ARNs; real orgs do not.
			a.keys = func(org string, keys []string) []string {
				out := make([]string, len(keys))
				for i, k := range keys {
					out[i] = org + "/" + k
				}
				return out
			}
		})
		t.Cleanup(wk.Stop)
	}
	ctx := context.Background()
	for org := range worlds {
		h, err := EnsureSchedule(ctx, c, RotateRequest{Org: org, Plan: planWithSoak("2s"), IfExpiringWithin: window, MaxInFlight: maxInFlight},
			ScheduleOptions{Every: 2 * time.Second, TaskQueue: tq})
		require.NoError(t, err)
		t.Cleanup(func() { _ = h.Delete(context.Background()) })
	}
	devserver.Eventually(t, 4*time.Minute, "every org renewed", func() bool {
		for _, w := range worlds {
			if due(t, w, within) {
				return false
			}
		}
		return true
	})
	devserver.Eventually(t, time.Minute, "every rotation closed", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.inFlight == 0
	})
	for _, w := range worlds {
		verified(t, w)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	t.Logf("most rotations in flight at once: %d of %d allowed", rec.maxFlight, maxInFlight)
	assert.LessOrEqual(t, rec.maxFlight, maxInFlight)
	assert.Greater(t, rec.maxFlight, 1, "rotations of several orgs overlap")
	succeeded := 0
	for _, e := range rec.events {
		if e.Type == rotation.EventRotationSucceeded {
			succeeded++
		}
	}
	assert.Equal(t, orgs, succeeded, "each org renewed once: later firings find nothing due")
}
