package temporal_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/temporal"
)

// A rotation of a sandbox org with a 24-hour soak, run in the SDK's test
// environment, where the soak's timer takes no time. A worker registers
// the same activities and workflows with temporal.Register.
func Example() {
	ctx := context.Background()
	w, err := sandbox.Start(ctx, sandbox.Options{Pinned: -1})
	if err != nil {
		panic(err)
	}
	defer w.Close()
	acts, err := temporal.NewActivities(temporal.Options{
		Orgs: func(context.Context, string) (rotation.IdentityProvider, rotation.RelyingParty, error) {
			return w.IdP, w.RP, nil
		},
	})
	if err != nil {
		panic(err)
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestWorkflowEnvironment()
	env.SetTestTimeout(time.Minute)
	temporal.Register(env, acts)

	env.ExecuteWorkflow(temporal.RotateWorkflowName, temporal.RotateRequest{
		Org: sandbox.OrgID,
		Plan: &rotation.PlanOptions{Strategy: rotation.StrategyOverlap, KeyBits: rotation.DefaultKeyBits,
			LabelTemplate: rotation.DefaultLabelTemplate, Soak: 24 * time.Hour, Canary: 1, Concurrency: 4},
	})
	var res temporal.Result
	if err := env.GetWorkflowResult(&res); err != nil {
		panic(err)
	}
	fmt.Println(res.Renewed, res.Message)
	// Output: true rotated and verified
}
