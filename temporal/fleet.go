package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// RenewWorkflow is what an org's schedule starts: the rotation workflow of
// the org as a child, under the org's WorkflowID, so that a renewal never
// runs beside another rotation of the org. The child checks the renewal
// policy (req.IfExpiringWithin) first and returns at once when nothing is
// due. A rotation of the org already running is left alone, and one this
// workflow started outlives it (parent close policy ABANDON): ending the
// renewal never rolls a rotation back.
func RenewWorkflow(ctx workflow.Context, req RotateRequest) (*Result, error) {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            WorkflowID(req.Org),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	var res Result
	err := workflow.ExecuteChildWorkflow(cctx, RotateWorkflowName, req).Get(ctx, &res)
	if isAlreadyStarted(err) {
		return &Result{Message: "a rotation of " + req.Org + " is running already"}, nil
	}
	if err != nil {
		return nil, err
	}
	return &res, nil
}

func isAlreadyStarted(err error) bool {
	var ae *sdktemporal.ChildWorkflowExecutionAlreadyStartedError
	return errors.As(err, &ae)
}

// ScheduleOptions shape an org's renewal schedule.
type ScheduleOptions struct {
	// Every is how often the schedule fires (each firing only rotates when
	// the certificate is due).
	Every time.Duration
	// TaskQueue is the workers' task queue (default DefaultTaskQueue).
	TaskQueue string
}

// EnsureSchedule creates the org's renewal schedule (ScheduleID), which
// starts RenewWorkflow with req every o.Every; a firing while the last one
// still runs is skipped. req.IfExpiringWithin should be set, or every
// firing rotates. A schedule that exists already is left as it is.
func EnsureSchedule(ctx context.Context, c client.Client, req RotateRequest, o ScheduleOptions) (client.ScheduleHandle, error) {
	if o.Every <= 0 {
		return nil, fmt.Errorf("temporal: schedule of %s: a positive interval is needed", req.Org)
	}
	if o.TaskQueue == "" {
		o.TaskQueue = DefaultTaskQueue
	}
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      ScheduleID(req.Org),
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: o.Every}}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:        "voicecert-renew-" + req.Org,
			Workflow:  RenewWorkflowName,
			Args:      []any{req},
			TaskQueue: o.TaskQueue,
		},
	})
	if errors.Is(err, sdktemporal.ErrScheduleAlreadyRunning) {
		return c.ScheduleClient().GetHandle(ctx, ScheduleID(req.Org)), nil
	}
	return h, err
}
