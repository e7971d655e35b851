package rotation_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// readPeaks holds every provider call for a while, as a slow network
// would, and records per step the most calls in flight at once and the
// order in which they started.
type readPeaks struct {
	mu       sync.Mutex
	step     string
	inFlight int
	peak     map[string]int
	order    map[string][]string
	last     time.Time // when the latest call arrived
}

func watchReads(w *orgWorld) *readPeaks {
	r := &readPeaks{peak: map[string]int{}, order: map[string][]string{}}
	hook := func(_ context.Context, c rotationtest.Call) error {
		r.mu.Lock()
		step := r.step
		r.inFlight++
		r.peak[step] = max(r.peak[step], r.inFlight)
		r.order[step] = append(r.order[step], c.Method)
		arrived := time.Now()
		r.last = arrived
		r.mu.Unlock()
		hold := 10 * time.Millisecond
		if c.Method == "SigningState" {
			hold = 40 * time.Millisecond // long enough to overlap what follows discovery
		}
		// Held for the hold, and until no call has arrived for 10 ms, so
		// that calls sent together overlap however late one starts.
		for {
			r.mu.Lock()
			wait := max(time.Until(arrived.Add(hold)), time.Until(r.last.Add(10*time.Millisecond)))
			r.mu.Unlock()
			if wait <= 0 {
				break
			}
			time.Sleep(wait)
		}
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
		return nil
	}
	w.idp.OnCall(hook)
	w.rp.OnCall(hook)
	return r
}

func (r *readPeaks) observer() rotation.Observer {
	return rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
		if e.Type == rotation.EventStepStarted {
			r.mu.Lock()
			r.step = e.Step
			r.mu.Unlock()
		}
	})
}

// Preflight snapshots the trusts and reads the IdP metadata of each (its
// validUntil) while the signing state is read, and
// verification reads the signing state and every trust at once; with a
// concurrency of 1 both make one call at a time, in a fixed order, and the
// rotation ends the same.
func TestOrgPlanReadsAtOnce(t *testing.T) {
	for _, c := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency_%d", c), func(t *testing.T) {
			w := newOrgWorld(t)
			initial := w.snapshot()
			r := watchReads(w)
			plan := newPlan(t, w, rotation.WithConcurrency(c))
			st := plan.NewState("reads")
			require.NoError(t, w.rotator(t, plan, rotation.WithObserver(r.observer())).Run(context.Background(), st))
			requireRotated(t, w, initial, st)

			if c == 1 {
				assert.Equal(t, 1, r.peak[rotation.StepPreflight])
				assert.Equal(t, 1, r.peak[rotation.StepVerify])
				assert.Equal(t, []string{"ContactCenters", "Trust", "Trust", "Metadata", "Metadata", "SigningState"}, r.order[rotation.StepPreflight])
				assert.Equal(t, []string{"SigningState", "Trust", "Trust"}, r.order[rotation.StepVerify])
				return
			}
			assert.Equal(t, 5, r.peak[rotation.StepPreflight], "both trusts and the IdP metadata of each read while the signing state is")
			assert.Equal(t, 3, r.peak[rotation.StepVerify], "the signing state and both trusts at once")
			assert.Equal(t, 1, countMethod(r.order[rotation.StepPreflight], "ContactCenters"), "discovery runs once")
		})
	}
}

func countMethod(calls []string, m string) int {
	n := 0
	for _, c := range calls {
		if c == m {
			n++
		}
	}
	return n
}
