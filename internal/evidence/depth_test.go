package evidence

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// depthMeter measures the chain depth of a rotation: every API call is held
// for a fixed time before it is handled, as a slow network would, and is
// given level 1 + the highest level of the calls that had already been
// answered when it was sent. Calls sent together share a level; a call sent
// only after another answered sits one level above it. The highest level
// is the number of calls on the longest chain the implementation waited
// through one after the other, whatever the CPU speed, as long as the hold
// outlasts the CPU work of a whole level of calls (see depthHold).
type depthMeter struct {
	hold time.Duration

	mu       sync.Mutex
	answered int               // highest level of the calls answered so far
	perStep  map[string][2]int // step -> answered level at its start, at its end
	order    []string
}

func newDepthMeter(hold time.Duration) *depthMeter {
	return &depthMeter{hold: hold, perStep: map[string][2]int{}}
}

// inject is the world's fault injector: it holds the call and levels it.
func (d *depthMeter) inject(_ int, _ apiCall) *fault {
	level := d.sent()
	time.Sleep(d.hold)
	d.answer(level)
	return nil
}

// sent returns the level of a call sent now.
func (d *depthMeter) sent() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.answered + 1
}

// answer records that a call of the given level was answered.
func (d *depthMeter) answer(level int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answered = max(d.answered, level)
}

// observer records the level reached at each step's start and end.
func (d *depthMeter) observer() rotation.Observer {
	return rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch e.Type {
		case rotation.EventStepStarted:
			d.perStep[e.Step] = [2]int{d.answered, d.answered}
			d.order = append(d.order, e.Step)
		case rotation.EventStepSucceeded:
			r := d.perStep[e.Step]
			r[1] = d.answered
			d.perStep[e.Step] = r
		}
	})
}

// depth returns the rotation's depth and each step's, in step order.
func (d *depthMeter) depth() (int, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := ""
	for _, step := range d.order {
		r := d.perStep[step]
		s += fmt.Sprintf(" %s=%d", step, r[1]-r[0])
	}
	return d.answered, s
}

var runDepth = flag.Bool("depth", false, "run TestCriticalPathDepth (it needs a machine not busy with other tests)")

// depthRuns is how many times TestCriticalPathDepth may measure a
// rotation, each run holding calls twice as long as the one before. A
// scheduler that delays a call past the meter's hold can only add levels,
// never remove them, and a longer hold leaves it less room to, so the least
// deep of a few runs is the implementation's own; a real extra dependency
// shows in every run, whatever the hold.
const depthRuns = 3

// TestCriticalPathDepth checks that the rotation waits through no more
// calls one after the other than the plan's data dependencies require
// (criticalPath), for 1, 10 and 50 contact centers: each step's depth is
// its share of the bound. It asserts on the chain depth, not on time.
//
// It measures how the implementation waits, which a machine busy with
// other tests blurs (a call the scheduler delays past the hold looks like
// one more level), so it runs only when asked: with -depth, as CI does in a
// step of its own.
func TestCriticalPathDepth(t *testing.T) {
	if !*runDepth {
		t.Skip("measures chain depth on an otherwise idle machine: run with -depth")
	}
	if testing.Short() {
		t.Skip("holds every call for 24 ms or more: about 15 s")
	}
	for _, n := range []int{1, 10, 50} {
		t.Run(fmt.Sprintf("contact_centers=%d", n), func(t *testing.T) {
			bound, steps := criticalPath(benchShape(n)), stepBounds(benchShape(n))
			var over []string
			for run := range depthRuns {
				o := benchOptions(n, 0)
				w := newWorld(t, o)
				d := newDepthMeter(depthHold(n) << run)
				w.setInject(d.inject)
				_, err := w.rotate("depth", benchPlanOptions(n), rotation.WithObserver(d.observer()))
				require.NoError(t, err)
				w.requireState(t, "rotated", "depth")

				depth, perStep := d.depth()
				t.Logf("run %d, %d contact centers, calls held %v: chain depth %d, critical path %d:%s", run+1, n, d.hold, depth, bound, perStep)
				require.GreaterOrEqual(t, depth, bound, "the bound is not below what the rotation must wait through")
				over = over[:0]
				for step, want := range steps {
					if r := d.perStep[step]; r[1]-r[0] > want {
						over = append(over, fmt.Sprintf("step %s waits through %d calls, its data dependencies need %d", step, r[1]-r[0], want))
					}
				}
				if depth > bound {
					over = append(over, fmt.Sprintf("chain depth %d over the critical path %d", depth, bound))
				}
				if len(over) == 0 {
					return
				}
			}
			t.Errorf("in each of %d runs the rotation waited through more calls than its data dependencies need; the last: %v", depthRuns, over)
		})
	}
}

// depthHold is how long the depth meter first holds each call: long enough
// that the CPU work of a whole level of calls fits within it. The heaviest
// level is verify's sign-ins: about 6 ms of CPU for each contact center
// (the fake org's two RSA signatures, the fake STS's and the product's
// checks of the Response), shared by two cores.
func depthHold(n int) time.Duration {
	return 20*time.Millisecond + time.Duration(n)*4*time.Millisecond*raceSlowdown
}

// TestDepthMeterLevelsCalls checks the meter's levels: calls sent before
// any of them is answered share a level, a call sent after another was
// answered sits above it.
func TestDepthMeterLevelsCalls(t *testing.T) {
	d := newDepthMeter(0)
	var together []int
	for range 8 {
		together = append(together, d.sent())
	}
	for _, level := range together {
		d.answer(level)
	}
	depth, _ := d.depth()
	require.Equal(t, 1, depth, "eight calls sent together")
	for range 3 {
		d.answer(d.sent())
	}
	depth, _ = d.depth()
	require.Equal(t, 4, depth, "three calls one after the other, above the first level")
}
