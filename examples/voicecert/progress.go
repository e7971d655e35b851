package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// progress prints a rotation's events as a person can follow them: each
// step as it starts and ends, retries, rollbacks, and a countdown while a
// person is asked for something.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	started map[string]time.Time
	tick    time.Duration
	stop    chan struct{}
	steps   []stepTiming
}

type stepTiming struct {
	Name      string `json:"name"`
	ElapsedMs int64  `json:"elapsedMs"`
	Status    string `json:"status"`
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, started: map[string]time.Time{}, tick: 10 * time.Second}
}

// Observe implements rotation.Observer.
func (p *progress) Observe(_ context.Context, e rotation.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endCountdown()
	switch e.Type {
	case rotation.EventStepStarted:
		if e.Rollback {
			fmt.Fprintf(p.w, "↩ %-10s rolling back\n", e.Step)
			return
		}
		p.started[e.Step] = e.Time
		fmt.Fprintf(p.w, "▶ %-10s started\n", e.Step)
	case rotation.EventStepSucceeded:
		if e.Rollback {
			return
		}
		d := e.Time.Sub(p.started[e.Step])
		p.steps = append(p.steps, stepTiming{Name: e.Step, ElapsedMs: d.Milliseconds(), Status: "done"})
		fmt.Fprintf(p.w, "✔ %-10s done in %s\n", e.Step, d.Round(time.Millisecond))
	case rotation.EventStepRetrying:
		fmt.Fprintf(p.w, "↻ %-10s attempt %d failed, retrying: %v\n", e.Step, e.Attempt, e.Err)
	case rotation.EventStepFailed:
		p.steps = append(p.steps, stepTiming{Name: e.Step, ElapsedMs: e.Time.Sub(p.started[e.Step]).Milliseconds(), Status: "failed"})
		fmt.Fprintf(p.w, "✘ %-10s failed: %v\n", e.Step, e.Err)
	case rotation.EventStepRolledBack:
		fmt.Fprintf(p.w, "↩ %-10s rolled back\n", e.Step)
	case rotation.EventRollbackFailed:
		fmt.Fprintf(p.w, "‼ %-10s rollback FAILED: %v\n", e.Step, e.Err)
	case rotation.EventWaiting:
		if m := e.Manual; m != nil {
			fmt.Fprintf(p.w, "⏸ %-10s waiting for a person (up to %s): %s\n%s\n", e.Step, m.Timeout, m.Action, indent(m.Instructions))
			p.startCountdown(e.Step, m.Deadline)
		}
	}
}

// startCountdown prints the time left every tick until the next event.
func (p *progress) startCountdown(step string, deadline time.Time) {
	stop := make(chan struct{})
	p.stop = stop
	go func() {
		t := time.NewTicker(p.tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				p.mu.Lock()
				fmt.Fprintf(p.w, "  %-10s still waiting, %s left\n", step, deadline.Sub(now).Round(time.Second))
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) endCountdown() {
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
}

// Steps returns the timing of each step that ended.
func (p *progress) Steps() []stepTiming {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endCountdown()
	return append([]stepTiming(nil), p.steps...)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
