package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func mustWindow(t testing.TB, spec, zone string) Window {
	t.Helper()
	w, err := ParseWindow(spec, zone)
	require.NoError(t, err)
	return w
}

func TestParseWindow(t *testing.T) {
	w := mustWindow(t, " 22:00 - 02:30 ", "Europe/Berlin")
	assert.Equal(t, 22*time.Hour, w.Start)
	assert.Equal(t, 2*time.Hour+30*time.Minute, w.End)
	assert.Equal(t, "Europe/Berlin", w.Location.String())
	assert.Equal(t, "22:00-02:30 Europe/Berlin", w.String())

	for _, tc := range []struct{ name, spec, zone string }{
		{"empty", "", "UTC"},
		{"no end", "22:00", "UTC"},
		{"hour 24", "24:00-01:00", "UTC"},
		{"minute 60", "22:60-01:00", "UTC"},
		{"one-digit hour", "9:00-17:00", "UTC"},
		{"seconds", "09:00:00-17:00", "UTC"},
		{"letters", "ab:cd-01:00", "UTC"},
		{"negative", "-1:00-01:00", "UTC"},
		{"equal ends", "22:00-22:00", "UTC"},
		{"unknown zone", "22:00-02:00", "Mars/Olympus_Mons"},
		{"no zone", "22:00-02:00", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWindow(tc.spec, tc.zone)
			require.ErrorIs(t, err, rotation.ErrInvalidInput)
		})
	}
}

func TestWindowContains(t *testing.T) {
	berlin, newYork := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York")
	night := mustWindow(t, "22:00-02:00", "Europe/Berlin")
	office := mustWindow(t, "09:00-17:00", "America/New_York")
	for _, tc := range []struct {
		name string
		w    Window
		at   time.Time
		want bool
	}{
		{"just before start", night, time.Date(2026, 1, 5, 21, 59, 59, 999999999, berlin), false},
		{"start is inside", night, time.Date(2026, 1, 5, 22, 0, 0, 0, berlin), true},
		{"before midnight", night, time.Date(2026, 1, 5, 23, 30, 0, 0, berlin), true},
		{"midnight", night, time.Date(2026, 1, 6, 0, 0, 0, 0, berlin), true},
		{"just before end", night, time.Date(2026, 1, 6, 1, 59, 59, 999999999, berlin), true},
		{"end is outside", night, time.Date(2026, 1, 6, 2, 0, 0, 0, berlin), false},
		{"afternoon", night, time.Date(2026, 1, 6, 14, 0, 0, 0, berlin), false},
		{"other zone: 21:00 UTC is 22:00 CET", night, time.Date(2026, 1, 5, 21, 0, 0, 0, time.UTC), true},
		{"other zone: 20:59 UTC is 21:59 CET", night, time.Date(2026, 1, 5, 20, 59, 0, 0, time.UTC), false},
		{"summer time: 20:00 UTC is 22:00 CEST", night, time.Date(2026, 3, 29, 20, 0, 0, 0, time.UTC), true},
		{"change night: 00:30 UTC is 01:30 CET", night, time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), true},
		{"summer time: 00:30 UTC is 02:30 CEST", night, time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), false},
		{"office before", office, time.Date(2026, 7, 1, 8, 59, 0, 0, newYork), false},
		{"office start", office, time.Date(2026, 7, 1, 9, 0, 0, 0, newYork), true},
		{"office late", office, time.Date(2026, 7, 1, 16, 59, 0, 0, newYork), true},
		{"office end", office, time.Date(2026, 7, 1, 17, 0, 0, 0, newYork), false},
		{"office night", office, time.Date(2026, 7, 1, 23, 0, 0, 0, newYork), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.w.Contains(tc.at), "%s at %s", tc.w, tc.at)
		})
	}
}

func TestWindowNextOpen(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	night := mustWindow(t, "22:00-02:00", "Europe/Berlin")
	office := mustWindow(t, "09:00-17:00", "Europe/Berlin")
	for _, tc := range []struct {
		name     string
		w        Window
		at, want time.Time
	}{
		{"afternoon: tonight", night, time.Date(2026, 1, 5, 14, 0, 0, 0, berlin), time.Date(2026, 1, 5, 22, 0, 0, 0, berlin)},
		{"window end: tonight", night, time.Date(2026, 1, 6, 2, 0, 0, 0, berlin), time.Date(2026, 1, 6, 22, 0, 0, 0, berlin)},
		{"at the opening: tomorrow's", night, time.Date(2026, 1, 5, 22, 0, 0, 0, berlin), time.Date(2026, 1, 6, 22, 0, 0, 0, berlin)},
		{"after office hours: tomorrow", office, time.Date(2026, 1, 5, 18, 0, 0, 0, berlin), time.Date(2026, 1, 6, 9, 0, 0, 0, berlin)},
		{"end of year", office, time.Date(2026, 12, 31, 18, 0, 0, 0, berlin), time.Date(2027, 1, 1, 9, 0, 0, 0, berlin)},
		{"from UTC", office, time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC), time.Date(2026, 1, 5, 9, 0, 0, 0, berlin)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.w.NextOpen(tc.at)
			assert.True(t, tc.want.Equal(got), "want %s, got %s", tc.want, got)
		})
	}
}

func TestWindowGateApply(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	w := mustWindow(t, "22:00-02:00", "Europe/Berlin")
	at := time.Date(2026, 1, 5, 14, 0, 0, 0, berlin)
	gate := NewWindowGate(w, func() time.Time { return at })
	assert.Equal(t, StepMaintenanceWindow, gate.Name())
	assert.Contains(t, gate.Describe(), "22:00-02:00 Europe/Berlin")

	err := gate.Apply(context.Background(), &rotation.State{})
	require.ErrorIs(t, err, ErrOutsideWindow)
	var out *OutsideWindowError
	require.ErrorAs(t, err, &out)
	assert.True(t, at.Equal(out.At))
	assert.True(t, time.Date(2026, 1, 5, 22, 0, 0, 0, berlin).Equal(out.NextOpen))
	assert.Equal(t, "outside the maintenance window 22:00-02:00 Europe/Berlin: it is Mon 14:00 there; the window opens next at 2026-01-05 22:00 CET", out.Error())
	var perm *rotation.PermanentError
	assert.ErrorAs(t, err, &perm, "the refusal is permanent")
	assert.False(t, rotation.IsTransient(err))

	at = time.Date(2026, 1, 5, 23, 0, 0, 0, berlin)
	require.NoError(t, gate.Apply(context.Background(), &rotation.State{}))
	assert.NoError(t, gate.Rollback(context.Background(), &rotation.State{}))
}

func TestWindowGateDefaultClockIsNow(t *testing.T) {
	// A two-hour window around now, and the twenty-two hours after it.
	tod := timeOfDay(time.Now().UTC()).Truncate(time.Minute)
	around := Window{Start: (tod + 23*time.Hour) % (24 * time.Hour), End: (tod + time.Hour) % (24 * time.Hour), Location: time.UTC}
	rest := Window{Start: around.End, End: around.Start, Location: time.UTC}

	require.NoError(t, NewWindowGate(around, nil).Apply(context.Background(), &rotation.State{}))
	err := NewWindowGate(rest, nil).Apply(context.Background(), &rotation.State{})
	assert.True(t, errors.Is(err, ErrOutsideWindow), "got %v", err)
}
