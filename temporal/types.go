package temporal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// Names the workflows, the signal and the query are registered and called
// by. Workers and clients of one deployment must agree on them.
const (
	// RotateWorkflowName is the rotation workflow (see RotateWorkflow).
	RotateWorkflowName = "voicecert.Rotate"
	// RenewWorkflowName is the workflow a schedule starts (see RenewWorkflow).
	RenewWorkflowName = "voicecert.Renew"
	// GateSignal answers a manual gate; its payload is a GateAnswer.
	GateSignal = "voicecert.gate"
	// StatusQuery returns the rotation's Status.
	StatusQuery = "voicecert.status"
	// DefaultTaskQueue is the task queue of the command's worker and client.
	DefaultTaskQueue = "voicecert"
)

// RotateRequest is the input of RotateWorkflow.
type RotateRequest struct {
	// Org is the org id: the worker's Orgs resolves it to the org's
	// backends, and the workflow id derives from it (see WorkflowID).
	Org string `json:"org"`
	// Plan are the org plan's options; nil for the defaults of
	// rotation.NewOrgPlan. The soak is a durable timer of the workflow.
	Plan *rotation.PlanOptions `json:"plan,omitempty"`
	// IfExpiringWithin makes the rotation conditional, as the CLI's
	// --if-expiring-within: "auto" (one third of the lifetime), a duration
	// ("720h", "30d"), or empty to rotate unconditionally.
	IfExpiringWithin string `json:"ifExpiringWithin,omitempty"`
	// GateTimeout bounds each manual gate (default
	// rotation.DefaultManualTimeout); it is a durable timer.
	GateTimeout time.Duration `json:"gateTimeout,omitempty"`
	// MaxInFlight, when positive, bounds how many rotations of the fleet
	// hold a slot at once (see Activities.Lock); every request of one
	// fleet must give the same number.
	MaxInFlight int `json:"maxInFlight,omitempty"`
}

// Result is what RotateWorkflow returns when the rotation succeeded or was
// not due. A rotation that failed returns an error instead.
type Result struct {
	RotationID string `json:"rotationId,omitempty"`
	// Renewed is false when the certificate was not due.
	Renewed bool   `json:"renewed"`
	Message string `json:"message"`
}

// Gate is a manual action the rotation waits for, as the status query
// reports it.
type Gate struct {
	Step         string               `json:"step"`
	Action       string               `json:"action"`
	Instructions string               `json:"instructions"`
	Changes      []rotation.AppChange `json:"changes,omitempty"`
	// Rollback reports that the change undoes an earlier one.
	Rollback bool      `json:"rollback,omitempty"`
	Deadline time.Time `json:"deadline"`
}

// Request returns the gate as the rotation package's ManualRequest (what
// sandbox.World.PlayAdmin and the CLI's prompt take).
func (g *Gate) Request() rotation.ManualRequest {
	req := rotation.ManualRequest{Step: g.Step, Action: g.Action, Instructions: g.Instructions,
		Changes: g.Changes, Rollback: g.Rollback, Deadline: g.Deadline}
	if len(g.Changes) > 0 {
		req.App, req.Certificate = g.Changes[0].App, g.Changes[0].Certificate
	}
	return req
}

// GateAnswer is the payload of GateSignal.
type GateAnswer struct {
	// Step is the step whose gate is answered; an answer for another step
	// than the one waiting is ignored.
	Step string `json:"step"`
	// Done reports the change made; false refuses it, which fails the step
	// (and so rolls the rotation back).
	Done bool `json:"done"`
	// By names who answered, for the record.
	By string `json:"by,omitempty"`
}

// Status is what the status query returns: the rotation's journal record,
// as the CLI's journal would hold it, and the gate awaited.
type Status struct {
	RotationID string                `json:"rotationId"`
	Org        string                `json:"org"`
	Status     rotation.RecordStatus `json:"status"`
	Steps      []rotation.StepRecord `json:"steps"`
	Error      string                `json:"error,omitempty"`
	// Awaiting is the manual gate held now, if any.
	Awaiting *Gate `json:"awaiting,omitempty"`
	// State is the rotation.State as JSON.
	State json.RawMessage `json:"state,omitempty"`
}

// Record returns the status as a rotation.JournalRecord, which the CLI's
// resume and rollback commands take over (see docs/temporal.md).
func (s *Status) Record(updated time.Time) (*rotation.JournalRecord, error) {
	rec := &rotation.JournalRecord{Version: rotation.JournalVersion, RotationID: s.RotationID,
		Steps: append([]rotation.StepRecord(nil), s.Steps...), Status: s.Status, UpdatedAt: updated, Error: s.Error}
	if len(s.State) > 0 {
		rec.State = &rotation.State{}
		if err := json.Unmarshal(s.State, rec.State); err != nil {
			return nil, fmt.Errorf("temporal: status state: %w", err)
		}
		rec.Target = rec.State.Target
	}
	return rec, nil
}

// WorkflowID is the id of the rotation workflow of an org: one id per org,
// so that a second rotation of the org is refused while one runs.
func WorkflowID(org string) string { return "voicecert-rotation-" + org }

// ScheduleID is the id of an org's renewal schedule.
func ScheduleID(org string) string { return "voicecert-renewal-" + org }

// ParseWithin parses an --if-expiring-within policy: "auto" is zero (one
// third of the lifetime, see rotation.RenewalDue), else a Go duration or a
// number of days ("30d").
func ParseWithin(policy string) (time.Duration, error) {
	if policy == "auto" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(policy, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(policy)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%w: expiry window %q: want auto, a positive duration or a number of days (30d)", rotation.ErrInvalidInput, policy)
	}
	return d, nil
}
