package temporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

const testOrg = "org-a"

// env returns a test workflow environment with the activities of o over
// the world registered.
func env(t *testing.T, w *sandbox.World, o Options) (*testsuite.TestWorkflowEnvironment, *Activities) {
	t.Helper()
	if o.Orgs == nil {
		o.Orgs = orgsOf(map[string]*sandbox.World{testOrg: w})
	}
	a, err := NewActivities(o)
	require.NoError(t, err)
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	e := s.NewTestWorkflowEnvironment()
	e.SetTestTimeout(3 * time.Minute)
	Register(e, a)
	return e, a
}

func TestRotateWorkflowRotatesAndSoaksInTestTime(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	rec := &recorder{}
	e, _ := env(t, w, Options{Observer: rec})
	start := e.Now()
	wall := time.Now()
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("24h")})

	require.True(t, e.IsWorkflowCompleted())
	require.NoError(t, e.GetWorkflowError())
	var res Result
	require.NoError(t, e.GetWorkflowResult(&res))
	assert.True(t, res.Renewed)
	assert.GreaterOrEqual(t, e.Now().Sub(start), 24*time.Hour, "the soak is a timer of the workflow's clock")
	assert.Less(t, time.Since(wall), time.Hour)

	want := []string{rotation.StepPreflight, rotation.StepStage, rotation.StepTrust, rotation.StepActivate, rotation.StepVerify, rotation.StepSoak, rotation.StepRetire}
	assert.Equal(t, want, rec.steps(rotation.EventStepSucceeded))
	assert.Empty(t, rec.steps(rotation.EventStepRolledBack))
	assert.NotEqual(t, before.Org, w.Snapshot().Org)
	verified(t, w)
	sig, err := w.IdP.SigningState(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, "SelfSignedCert_Previous", sig.Default.Name)
}

// failAfter applies the step named name, then fails it: the step changed
// what it changes, so its own rollback must undo it too.
func failAfter(name string) func(rotation.Step) rotation.Step {
	return func(s rotation.Step) rotation.Step {
		if s.Name() != name {
			return s
		}
		return rotation.StepFunc(s.Name(), s.Describe(), func(ctx context.Context, st *rotation.State) error {
			if err := s.Apply(ctx, st); err != nil {
				return err
			}
			return rotation.Permanent(errors.New("injected failure after " + name))
		}, s.Rollback)
	}
}

func TestFailureAtEachStepRollsBackInReverseToTheInitialWorld(t *testing.T) {
	steps := []string{rotation.StepPreflight, rotation.StepStage, rotation.StepTrust, rotation.StepActivate, rotation.StepVerify, rotation.StepSoak, rotation.StepRetire}
	for i, step := range steps {
		t.Run(step, func(t *testing.T) {
			w := startWorld(t, sandbox.Options{Pinned: -1})
			before := w.Snapshot()
			rec := &recorder{}
			e, a := env(t, w, Options{Observer: rec})
			if step == rotation.StepSoak {
				// The soak is the workflow's timer: it fails by cancellation.
				e.RegisterDelayedCallback(e.CancelWorkflow, time.Hour)
			} else {
				a.wrap = failAfter(step)
			}
			e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("24h")})

			require.True(t, e.IsWorkflowCompleted())
			err := e.GetWorkflowError()
			var ae *sdktemporal.ApplicationError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, ErrTypeRotation, ae.Type())
			assert.Contains(t, ae.Message(), "failed at step "+step)
			var report RollbackReport
			require.NoError(t, ae.Details(&report))
			assert.Empty(t, report.Remaining)

			var wantUndone []string
			for j := i; j >= 0; j-- {
				if steps[j] != rotation.StepSoak {
					wantUndone = append(wantUndone, steps[j])
				}
			}
			assert.Equal(t, wantUndone, rec.steps(rotation.EventStepRolledBack), "rolled back in reverse, the failed step first")
			assert.Equal(t, before, w.Snapshot(), "the world is as it was")
			verified(t, w)
		})
	}
}

func TestGateAnsweredBySignal(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: 1})
	rec := &recorder{}
	e, _ := env(t, w, Options{Observer: rec})
	var seen *Gate
	e.RegisterDelayedCallback(func() {
		v, err := e.QueryWorkflow(StatusQuery)
		require.NoError(t, err)
		var s Status
		require.NoError(t, v.Get(&s))
		seen = s.Awaiting
		if seen == nil {
			return
		}
		require.NoError(t, w.PlayAdmin(context.Background(), seen.Request()))
		e.SignalWorkflow(GateSignal, GateAnswer{Step: seen.Step, Done: true, By: "admin"})
	}, 10*time.Minute)
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})

	require.True(t, e.IsWorkflowCompleted())
	require.NoError(t, e.GetWorkflowError())
	require.NotNil(t, seen, "the status query names the gate awaited")
	assert.Equal(t, rotation.StepActivate, seen.Step)
	assert.NotEmpty(t, seen.Instructions)
	require.Len(t, seen.Changes, 1)
	assert.Equal(t, w.ContactCenters[2].App, seen.Changes[0].App.Name)
	waiting := rec.first(rotation.EventWaiting)
	require.NotNil(t, waiting)
	assert.Equal(t, seen.Instructions, waiting.Manual.Instructions)
	assert.Equal(t, rotation.DefaultManualTimeout, waiting.Manual.Timeout)
	verified(t, w)
}

