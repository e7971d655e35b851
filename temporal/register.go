package temporal

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Register registers the rotation and renewal workflows and the
// activities (the built-in steps and the custom ones of a's Options run as
// the Step activity, by name) with a worker.
func Register(w worker.Registry, a *Activities) {
	RegisterWorkflows(w)
	w.RegisterActivityWithOptions(a, activity.RegisterOptions{Name: activityPrefix})
}

// RegisterWorkflows registers only the workflows (a replayer needs no
// activities).
func RegisterWorkflows(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(RotateWorkflow, workflow.RegisterOptions{Name: RotateWorkflowName})
	w.RegisterWorkflowWithOptions(RenewWorkflow, workflow.RegisterOptions{Name: RenewWorkflowName})
}
