package rotation

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"
)

// EventType names what happened in an [Event].
type EventType string

// The events a [Rotator] emits, in the order they can occur.
const (
	// EventRotationStarted opens a Run or a Resume.
	EventRotationStarted EventType = "rotation.started"
	// EventStepStarted precedes the first attempt of a step's Apply.
	EventStepStarted EventType = "step.started"
	// EventStepRetrying reports a transient failure that will be retried;
	// Attempt is the attempt that failed.
	EventStepRetrying EventType = "step.retrying"
	// EventWaiting reports a manual gate: a person must act (see Manual).
	EventWaiting EventType = "step.waiting"
	// EventVerified reports a check of sign-ins made by a step: the trust
	// step's check of Responses signed with the old certificate (overlap),
	// the verify step's of those signed with the new one. Verification
	// gives, per contact center, the local result and the relying party's
	// verdict, and the warnings.
	EventVerified EventType = "step.verified"
	// EventStepSucceeded reports that a step is applied.
	EventStepSucceeded EventType = "step.succeeded"
	// EventStepFailed reports that a step's Apply failed for good.
	EventStepFailed EventType = "step.failed"
	// EventStepRolledBack reports that a step's Rollback succeeded.
	EventStepRolledBack EventType = "step.rolledback"
	// EventRollbackFailed reports that a step's Rollback failed; the step
	// stays applied and the journal says so.
	EventRollbackFailed EventType = "step.rollback_failed"
	// EventRotationSucceeded closes a rotation whose every step is applied.
	EventRotationSucceeded EventType = "rotation.succeeded"
	// EventRotationRolledBack closes a rotation that was rolled back. Err is
	// the rotation's error; Message says whether rollback was complete.
	EventRotationRolledBack EventType = "rotation.rolledback"
)

// Event is one observable moment of a rotation. Events never carry a secret.
//
// An Event marshals to JSON with stable camelCase names, the same as the
// attributes of its log record where both exist: type, rotationId, step,
// time, attempt, rollback, error (Err's message; an error does not
// marshal itself), message and manual. Empty fields are left out, except
// type and time.
type Event struct {
	Type EventType `json:"type"`
	// RotationID is the State's ID.
	RotationID string `json:"rotationId,omitempty"`
	// Step is the step concerned; empty for rotation-level events.
	Step string    `json:"step,omitempty"`
	Time time.Time `json:"time"`
	// Attempt counts the attempts of the step's Apply or Rollback, from 1.
	Attempt int `json:"attempt,omitempty"`
	// Rollback reports that the event concerns a Rollback.
	Rollback bool `json:"rollback,omitempty"`
	// Err is the failure an event reports; in JSON, its message as
	// "error".
	Err     error  `json:"-"`
	Message string `json:"message,omitempty"`
	// Manual is set on EventWaiting.
	Manual *ManualRequest `json:"manual,omitempty"`
	// Verification is set on EventVerified.
	Verification *Verification `json:"verification,omitempty"`
}

// eventJSON is an Event as it marshals: its tagged fields, and Err as a
// message.
type eventJSON struct {
	plainEvent
	Error string `json:"error,omitempty"`
}

// plainEvent is an Event without its JSON methods.
type plainEvent Event

// MarshalJSON writes e with the names documented on [Event], Err as its
// message.
func (e Event) MarshalJSON() ([]byte, error) {
	j := eventJSON{plainEvent: plainEvent(e)}
	if e.Err != nil {
		j.Error = e.Err.Error()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes; the error comes back as an
// error with the same message.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = Event(j.plainEvent)
	if j.Error != "" {
		e.Err = errors.New(j.Error)
	}
	return nil
}

// emitterKey keys the function through which a running step emits events.
type emitterKey struct{}

// withEmitter returns ctx carrying emit, for the step running under it.
func withEmitter(ctx context.Context, emit func(context.Context, Event)) context.Context {
	return context.WithValue(ctx, emitterKey{}, emit)
}

// emitFrom emits e through the emitter ctx carries, if any. A step calls
// it from the goroutine that runs its Apply, so observers still see the
// events one at a time, in order.
func emitFrom(ctx context.Context, e Event) {
	if emit, ok := ctx.Value(emitterKey{}).(func(context.Context, Event)); ok {
		emit(ctx, e)
	}
}

// Observer receives every event of a rotation, synchronously, in order. An
// observer must return quickly; it must not call the Rotator.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// ObserverFunc adapts a function to the [Observer] interface.
type ObserverFunc func(ctx context.Context, e Event)

// Observe calls f(ctx, e).
func (f ObserverFunc) Observe(ctx context.Context, e Event) { f(ctx, e) }

// emit stamps e, logs it and hands it to every observer.
func (r *Rotator) emit(ctx context.Context, e Event) {
	e.Time = r.cfg.now()
	r.log(ctx, e)
	for _, o := range r.cfg.observers {
		o.Observe(ctx, e)
	}
}

func (r *Rotator) log(ctx context.Context, e Event) {
	level := slog.LevelInfo
	switch e.Type {
	case EventStepRetrying, EventWaiting:
		level = slog.LevelWarn
	case EventStepFailed, EventRollbackFailed, EventRotationRolledBack:
		level = slog.LevelError
	case EventVerified:
		if e.Verification != nil && !e.Verification.OK() {
			level = slog.LevelWarn
		}
	}
	attrs := []slog.Attr{slog.String("event", string(e.Type)), slog.String("rotation", e.RotationID)}
	if e.Step != "" {
		attrs = append(attrs, slog.String("step", e.Step))
	}
	if e.Attempt > 0 {
		attrs = append(attrs, slog.Int("attempt", e.Attempt))
	}
	if e.Rollback {
		attrs = append(attrs, slog.Bool("rollback", true))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	if e.Message != "" {
		attrs = append(attrs, slog.String("detail", e.Message))
	}
	if m := e.Manual; m != nil {
		attrs = append(attrs,
			slog.String("action", m.Action),
			slog.String("app", m.App.String()),
			slog.String("certificate", m.Certificate),
			slog.Time("deadline", m.Deadline))
		if len(m.Changes) > 1 {
			attrs = append(attrs, slog.Int("changes", len(m.Changes)))
		}
	}
	if v := e.Verification; v != nil {
		attrs = append(attrs, v.logAttrs()...)
	}
	r.cfg.logger.LogAttrs(ctx, level, "rotation "+string(e.Type), attrs...)
}
