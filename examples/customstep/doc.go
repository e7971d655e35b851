// Customstep shows how to put your own steps into voicecert's org rotation
// plan and watch it run. It needs no network and no account: the org and the
// AWS accounts are the in-memory fakes of rotation/rotationtest, and the chat
// webhook is a local httptest server.
//
//	go run ./examples/customstep [-window 22:00-02:00] [-zone Europe/Berlin]
//
// It shows three pieces, each usable on its own:
//
//   - WindowGate, a step inserted with rotation.WithStepBefore before
//     rotation.StepActivate, that refuses (a permanent *OutsideWindowError)
//     to switch the certificate outside a daily maintenance window
//     [start, end) in a time zone, with an injectable clock. The program runs
//     the rotation once at the window's end, which the gate refuses and the
//     engine rolls back, leaving the org and IAM exactly as they were, then
//     at the window's start, which succeeds.
//   - Notifier, a step inserted with rotation.WithStepAfter after
//     rotation.StepRetire, that posts a JSON Notification (old and new
//     fingerprints, contact centers) to a webhook. It is best effort: a failed
//     post is logged and recorded in the State, never returned, so a chat
//     outage cannot undo a finished rotation (see Notifier for the reasoning).
//   - AuditLog, a rotation.Observer that writes one JSON line per event.
//
// # Known unknowns
//
// The Notification's "text" field is what Slack incoming webhooks display;
// other services (Teams Workflows expect an Adaptive Card) need another
// shape, which this example does not model or test against a real service.
// The window is evaluated in wall-clock time of its zone; on the days a
// daylight-saving change skips or repeats an hour, a window edge in that
// hour moves with the clock.
package main
