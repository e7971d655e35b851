package main

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// AuditRecord is one line of an AuditLog: one rotation.Event as JSON.
// Events never carry a secret, and neither does a record.
type AuditRecord struct {
	Time       time.Time          `json:"time"`
	RotationID string             `json:"rotation"`
	Event      rotation.EventType `json:"event"`
	Step       string             `json:"step,omitempty"`
	Attempt    int                `json:"attempt,omitempty"`
	Rollback   bool               `json:"rollback,omitempty"`
	Message    string             `json:"message,omitempty"`
	Error      string             `json:"error,omitempty"`
	// Manual is the action a manual gate asks a person for.
	Manual string `json:"manual,omitempty"`
}

// AuditLog is a rotation.Observer that writes one JSON line per event, for
// an append-only audit trail (a file, a log shipper's pipe). Add it with
// rotation.WithObserver. It is safe for concurrent use, so one AuditLog may
// observe several rotations.
type AuditLog struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

// NewAuditLog returns an AuditLog writing to w.
func NewAuditLog(w io.Writer) *AuditLog { return &AuditLog{enc: json.NewEncoder(w)} }

// Observe writes e as one line. An observer cannot fail a rotation, so a
// write error is kept for Err and later events are dropped.
func (a *AuditLog) Observe(_ context.Context, e rotation.Event) {
	rec := AuditRecord{
		Time: e.Time.UTC(), RotationID: e.RotationID, Event: e.Type, Step: e.Step,
		Attempt: e.Attempt, Rollback: e.Rollback, Message: e.Message,
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	if e.Manual != nil {
		rec.Manual = e.Manual.Action
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err == nil {
		a.err = a.enc.Encode(rec)
	}
}

// Err returns the first write error, if any.
func (a *AuditLog) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}
