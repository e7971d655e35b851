package evidence

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// contender is one of two rotations started together.
type contender struct {
	id      string
	err     error
	elapsed time.Duration
	events  []rotation.Event
}

// TestTwoRotationsOfOneOrg starts two rotations of the same org at the same
// moment, each with its own plan and Rotator, sharing only a FileLocker
// directory and the lock keys of OrgPlan.LockKeys (the org and every IAM
// trust), as two processes on one host would. Exactly one runs; the other
// fails at once with rotation.ErrLocked before any step, and the call log
// shows the mutating calls of one rotation only. Repeated, since which one
// wins is a race.
func TestTwoRotationsOfOneOrg(t *testing.T) {
	for round := range 5 {
		t.Run(fmt.Sprintf("round_%d", round), func(t *testing.T) {
			w := newWorld(t, worldOptions())
			locker := rotation.NewFileLocker(t.TempDir())
			contenders := []*contender{{id: "left"}, {id: "right"}}
			rotators := make([]*rotation.Rotator, len(contenders))
			states := make([]*rotation.State, len(contenders))
			for i, c := range contenders {
				plan := w.plan()
				keys, err := plan.LockKeys(context.Background())
				require.NoError(t, err)
				require.Len(t, keys, 1+len(w.inScopeTrusts()), "the org and every trust are locked")
				rotators[i] = w.rotator(plan.Steps(), rotation.WithLocker(locker, keys...),
					rotation.WithObserver(rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
						c.events = append(c.events, e)
					})))
				states[i] = plan.NewState(c.id)
			}
			w.resetCalls()

			var wg sync.WaitGroup
			startGun := make(chan struct{})
			for i, c := range contenders {
				wg.Go(func() {
					<-startGun
					start := time.Now()
					c.err = rotators[i].Run(context.Background(), states[i])
					c.elapsed = time.Since(start)
					w.capture.err(c.err)
				})
			}
			close(startGun)
			wg.Wait()

			var winner, loser *contender
			for _, c := range contenders {
				switch {
				case c.err == nil:
					require.Nil(t, winner, "both rotations ran")
					winner = c
				case errors.Is(c.err, rotation.ErrLocked):
					loser = c
				default:
					t.Fatalf("rotation %s failed: %v", c.id, c.err)
				}
			}
			require.NotNil(t, winner, "one rotation runs")
			require.NotNil(t, loser, "the other is locked out")
			var le *rotation.LockedError
			require.ErrorAs(t, loser.err, &le)
			assert.Less(t, loser.elapsed, time.Second, "the locked-out rotation fails at once, without waiting")
			assert.Empty(t, loser.events, "the locked-out rotation starts no step")

			w.requireState(t, "rotated", winner.id)
			assert.Equal(t, []string{rotation.CertificateName(winner.id)}, mutatingCertNames(w.callLog()),
				"only the winner's certificate is created or named by a change")
			mutations := 0
			for _, c := range w.callLog() {
				if c.mutating() {
					mutations++
				}
			}
			assert.Equal(t, 6, mutations, "one rotation's changes: create, 2 overlap trusts, the IdP setting, 2 final trusts")
		})
	}
}

// TestRotationWhileAnotherWaitsAtItsGate starts a second rotation while the
// first is held at its manual gate (a person has not yet switched the
// pinned app): the second is locked out at once and changes nothing, and
// the first then completes.
func TestRotationWhileAnotherWaitsAtItsGate(t *testing.T) {
	w := newWorld(t, worldOptions())
	locker := rotation.NewFileLocker(t.TempDir())
	plan := w.plan()
	keys, err := plan.LockKeys(context.Background())
	require.NoError(t, err)

	atGate, release := make(chan struct{}), make(chan struct{})
	first := w.rotator(plan.Steps(), rotation.WithLocker(locker, keys...),
		rotation.WithConfirm(func(ctx context.Context, req rotation.ManualRequest) error {
			close(atGate)
			<-release
			return w.PlayAdmin(ctx, req)
		}))
	done := make(chan error, 1)
	go func() { done <- first.Run(context.Background(), plan.NewState("first")) }()
	<-atGate

	before := w.Snapshot()
	calls := len(w.callLog())
	plan2 := w.plan()
	second := w.rotator(plan2.Steps(), rotation.WithLocker(locker, keys...))
	err = second.Run(context.Background(), plan2.NewState("second"))
	w.capture.err(err)
	require.ErrorIs(t, err, rotation.ErrLocked)
	assert.Equal(t, before, w.Snapshot(), "the locked-out rotation changed nothing")
	assert.Len(t, w.callLog(), calls, "the locked-out rotation made no API call")

	close(release)
	err = <-done
	w.capture.err(err)
	require.NoError(t, err)
	w.requireState(t, "rotated", "first")
}
