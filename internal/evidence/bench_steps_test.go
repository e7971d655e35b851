package evidence

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// stepClock times each step of a rotation from the engine's events: its
// wall time and the CPU time the whole process (product, fakes, garbage
// collector) spent while it ran.
type stepClock struct {
	mu          sync.Mutex
	start       map[string]time.Time
	startCPU    map[string]time.Duration
	wall, cpu   map[string]time.Duration
	stepsInRuns int
}

func newStepClock() *stepClock {
	return &stepClock{start: map[string]time.Time{}, startCPU: map[string]time.Duration{},
		wall: map[string]time.Duration{}, cpu: map[string]time.Duration{}}
}

// Observe implements rotation.Observer.
func (c *stepClock) Observe(_ context.Context, e rotation.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e.Type {
	case rotation.EventStepStarted:
		c.start[e.Step], c.startCPU[e.Step] = time.Now(), processCPU()
	case rotation.EventStepSucceeded:
		c.wall[e.Step] += time.Since(c.start[e.Step])
		c.cpu[e.Step] += processCPU() - c.startCPU[e.Step]
		c.stepsInRuns++
	}
}

// BenchmarkRotationSteps rotates 50 contact centers as BenchmarkRotation
// does and reports, per step, its wall time over its critical-path bound
// (stepBounds × 20 ms) and the CPU time the process spent meanwhile: where
// the wall time beyond the bound goes, and whether a step waits on calls or
// on the two cores.
func BenchmarkRotationSteps(b *testing.B) {
	const n = 50
	bounds := stepBounds(benchShape(n))
	clock := newStepClock()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		_, w := benchRotate(b, benchOptions(n, benchLatency), fmt.Sprintf("steps%d", i), benchPlanOptions(n), rotation.WithObserver(clock))
		w.Close()
	}
	if clock.stepsInRuns != b.N*len(bounds) {
		b.Fatalf("%d steps succeeded in %d rotations of %d steps", clock.stepsInRuns, b.N, len(bounds))
	}
	for _, step := range []string{rotation.StepPreflight, rotation.StepStage, rotation.StepTrust, rotation.StepActivate,
		rotation.StepVerify, rotation.StepRetire} {
		over := clock.wall[step]/time.Duration(b.N) - time.Duration(bounds[step])*benchLatency
		b.ReportMetric(float64(over.Microseconds())/1000, step+"-over-ms")
		b.ReportMetric(float64(clock.cpu[step].Microseconds())/1000/float64(b.N), step+"-cpu-ms")
	}
}
