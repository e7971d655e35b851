package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/voicecert/voicecert/rotation"
)

// maxVerdictLines bounds the contact centers a verification names one by
// one: those that did not pass, then the first that did.
const maxVerdictLines = 5

// verdicts prints a step's check of sign-ins: how many Responses AWS
// accepted, rejected or was not asked about, and how many verified
// locally, then the contact centers that did not pass (and a few that
// did), each with its local result and AWS's verdict.
func (p *progress) verdicts(e rotation.Event, attrs []any) {
	v := e.Verification
	if v == nil {
		return
	}
	count := map[rotation.VerdictOutcome]int{}
	local := 0
	for _, c := range v.ContactCenters {
		count[c.Verdict.Outcome]++
		if c.Local.Result == rotation.LocalVerified {
			local++
		}
	}
	what := "sign-ins"
	if e.Message != "" {
		what = e.Message
	}
	p.con.say(string(e.Type), fmt.Sprintf("  %-10s %s: AWS accepted %d, rejected %d, not asked %d; %d of %d verified locally",
		e.Step, what, count[rotation.VerdictAccepted], count[rotation.VerdictRejected], count[rotation.VerdictNotAsked], local, len(v.ContactCenters)),
		append(attrs, "accepted", count[rotation.VerdictAccepted], "rejected", count[rotation.VerdictRejected],
			"notAsked", count[rotation.VerdictNotAsked], "localVerified", local)...)
	shown := 0
	for _, pass := range []bool{false, true} {
		for _, c := range v.ContactCenters {
			ok := len(c.Problems) == 0
			if ok != pass || shown == maxVerdictLines {
				continue
			}
			shown++
			p.con.say(string(e.Type)+".contactCenter", fmt.Sprintf("  %-10s   %s: local %s; AWS %s", "", c.ContactCenter.Name, c.Local, c.Verdict),
				"step", e.Step, "contactCenter", c.ContactCenter.Name, "local", string(c.Local.Result),
				"verdict", string(c.Verdict.Outcome), "code", c.Verdict.Code)
		}
	}
	for _, w := range v.Warnings {
		p.con.say(string(e.Type)+".warning", fmt.Sprintf("  %-10s ⚠ %s", e.Step, w), "step", e.Step, "warning", w)
	}
}

// verdictLog keeps the last check of sign-ins of the trust step (the old
// certificate) and of the verify step (the new one).
type verdictLog struct {
	mu   sync.Mutex
	last map[string]*rotation.Verification
}

// Observe implements rotation.Observer.
func (l *verdictLog) Observe(_ context.Context, e rotation.Event) {
	if e.Type != rotation.EventVerified || e.Verification == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]*rotation.Verification{}
	}
	l.last[e.Step] = e.Verification
}

// print says AWS's verdict on the old certificate after the trust step
// and on the new one after activation.
func (l *verdictLog) print(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range []struct{ step, what string }{
		{rotation.StepTrust, "old certificate, after trust"}, {rotation.StepVerify, "new certificate, after activate"},
	} {
		v := l.last[s.step]
		if v == nil {
			fmt.Fprintf(w, "AWS verdict (%s): not asked.\n", s.what)
			continue
		}
		count := map[rotation.VerdictOutcome]int{}
		why := ""
		for _, c := range v.ContactCenters {
			count[c.Verdict.Outcome]++
			if c.Verdict.Outcome == rotation.VerdictNotAsked {
				why = c.Verdict.Detail
			}
		}
		fmt.Fprintf(w, "AWS verdict (%s): %d accepted, %d rejected, %d not asked", s.what,
			count[rotation.VerdictAccepted], count[rotation.VerdictRejected], count[rotation.VerdictNotAsked])
		if why != "" {
			fmt.Fprintf(w, " (%s)", why)
		}
		fmt.Fprintln(w, ".")
	}
}
