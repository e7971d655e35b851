package evidence

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// depthMeter measures the chain depth of a rotation: every API call is held
// before it is handled, as a slow network would, until no call has arrived
// for the hold, and is given level 1 + the highest level of the calls that
// had already been answered when it was sent. Calls sent together share a
// level; a call sent only after another answered sits one level above it.
// The highest level is the number of calls on the longest chain the
// implementation waited through one after the other, whatever the CPU
// speed: calls sent together are answered only once all of them have
// arrived, as long as the CPU work between two of them (not a whole level
// of them) fits within the hold, however loaded the machine.
type depthMeter struct {
	hold time.Duration

	mu       sync.Mutex
	last     time.Time         // when the latest call arrived
	answered int               // highest level of the calls answered so far
	perStep  map[string][2]int // step -> answered level at its start, at its end
	order    []string
}

func newDepthMeter(hold time.Duration) *depthMeter {
	return &depthMeter{hold: hold, perStep: map[string][2]int{}}
}

// inject is the world's fault injector: it holds the call and levels it.
func (d *depthMeter) inject(_ int, _ apiCall) *fault {
	d.mu.Lock()
	level := d.answered + 1
	d.last = time.Now()
	d.mu.Unlock()
	for {
		d.mu.Lock()
		quiet := time.Until(d.last.Add(d.hold))
		d.mu.Unlock()
		if quiet <= 0 {
			break
		}
		time.Sleep(quiet)
	}
	d.mu.Lock()
	d.answered = max(d.answered, level)
	d.mu.Unlock()
	return nil
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

// depthRuns is how many times TestCriticalPathDepth may measure a
// rotation. A scheduler that delays a call past the meter's hold can only
// add levels, never remove them, so the smallest depth of a few runs is the
// implementation's own; a real extra dependency shows in every run.
const depthRuns = 3

// TestCriticalPathDepth checks that the rotation waits through no more
// calls one after the other than the plan's data dependencies require
// (criticalPath), for 1, 10 and 50 contact centers: each step's depth is
// its share of the bound. It asserts on the chain depth, not on time.
func TestCriticalPathDepth(t *testing.T) {
	if testing.Short() {
		t.Skip("holds every call for 50 ms or more: about 8 s")
	}
	for _, n := range []int{1, 10, 50} {
		t.Run(fmt.Sprintf("contact_centers=%d", n), func(t *testing.T) {
			bound, steps := criticalPath(benchShape(n)), stepBounds(benchShape(n))
			var over []string
			for run := range depthRuns {
				o := benchOptions(n, 0)
				w := newWorld(t, o)
				d := newDepthMeter(depthHold(n))
				w.setInject(d.inject)
				_, err := w.rotate("depth", benchPlanOptions(n), rotation.WithObserver(d.observer()))
				require.NoError(t, err)
				w.requireState(t, "rotated", "depth")

				depth, perStep := d.depth()
				t.Logf("run %d, %d contact centers: chain depth %d, critical path %d:%s", run+1, n, depth, bound, perStep)
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

// depthHold is how long the depth meter waits for quiet: long enough that
// the CPU work between two calls sent together (a few milliseconds each on
// two cores, for up to n of them at once), and a scheduler's delay on a
// machine busy with other tests, fit within it.
func depthHold(n int) time.Duration {
	return 50*time.Millisecond + time.Duration(n)*2*time.Millisecond*raceSlowdown
}
