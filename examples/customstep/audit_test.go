package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

func decodeAudit(t *testing.T, b []byte) []AuditRecord {
	t.Helper()
	var recs []AuditRecord
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var r AuditRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), "line %q", sc.Text())
		recs = append(recs, r)
	}
	require.NoError(t, sc.Err())
	return recs
}

// multi fans events out to several observers, in order.
type multi []rotation.Observer

func (m multi) Observe(ctx context.Context, e rotation.Event) {
	for _, o := range m {
		o.Observe(ctx, e)
	}
}

func TestAuditLogWritesOneLinePerEvent(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	for _, tc := range []struct {
		name string
		at   time.Time
		last rotation.EventType
	}{
		{"refused", time.Date(2026, 1, 5, 14, 0, 0, 0, berlin), rotation.EventRotationRolledBack},
		{"rotated", time.Date(2026, 1, 5, 23, 0, 0, 0, berlin), rotation.EventRotationSucceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hook := newWebhook()
			defer hook.Close()
			var buf bytes.Buffer
			audit := NewAuditLog(&buf)
			var evs events
			_, _ = runAt(t, newOrg(t), tc.at, NewNotifier(hook.URL), multi{audit, &evs})
			require.NoError(t, audit.Err())

			recs := decodeAudit(t, buf.Bytes())
			require.Len(t, recs, len(evs.list))
			for i, e := range evs.list {
				r := recs[i]
				assert.Equal(t, e.Type, r.Event, "line %d", i)
				assert.Equal(t, e.Step, r.Step, "line %d", i)
				assert.Equal(t, "t1", r.RotationID, "line %d", i)
				assert.True(t, e.Time.Equal(r.Time), "line %d", i)
				assert.Equal(t, e.Err != nil, r.Error != "", "line %d", i)
			}
			assert.Equal(t, tc.last, recs[len(recs)-1].Event)
		})
	}
}

func TestAuditLogRecordFields(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 1, 5, 23, 0, 0, 0, mustZone(t, "Europe/Berlin"))
	NewAuditLog(&buf).Observe(context.Background(), rotation.Event{
		Type: rotation.EventWaiting, RotationID: "r7", Step: rotation.StepActivate, Time: at, Attempt: 2,
		Rollback: true, Message: "waiting", Err: errors.New("not yet"),
		Manual: &rotation.ManualRequest{Action: "set the IdP certificate of app West"},
	})
	assert.Equal(t, []AuditRecord{{
		Time: at.UTC(), RotationID: "r7", Event: rotation.EventWaiting, Step: rotation.StepActivate, Attempt: 2,
		Rollback: true, Message: "waiting", Error: "not yet", Manual: "set the IdP certificate of app West",
	}}, decodeAudit(t, buf.Bytes()))
}

// failWriter fails every write and counts them.
type failWriter struct{ writes int }

func (w *failWriter) Write([]byte) (int, error) { w.writes++; return 0, errors.New("disk full") }

func TestAuditLogKeepsTheFirstWriteError(t *testing.T) {
	w := &failWriter{}
	a := NewAuditLog(w)
	a.Observe(context.Background(), rotation.Event{Type: rotation.EventRotationStarted})
	a.Observe(context.Background(), rotation.Event{Type: rotation.EventRotationSucceeded})
	require.EqualError(t, a.Err(), "disk full")
	assert.Equal(t, 1, w.writes, "later events are dropped")
}
