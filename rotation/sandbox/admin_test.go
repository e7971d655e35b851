package sandbox_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

func startAdmin(t *testing.T, w *sandbox.World) *sandbox.AdminClient {
	t.Helper()
	a, err := w.StartAdmin(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	return &sandbox.AdminClient{URL: a.URL, Token: a.Token}
}

func TestAdmin(t *testing.T) {
	w := start(t, sandbox.Options{ContactCenters: 2, Pinned: 1})
	c := startAdmin(t, w)
	pinned := w.ContactCenters[1].App
	st, err := c.Apps(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{pinned}, st.Pinned)
	assert.Equal(t, "SelfSignedCert_Previous", st.DefaultCertificate)
	own := st.AppCertificates[pinned]
	require.NotEqual(t, st.DefaultCertificate, own, "the pinned app has a certificate of its own")

	t.Run("refusals change nothing", func(t *testing.T) {
		before := w.Snapshot()
		var se *sandbox.AdminStatusError
		require.ErrorAs(t, c.PinApp(t.Context(), pinned, "NoSuchCert"), &se)
		assert.Equal(t, http.StatusNotFound, se.StatusCode)
		require.ErrorAs(t, c.PinApp(t.Context(), "NoSuchApp", st.DefaultCertificate), &se)
		assert.Equal(t, http.StatusNotFound, se.StatusCode)
		bad := &sandbox.AdminClient{URL: c.URL, Token: "wrong"}
		require.ErrorAs(t, bad.PinApp(t.Context(), pinned, st.DefaultCertificate), &se)
		assert.Equal(t, http.StatusUnauthorized, se.StatusCode)
		_, err := (&sandbox.AdminClient{URL: c.URL}).Apps(t.Context())
		require.ErrorAs(t, err, &se)
		assert.Equal(t, http.StatusUnauthorized, se.StatusCode)
		assert.Equal(t, before, w.Snapshot())
	})
	t.Run("pin and follow the default", func(t *testing.T) {
		require.NoError(t, c.PinApp(t.Context(), w.ContactCenters[0].App, own))
		snap := w.Org.Snapshot()
		assert.Equal(t, own, snap.AppCertificates[w.ContactCenters[0].App])
		assert.Contains(t, snap.Pinned, w.ContactCenters[0].App)
		require.NoError(t, c.FollowDefault(t.Context(), w.ContactCenters[0].App))
		assert.NotContains(t, w.Org.Snapshot().Pinned, w.ContactCenters[0].App)
	})
	t.Run("loopback only", func(t *testing.T) {
		l, err := net.Listen("tcp", "0.0.0.0:0")
		require.NoError(t, err)
		_, err = w.StartAdmin(l)
		assert.ErrorIs(t, err, sandbox.ErrNotLoopback)
	})
}

// The pinned app's manual gate answered through the admin endpoint, by a
// watcher of the rotation's waiting events, as a person would.
func TestAdminAnswersManualGate(t *testing.T) {
	w := start(t, sandbox.Options{})
	c := startAdmin(t, w)
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	watcher := rotation.ObserverFunc(func(ctx context.Context, e rotation.Event) {
		if e.Type != rotation.EventWaiting {
			return
		}
		for _, ch := range e.Manual.Changes {
			go func() { assert.NoError(t, c.PinApp(ctx, ch.App.Name, ch.Certificate)) }()
		}
	})
	r, err := rotation.New(plan.Steps(), rotation.WithObserver(watcher), rotation.WithManualTimeout(time.Minute))
	require.NoError(t, err)
	st := plan.NewState("admin")
	require.NoError(t, r.Run(t.Context(), st))
	snap := w.Org.Snapshot()
	for _, cc := range w.ContactCenters {
		assert.Equal(t, rotation.CertificateName(st.ID), snap.AppCertificates[cc.App], cc.Name)
	}
	v, err := plan.Verify(t.Context())
	require.NoError(t, err)
	assert.Empty(t, v.Problems)
}