func TestGateTimesOutAndRollsBack(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: 1})
	before := w.Snapshot()
	rec := &recorder{}
	e, _ := env(t, w, Options{Observer: rec})
	start := e.Now()
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h"), GateTimeout: 45 * time.Minute})

	require.True(t, e.IsWorkflowCompleted())
	var ae *sdktemporal.ApplicationError
	require.ErrorAs(t, e.GetWorkflowError(), &ae)
	assert.Equal(t, ErrTypeRotation, ae.Type())
	assert.Contains(t, ae.Message(), "timed out after 45m0s")
	assert.GreaterOrEqual(t, e.Now().Sub(start), 45*time.Minute)
	assert.Equal(t, []string{rotation.StepActivate, rotation.StepTrust, rotation.StepStage, rotation.StepPreflight}, rec.steps(rotation.EventStepRolledBack))
	assert.Equal(t, before, w.Snapshot())
}

func TestGateRefusedRollsBack(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: 1})
	before := w.Snapshot()
	e, _ := env(t, w, Options{})
	e.RegisterDelayedCallback(func() {
		e.SignalWorkflow(GateSignal, GateAnswer{Step: rotation.StepStage, Done: true}) // another step: ignored
		e.SignalWorkflow(GateSignal, GateAnswer{Step: rotation.StepActivate, Done: false, By: "admin"})
	}, 10*time.Minute)
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})

	var ae *sdktemporal.ApplicationError
	require.ErrorAs(t, e.GetWorkflowError(), &ae)
	assert.Contains(t, ae.Message(), "refused by admin")
	assert.Equal(t, before, w.Snapshot())
}

func TestCustomStepsRunAsActivitiesAndCarryTheState(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: -1})
	rec := &recorder{}
	var sawValue string
	custom := []CustomStep{
		{After: rotation.StepVerify, Step: rotation.StepFunc("notify", "tell the team", func(_ context.Context, s *rotation.State) error {
			s.SetValue("ticket", "CHG-42")
			return nil
		}, nil)},
		{Before: rotation.StepRetire, Step: rotation.StepFunc("approve", "read the ticket", func(_ context.Context, s *rotation.State) error {
			sawValue = s.Value("ticket")
			if sawValue == "" {
				return rotation.Permanent(errors.New("no ticket"))
			}
			return nil
		}, nil)},
	}
	e, _ := env(t, w, Options{Observer: rec, Steps: custom})
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})
	require.NoError(t, e.GetWorkflowError())
	assert.Equal(t, "CHG-42", sawValue, "the State a step leaves reaches the next activity")
	got := rec.steps(rotation.EventStepSucceeded)
	assert.Equal(t, []string{"notify", rotation.StepSoak, "approve", rotation.StepRetire}, got[slices.Index(got, rotation.StepVerify)+1:])
}

func TestCLILocksExcludeWorkflowRuns(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: -1})
	locker := rotation.NewFileLocker(t.TempDir())
	key, err := rotation.IdPLockKey(context.Background(), w.IdP)
	require.NoError(t, err)

	t.Run("a CLI run holds the org", func(t *testing.T) {
		before := w.Snapshot()
		l, err := locker.Lock(context.Background(), key)
		require.NoError(t, err)
		defer func() { _ = l.Unlock(context.Background()) }()
		e, _ := env(t, w, Options{Locker: locker})
		e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})
		var ae *sdktemporal.ApplicationError
		require.ErrorAs(t, e.GetWorkflowError(), &ae)
		assert.Equal(t, ErrTypeLocked, ae.Type())
		assert.Equal(t, before, w.Snapshot())
	})

	t.Run("the workflow holds the org during its soak", func(t *testing.T) {
		e, _ := env(t, w, Options{Locker: locker})
		var during error
		e.RegisterDelayedCallback(func() {
			_, during = locker.Lock(context.Background(), key)
		}, 30*time.Minute)
		e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})
		require.NoError(t, e.GetWorkflowError())
		require.ErrorIs(t, during, rotation.ErrLocked)
		l, err := locker.Lock(context.Background(), key)
		require.NoError(t, err, "released at the end")
		require.NoError(t, l.Unlock(context.Background()))
	})
}

func TestNotDueDoesNothing(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	e, _ := env(t, w, Options{})
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h"), IfExpiringWithin: "30d"})
	require.NoError(t, e.GetWorkflowError())
	var res Result
	require.NoError(t, e.GetWorkflowResult(&res))
	assert.False(t, res.Renewed)
	assert.Equal(t, before, w.Snapshot())
}

func TestParseWithin(t *testing.T) {
	for in, want := range map[string]time.Duration{"auto": 0, "30d": 30 * 24 * time.Hour, "90m": 90 * time.Minute} {
		got, err := ParseWithin(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "0d", "-1h", "soon"} {
		_, err := ParseWithin(in)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput, fmt.Sprint(in))
	}
}
