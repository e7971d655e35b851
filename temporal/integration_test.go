package temporal

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/temporal/internal/devserver"
)

var updateHistories = flag.Bool("update-histories", false, "record the dev server's histories into testdata/histories")

// startWorker starts a worker of the activities on the task queue; stop
// it to lose it.
func startWorker(t *testing.T, c client.Client, tq string, o Options, tweak ...func(*Activities)) worker.Worker {
	t.Helper()
	a, err := NewActivities(o)
	require.NoError(t, err)
	for _, fn := range tweak {
		fn(a)
	}
	w := worker.New(c, tq, worker.Options{})
	Register(w, a)
	require.NoError(t, w.Start())
	return w
}

func waitStep(t *testing.T, c client.Client, org, step string, status rotation.StepStatus) {
	t.Helper()
	devserver.Eventually(t, time.Minute, "step "+step+" "+string(status), func() bool {
		s, err := GetStatus(context.Background(), c, org)
		if err != nil {
			return false
		}
		for _, sr := range s.Steps {
			if sr.Name == step && sr.Status == status {
				return true
			}
		}
		return false
	})
}

func TestDevServer(t *testing.T) {
	srv := devserver.Start(t)
	c := srv.Client(t)

	t.Run("a worker lost during the soak, another finishes", func(t *testing.T) {
		const org = "org-worker-loss"
		w := startWorld(t, sandbox.Options{Pinned: -1})
		tq := devserver.TaskQueue(t)
		locker := rotation.NewFileLocker(t.TempDir())
		first, second := &recorder{}, &recorder{}
		w1 := startWorker(t, c, tq, Options{Orgs: orgsOf(map[string]*sandbox.World{org: w}), Locker: locker, Observer: first})
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		run, err := Start(ctx, c, tq, RotateRequest{Org: org, Plan: planWithSoak("4s")})
		require.NoError(t, err)
		waitStep(t, c, org, rotation.StepSoak, rotation.StepRunning)

		_, err = Start(ctx, c, tq, RotateRequest{Org: org, Plan: planWithSoak("4s")})
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		require.ErrorAs(t, err, &started, "one rotation per org")

		w1.Stop()
		orgs := func(context.Context, string) (rotation.IdentityProvider, rotation.RelyingParty, error) {
			return w.NewIdP(), w.RP, nil // what another process builds
		}
		w2 := startWorker(t, c, tq, Options{Orgs: orgs, Locker: locker, Observer: second})
		defer w2.Stop()
		var res Result
		require.NoError(t, run.Get(ctx, &res))
		assert.True(t, res.Renewed)
		assert.Contains(t, first.steps(rotation.EventStepSucceeded), rotation.StepVerify)
		assert.NotContains(t, first.steps(rotation.EventStepSucceeded), rotation.StepRetire)
		assert.Equal(t, []string{rotation.StepSoak, rotation.StepRetire}, second.steps(rotation.EventStepSucceeded), "the second worker ended the soak and retired")
		verified(t, w)
		recordHistory(t, c, run, "soak-worker-loss.json")

		run2, err := Start(ctx, c, tq, RotateRequest{Org: org, Plan: planWithSoak("0s"), IfExpiringWithin: "30d"})
		require.NoError(t, err, "once closed, a new rotation of the org may start")
		require.NoError(t, run2.Get(ctx, &res))
		assert.False(t, res.Renewed)
	})

	t.Run("a fleet of orgs renewed on schedules", func(t *testing.T) { fleetOnSchedules(t, c) })

	t.Run("a fault at trust compensates", func(t *testing.T) {
		const org = "org-trust-fault"
		w := startWorld(t, sandbox.Options{Pinned: -1})
		before := w.Snapshot()
		w.IAM.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: "AccessDenied", Status: 403}, 1000)
		tq := devserver.TaskQueue(t)
		rec := &recorder{}
		wk := startWorker(t, c, tq, Options{Orgs: orgsOf(map[string]*sandbox.World{org: w}), Observer: rec})
		defer wk.Stop()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		run, err := Start(ctx, c, tq, RotateRequest{Org: org, Plan: planWithSoak("1h")})
		require.NoError(t, err)
		err = run.Get(ctx, nil)
		var ae *sdktemporal.ApplicationError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, ErrTypeRotation, ae.Type())
		assert.Contains(t, ae.Message(), "failed at step trust")
		assert.Equal(t, []string{rotation.StepTrust, rotation.StepStage, rotation.StepPreflight}, rec.steps(rotation.EventStepRolledBack))
		assert.Equal(t, before, w.Snapshot())
		s, err := GetStatus(ctx, c, org)
		require.NoError(t, err)
		assert.Equal(t, rotation.StatusRolledBack, s.Status)
		recordHistory(t, c, run, "trust-fault.json")
	})
}

// recordHistory writes the run's history to testdata/histories with
// -update-histories; TestReplayRecordedHistories replays them.
func recordHistory(t *testing.T, c client.Client, run client.WorkflowRun, name string) {
	t.Helper()
	if !*updateHistories {
		return
	}
	it := c.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join("testdata", "histories"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "histories", name), b, 0o644))
}

// Histories recorded from the dev server replay with today's workflow code:
// a change that is not deterministic fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 2, "recorded histories")
	for _, f := range files {
		r := worker.NewWorkflowReplayer()
		RegisterWorkflows(r)
		require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(devserver.Quiet(), f), f)
	}
	// The replayer can fail: a workflow whose code changed does not replay.
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(changedRotateWorkflow, workflowOptions(RotateWorkflowName))
	err = r.ReplayWorkflowHistoryFromJSONFile(devserver.Quiet(), files[0])
	require.Error(t, err)
	assert.False(t, errors.Is(err, context.Canceled))
}

// changedRotateWorkflow is a rotation workflow whose first command differs.
func changedRotateWorkflow(ctx workflow.Context, _ RotateRequest) (*Result, error) {
	return nil, workflow.Sleep(ctx, time.Second)
}

func workflowOptions(name string) workflow.RegisterOptions {
	return workflow.RegisterOptions{Name: name}
}
