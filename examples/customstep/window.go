package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// StepMaintenanceWindow is the name of the WindowGate step.
const StepMaintenanceWindow = "maintenance-window"

// ErrOutsideWindow matches an *OutsideWindowError with errors.Is.
var ErrOutsideWindow = errors.New("outside the maintenance window")

// Window is a daily maintenance window [Start, End) of wall-clock times in a
// time zone. A window whose End is not after its Start wraps past midnight
// ("22:00-02:00" is open from 22:00 to 01:59:59.999… the next morning).
//
// Times are compared as wall clock in Location, which is what a change
// calendar means: on a daylight-saving day a window still opens at 22:00
// local time, and a window hour that the clock skips simply does not occur.
type Window struct {
	// Start and End are times of day, as offsets from local midnight.
	Start, End time.Duration
	// Location is the time zone of Start and End.
	Location *time.Location
}

// ParseWindow parses a window written "HH:MM-HH:MM" in the IANA time zone
// zone ("Europe/Berlin", "UTC"). Start and end must differ (an empty or
// all-day window is ambiguous); the error matches rotation.ErrInvalidInput.
func ParseWindow(spec, zone string) (Window, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return Window{}, fmt.Errorf("%w: maintenance window %q: want HH:MM-HH:MM", rotation.ErrInvalidInput, spec)
	}
	start, err := parseClock(from)
	if err != nil {
		return Window{}, fmt.Errorf("%w: maintenance window %q: start: %v", rotation.ErrInvalidInput, spec, err)
	}
	end, err := parseClock(to)
	if err != nil {
		return Window{}, fmt.Errorf("%w: maintenance window %q: end: %v", rotation.ErrInvalidInput, spec, err)
	}
	if start == end {
		return Window{}, fmt.Errorf("%w: maintenance window %q: start and end are equal", rotation.ErrInvalidInput, spec)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		return Window{}, fmt.Errorf("%w: maintenance window time zone %q is not an IANA zone name", rotation.ErrInvalidInput, zone)
	}
	return Window{Start: start, End: end, Location: loc}, nil
}

// parseClock parses "HH:MM" (00:00 to 23:59) as an offset from midnight.
func parseClock(s string) (time.Duration, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if !ok || herr != nil || merr != nil || len(hh) != 2 || len(mm) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not a time HH:MM", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// Contains reports whether t falls inside the window.
func (w Window) Contains(t time.Time) bool {
	tod := timeOfDay(t.In(w.Location))
	if w.Start < w.End {
		return w.Start <= tod && tod < w.End
	}
	return tod >= w.Start || tod < w.End
}

// NextOpen returns the first opening of the window strictly after t, in the
// window's time zone.
func (w Window) NextOpen(t time.Time) time.Time {
	open := w.On(t, w.Start)
	if !open.After(t) {
		open = w.On(t.In(w.Location).AddDate(0, 0, 1), w.Start)
	}
	return open
}

// On returns the wall-clock time tod (an offset from midnight, such as
// w.Start) on the day of t in the window's time zone.
func (w Window) On(t time.Time, tod time.Duration) time.Time {
	lt := t.In(w.Location)
	return time.Date(lt.Year(), lt.Month(), lt.Day(), int(tod/time.Hour), int(tod%time.Hour/time.Minute), 0, 0, w.Location)
}

// String returns the window as "22:00-02:00 Europe/Berlin".
func (w Window) String() string {
	return fmt.Sprintf("%s-%s %s", clock(w.Start), clock(w.End), w.Location)
}

func timeOfDay(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// OutsideWindowError is the refusal of a WindowGate: the rotation reached the
// gate at a time outside the window. It matches ErrOutsideWindow.
type OutsideWindowError struct {
	Window Window
	// At is when the gate was reached, in the window's time zone.
	At time.Time
	// NextOpen is when the window opens next.
	NextOpen time.Time
}

// Error says when the gate was reached and when the window opens next.
func (e *OutsideWindowError) Error() string {
	return fmt.Sprintf("outside the maintenance window %s: it is %s there; the window opens next at %s",
		e.Window, e.At.Format("Mon 15:04"), e.NextOpen.Format("2006-01-02 15:04 MST"))
}

// Is makes errors.Is(err, ErrOutsideWindow) true.
func (e *OutsideWindowError) Is(target error) bool { return target == ErrOutsideWindow }

// WindowGate is a rotation.Step that lets a rotation proceed only inside a
// maintenance window. Insert it before rotation.StepActivate, the step that
// switches the certificate Salesforce signs with: everything before it
// (staging the certificate, trusting it next to the old one) is invisible to
// agents, everything from it on is the change the window is for.
//
// Outside the window Apply fails with a permanent *OutsideWindowError, so the
// engine does not retry it and rolls back the steps before it: the new
// certificate is deleted and every IAM document restored. Run the rotation
// again inside the window (a scheduler's job), rather than waiting in Apply
// for hours while holding the rotation's locks.
//
// The gate changes nothing: its Rollback does nothing, and Apply is
// idempotent. A rotation resumed from a journal meets the gate again, at the
// time of the resume.
type WindowGate struct {
	window Window
	now    func() time.Time
}

// NewWindowGate returns the gate of w. now is its clock; nil means time.Now.
func NewWindowGate(w Window, now func() time.Time) *WindowGate {
	if now == nil {
		now = time.Now
	}
	return &WindowGate{window: w, now: now}
}

// Name returns StepMaintenanceWindow.
func (g *WindowGate) Name() string { return StepMaintenanceWindow }

// Describe says which window the gate enforces.
func (g *WindowGate) Describe() string {
	return "refuse to go on outside the maintenance window " + g.window.String()
}

// Apply returns nil inside the window and a permanent *OutsideWindowError
// outside it.
func (g *WindowGate) Apply(context.Context, *rotation.State) error {
	now := g.now()
	if g.window.Contains(now) {
		return nil
	}
	return rotation.Permanent(&OutsideWindowError{
		Window: g.window, At: now.In(g.window.Location), NextOpen: g.window.NextOpen(now),
	})
}

// Rollback does nothing: the gate changed nothing.
func (g *WindowGate) Rollback(context.Context, *rotation.State) error { return nil }
