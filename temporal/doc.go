// Package temporal runs voicecert rotations as Temporal workflows: durable
// rotations that survive the loss of a worker, manual gates answered from
// anywhere by a signal, and a fleet of orgs renewed on schedules with a
// bounded number of rotations in flight.
//
// It is a module of its own (github.com/voicecert/voicecert/temporal), so
// that the core module does not depend on the Temporal SDK.
//
// RotateWorkflow runs the steps of a rotation.OrgPlan, with custom steps
// inserted, each as the Step activity by name; the State travels between
// activities as JSON, as the journal holds it. A failure rolls back in
// reverse order as rotation.Rotator does. The soak and each gate's timeout
// are durable timers. The workflow id derives from the org id (WorkflowID)
// and Start refuses a second rotation of an org while one runs; the Lock
// activity takes the same lock keys as the CLI, so mixed runs exclude each
// other too.
//
// A worker registers the workflows and activities with Register; a client
// uses Start, GetStatus, Answer and Cancel; EnsureSchedule creates an org's
// renewal schedule. docs/temporal.md covers deployment.
package temporal
