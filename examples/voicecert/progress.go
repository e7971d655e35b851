package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// progress prints a rotation's events as a person (or, with --log-format
// json, a program) can follow them: each step as it starts and ends,
// retries, rollbacks, a manual action's instructions once, and, while a step
// waits (soak, a person, IAM propagation), what it waits for and the time
// left, at a calm interval.
type progress struct {
	mu      sync.Mutex
	con     *console
	journal string
	// tick is the interval of the "still waiting" lines; soak is the
	// plan's soak, whose remaining time they show.
	tick, soak time.Duration
	now        func() time.Time
	started    map[string]time.Time
	shown      map[string]bool
	stop       chan struct{}
	steps      []stepTiming
}

type stepTiming struct {
	Name      string `json:"name"`
	ElapsedMs int64  `json:"elapsedMs"`
	Status    string `json:"status"`
}

// defaultProgressInterval is how often a waiting step says so.
const defaultProgressInterval = 10 * time.Second

func newProgress(con *console) *progress {
	return &progress{con: con, tick: defaultProgressInterval, now: time.Now,
		started: map[string]time.Time{}, shown: map[string]bool{}}
}

// Observe implements rotation.Observer.
func (p *progress) Observe(_ context.Context, e rotation.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endTicker()
	step := func(verb string) string { return fmt.Sprintf("%-10s %s", e.Step, verb) }
	attrs := []any{"step", e.Step}
	if e.Rollback {
		attrs = append(attrs, "rollback", true)
	}
	errText := ""
	if e.Err != nil {
		errText = stepError(e.Step, e.Err)
		attrs = append(attrs, "error", errText)
	}
	switch e.Type {
	case rotation.EventRotationStarted:
		if p.journal != "" {
			p.con.say("journal", "Journal: "+p.journal, "journal", p.journal, "rotation", e.RotationID)
		}
	case rotation.EventStepStarted:
		if e.Rollback {
			p.con.say(string(e.Type), "↩ "+step("rolling back"), attrs...)
			p.startTicker(e.Step, e.Time, "rolling back")
			return
		}
		p.started[e.Step] = e.Time
		p.con.say(string(e.Type), "▶ "+step("started"), attrs...)
		p.startTicker(e.Step, e.Time, "")
	case rotation.EventStepSucceeded:
		if e.Rollback {
			return
		}
		d := e.Time.Sub(p.started[e.Step])
		p.steps = append(p.steps, stepTiming{Name: e.Step, ElapsedMs: d.Milliseconds(), Status: "done"})
		p.con.say(string(e.Type), "✔ "+step("done in "+d.Round(time.Millisecond).String()), append(attrs, "elapsedMs", d.Milliseconds())...)
	case rotation.EventStepRetrying:
		p.con.say(string(e.Type), fmt.Sprintf("↻ %-10s attempt %d failed, retrying: %s", e.Step, e.Attempt, errText), append(attrs, "attempt", e.Attempt)...)
	case rotation.EventStepFailed:
		p.steps = append(p.steps, stepTiming{Name: e.Step, ElapsedMs: e.Time.Sub(p.started[e.Step]).Milliseconds(), Status: "failed"})
		p.con.say(string(e.Type), "✘ "+step("failed: "+errText), attrs...)
	case rotation.EventStepRolledBack:
		p.con.say(string(e.Type), "↩ "+step("rolled back"), attrs...)
	case rotation.EventRollbackFailed:
		p.con.say(string(e.Type), "‼ "+step("rollback FAILED: "+errText), attrs...)
	case rotation.EventWaiting:
		if m := e.Manual; m != nil {
			p.manual(e.Step, m, attrs)
		}
	case rotation.EventVerified:
		p.verdicts(e, attrs)
		p.startTicker(e.Step, p.started[e.Step], "")
	}
}

// manual announces a manual gate: its instructions the first time, a short
// reminder after, then a countdown.
func (p *progress) manual(step string, m *rotation.ManualRequest, attrs []any) {
	key := fmt.Sprintf("%s\x00%s\x00%t", step, m.Action, m.Rollback)
	attrs = append(attrs, "action", m.Action, "deadline", m.Deadline.UTC().Format(time.RFC3339), "changes", m.Changes)
	if !p.shown[key] {
		p.shown[key] = true
		p.con.say("step.waiting", fmt.Sprintf("⏸ %-10s waiting for a person (up to %s): %s\n%s", step, formatDuration(m.Timeout), m.Action, indent(m.Instructions)),
			append(attrs, "instructions", m.Instructions)...)
	} else {
		p.con.say("step.waiting", fmt.Sprintf("⏸ %-10s still waiting for a person (up to %s): %s (instructions above)", step, formatDuration(m.Timeout), m.Action), attrs...)
	}
	p.startCountdown(step, m.Deadline, "a person: "+m.Action)
}

// startTicker reports, every tick, that a step is still running, and what it
// waits for.
func (p *progress) startTicker(step string, since time.Time, doing string) {
	tick := p.tick
	what := "still running"
	if doing != "" {
		what = "still " + doing
	}
	var deadline time.Time
	switch {
	case step == rotation.StepSoak && doing == "" && p.soak > 0:
		deadline = since.Add(p.soak)
		tick = min(max(p.soak/10, time.Second), time.Hour)
		what = "IAM trusts both certificates until the soak ends"
	case step == rotation.StepTrust || step == rotation.StepVerify:
		what += ", waiting for IAM to serve the change and for sign-in to verify"
	}
	p.ticker(tick, func(now time.Time) (string, []any) {
		if !deadline.IsZero() {
			left := deadline.Sub(now).Round(time.Second)
			return fmt.Sprintf("  %-10s %s, %s left", step, what, left), []any{"step", step, "remainingMs", left.Milliseconds()}
		}
		el := now.Sub(since).Round(time.Second)
		return fmt.Sprintf("  %-10s %s (%s)", step, what, el), []any{"step", step, "elapsedMs", el.Milliseconds()}
	})
}

func (p *progress) startCountdown(step string, deadline time.Time, what string) {
	p.ticker(p.tick, func(now time.Time) (string, []any) {
		left := deadline.Sub(now).Round(time.Second)
		return fmt.Sprintf("  %-10s waiting for %s, %s left", step, what, left), []any{"step", step, "remainingMs", left.Milliseconds()}
	})
}

// ticker prints line() every tick until the next event.
func (p *progress) ticker(tick time.Duration, line func(time.Time) (string, []any)) {
	stop := make(chan struct{})
	p.stop = stop
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				select {
				case <-stop:
				default:
					text, attrs := line(p.now())
					p.con.say("step.progress", text, attrs...)
				}
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) endTicker() {
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
}

// Steps returns the timing of each step that ended, and stops the ticker.
func (p *progress) Steps() []stepTiming {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endTicker()
	return append([]stepTiming{}, p.steps...)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
