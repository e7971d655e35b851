package temporal

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// A pinned app set to the new certificate through a gate needs a person
// again to go back: the rollback holds a gate of its own, answered by
// signal, and the world ends as it began.
func TestRollbackHoldsAGateToo(t *testing.T) {
	w := startWorld(t, sandbox.Options{Pinned: 1})
	before := w.Snapshot()
	rec := &recorder{}
	e, a := env(t, w, Options{Observer: rec})
	a.wrap = failAfter(rotation.StepVerify)
	var gates []Gate
	answer := func() {
		v, err := e.QueryWorkflow(StatusQuery)
		require.NoError(t, err)
		var s Status
		require.NoError(t, v.Get(&s))
		if s.Awaiting == nil {
			return
		}
		gates = append(gates, *s.Awaiting)
		require.NoError(t, w.PlayAdmin(context.Background(), s.Awaiting.Request()))
		e.SignalWorkflow(GateSignal, GateAnswer{Step: s.Awaiting.Step, Done: true})
	}
	e.RegisterDelayedCallback(answer, 10*time.Minute)
	e.RegisterDelayedCallback(answer, 20*time.Minute)
	e.ExecuteWorkflow(RotateWorkflowName, RotateRequest{Org: testOrg, Plan: planWithSoak("1h")})

	var ae *sdktemporal.ApplicationError
	require.ErrorAs(t, e.GetWorkflowError(), &ae)
	assert.Contains(t, ae.Message(), "failed at step verify")
	require.Len(t, gates, 2)
	assert.False(t, gates[0].Rollback)
	assert.True(t, gates[1].Rollback, "the second gate undoes the first")
	assert.Equal(t, rotation.StepActivate, gates[1].Step)
	assert.Equal(t, []string{rotation.StepVerify, rotation.StepActivate, rotation.StepTrust, rotation.StepStage, rotation.StepPreflight},
		rec.steps(rotation.EventStepRolledBack))
	assert.Equal(t, before, w.Snapshot())
}
