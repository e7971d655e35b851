package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// events collects a rotation's events.
type events struct {
	mu   sync.Mutex
	list []rotation.Event
}

func (e *events) Observe(_ context.Context, ev rotation.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

func (e *events) count(typ rotation.EventType, step string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.list {
		if ev.Type == typ && ev.Step == step {
			n++
		}
	}
	return n
}

func newOrg(t *testing.T) *org {
	t.Helper()
	o, err := seedOrg()
	require.NoError(t, err)
	return o
}

// runAt runs one rotation of o with the gate's clock at at, the notifier
// posting to url, and retries fast enough for a test.
func runAt(t *testing.T, o *org, at time.Time, notifier *Notifier, obs rotation.Observer) (*rotation.State, error) {
	t.Helper()
	gate := NewWindowGate(mustWindow(t, "22:00-02:00", "Europe/Berlin"), func() time.Time { return at })
	r, plan, err := o.rotator(gate, notifier, obs, rotation.WithRetry(3, time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	st := plan.NewState("t1")
	return st, r.Run(context.Background(), st)
}

// requireRotated checks that the org default and every IAM document hold
// exactly the new certificate of st.
func requireRotated(t *testing.T, o *org, st *rotation.State) {
	t.Helper()
	snap := o.snapshot()
	require.Equal(t, rotation.CertificateName(st.ID), snap.IdP.DefaultCertificate)
	require.Len(t, snap.RP, len(contactCenters))
	for arn, doc := range snap.RP {
		fps, err := rotationtest.MetadataFingerprints([]byte(doc))
		require.NoError(t, err)
		assert.Equal(t, []string{st.New.SHA256}, fps, "trust %s", arn)
	}
}

func TestGateOutsideWindowLeavesOrgUnchanged(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	for _, at := range []time.Time{
		time.Date(2026, 1, 6, 2, 0, 0, 0, berlin),
		time.Date(2026, 1, 6, 14, 0, 0, 0, berlin),
		time.Date(2026, 1, 5, 21, 59, 0, 0, berlin),
	} {
		t.Run(at.Format("15:04"), func(t *testing.T) {
			o := newOrg(t)
			hook := newWebhook()
			defer hook.Close()
			before := o.snapshot()
			var evs events

			_, err := runAt(t, o, at, NewNotifier(hook.URL), &evs)

			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, StepMaintenanceWindow, re.Step)
			assert.True(t, re.RolledBack)
			var out *OutsideWindowError
			require.ErrorAs(t, err, &out)
			assert.True(t, at.Equal(out.At))
			assert.Equal(t, before, o.snapshot(), "the staged certificate is deleted and every IAM document restored")
			assert.False(t, slices.ContainsFunc(o.idp.Calls(), func(c rotationtest.Call) bool { return c.Method == "SetDefaultCertificate" }),
				"activate never ran")
			assert.Equal(t, 1, evs.count(rotation.EventStepStarted, StepMaintenanceWindow))
			assert.Zero(t, evs.count(rotation.EventStepRetrying, StepMaintenanceWindow), "a permanent refusal is not retried")
			assert.Empty(t, hook.Messages(), "nothing is announced")
		})
	}
}

func TestGateInsideWindowRotatesAndNotifiesOnce(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	for _, at := range []time.Time{
		time.Date(2026, 1, 5, 22, 0, 0, 0, berlin),
		time.Date(2026, 1, 6, 1, 30, 0, 0, berlin),
	} {
		t.Run(at.Format("15:04"), func(t *testing.T) {
			o := newOrg(t)
			old, ok := o.idp.Certificate(oldCert)
			require.True(t, ok)
			hook := newWebhook()
			defer hook.Close()

			st, err := runAt(t, o, at, NewNotifier(hook.URL), &events{})
			require.NoError(t, err)
			requireRotated(t, o, st)

			msgs := hook.Messages()
			require.Len(t, msgs, 1)
			m := msgs[0]
			assert.Equal(t, st.New.SHA256, m.NewSHA256)
			assert.Equal(t, rotation.CertificateName(st.ID), m.NewName)
			assert.Equal(t, old.SHA256, m.OldSHA256)
			assert.Equal(t, []NotifiedCenter{
				{Name: "East", App: "East_Connected_App", OldSHA256: old.SHA256},
				{Name: "West", App: "West_Connected_App", OldSHA256: old.SHA256},
			}, m.ContactCenters)
			assert.Contains(t, m.Text, st.New.SHA256)
			assert.Equal(t, "sent", st.Value(ValueNotify))
		})
	}
}

// A notification that cannot be delivered is logged and recorded, and the
// rotation stands; the webhook URL, a secret, appears nowhere.
func TestNotifierFailureDoesNotUndoRotation(t *testing.T) {
	const secret = "/services/T0001/B0001/s3cr3tT0k3n"
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc // nil: nothing listens, or a handler that never answers
		want    string
	}{
		{"server error", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, "500"},
		{"rejected", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }, "403"},
		{"unreachable", nil, "webhook Post"},
		{"too slow", nil, "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, handler := closed.URL, tc.handler
			release := make(chan struct{})
			// Servers that answer get all the time a loaded machine needs;
			// only the one that never answers meets the short timeout.
			timeout := 10 * time.Second
			if tc.name == "too slow" {
				handler = func(http.ResponseWriter, *http.Request) { <-release }
				timeout = 50 * time.Millisecond
			}
			if handler != nil {
				srv := httptest.NewServer(handler)
				defer srv.Close()
				base = srv.URL
			}
			defer close(release) // runs before srv.Close, which waits for the handler
			var logs bytes.Buffer
			n := NewNotifier(base+secret, WithNotifyTimeout(timeout),
				WithNotifyLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			o := newOrg(t)
			var evs events

			st, err := runAt(t, o, time.Date(2026, 1, 5, 23, 0, 0, 0, mustZone(t, "Europe/Berlin")), n, &evs)

			require.NoError(t, err, "a failed notification does not fail the rotation")
			requireRotated(t, o, st)
			assert.Zero(t, evs.count(rotation.EventStepRolledBack, rotation.StepActivate))
			got := st.Value(ValueNotify)
			assert.True(t, strings.HasPrefix(got, "failed: "), "state records the failure: %q", got)
			assert.Contains(t, got, tc.want)
			assert.Contains(t, logs.String(), "rotation notification not delivered")
			assert.Contains(t, logs.String(), tc.want)
			for _, where := range []string{logs.String(), got, n.Describe()} {
				assert.NotContains(t, where, "s3cr3t")
			}
		})
	}
}

func TestNotifierRefusesBadURLWithoutNamingIt(t *testing.T) {
	n := NewNotifier("http://[::1/s3cr3t")
	st := &rotation.State{ID: "r1"}
	require.NoError(t, n.Apply(context.Background(), st))
	assert.Equal(t, "failed: webhook: invalid URL", st.Value(ValueNotify))
	assert.NoError(t, n.Rollback(context.Background(), st))
}

func TestRunProgram(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, "22:00-02:00", "Europe/Berlin"))
	s := out.String()
	assert.Contains(t, s, "4. maintenance-window")
	assert.Contains(t, s, "9. notify")
	assert.Contains(t, s, "Refused: rotation: step \"maintenance-window\" failed: outside the maintenance window")
	assert.Contains(t, s, "Org and IAM unchanged: true")
	assert.Contains(t, s, "notification sent")
	assert.Equal(t, 1, strings.Count(s, "Webhook received:"))
	assert.Equal(t, 1, strings.Count(s, `"event":"rotation.rolledback"`))
	assert.Equal(t, 1, strings.Count(s, `"event":"rotation.succeeded"`))

	require.ErrorIs(t, run(context.Background(), &out, "22:00", "Europe/Berlin"), rotation.ErrInvalidInput)
}
