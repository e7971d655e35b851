package temporal

import (
	"context"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// Start starts the rotation workflow of req.Org on the task queue. While a
// rotation of the org runs, a second start fails (the id conflict policy
// is FAIL) with a *serviceerror.WorkflowExecutionAlreadyStarted; once it
// has closed, a new one may start.
func Start(ctx context.Context, c client.Client, taskQueue string, req RotateRequest) (client.WorkflowRun, error) {
	if taskQueue == "" {
		taskQueue = DefaultTaskQueue
	}
	return c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(req.Org),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		// Without it the SDK returns the running rotation's handle.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, RotateWorkflowName, req)
}

// GetStatus queries the status of the org's latest rotation workflow.
func GetStatus(ctx context.Context, c client.Client, org string) (Status, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(org), "", StatusQuery)
	if err != nil {
		return Status{}, err
	}
	var s Status
	err = v.Get(&s)
	return s, err
}

// Answer signals the org's rotation that the gate of a.Step is answered.
func Answer(ctx context.Context, c client.Client, org string, a GateAnswer) error {
	return c.SignalWorkflow(ctx, WorkflowID(org), "", GateSignal, a)
}

// Cancel asks the org's rotation to stop; it rolls back what it did.
func Cancel(ctx context.Context, c client.Client, org string) error {
	return c.CancelWorkflow(ctx, WorkflowID(org), "")
}
