package rotation

import (
	"context"
	"slices"
)

// NewCertificate stands for the fingerprint of the certificate a planned
// rotation will create, in the transitions of OrgPlan.Transitions.
const NewCertificate = "new"

// StepTransitions are the transitions one step of a plan makes.
type StepTransitions struct {
	Step        string       `json:"step"`
	Transitions []Transition `json:"transitions,omitempty"`
}

// Transitions observes the org as preflight does (read-only: it changes
// nothing) and returns the model observed and the transitions each step
// of the plan makes to it, in order; the new certificate is
// NewCertificate. Each transition is checked when it runs: see the package
// documentation.
//
// When preflight would refuse the rotation only for the apps it would
// change without updating them (*AffectedAppsError) or for an exclusion
// (*ExcludeError), that error is returned with the model and the
// transitions, so that a plan can show what breaks (see UsageOf).
func (p *OrgPlan) Transitions(ctx context.Context) (Model, []StepTransitions, error) {
	st := p.NewState("plan")
	pf := &preflightStep{p.env}
	if err := pf.observeOrg(ctx, st); err != nil {
		return Model{}, nil, err
	}
	var out []StepTransitions
	for _, s := range p.Steps() {
		out = append(out, StepTransitions{Step: s.Name(), Transitions: p.env.transitions(st, s.Name(), NewCertificate)})
	}
	return st.Org, out, pf.checkAffected(st)
}

// transitions returns what step does to the model of st, the new
// certificate's fingerprint being fp.
func (e *orgEnv) transitions(st *State, step, fp string) []Transition {
	var ts []Transition
	trusts := func(from, to func(ModelTrust) []string) {
		for _, ref := range st.trustsInScope() {
			t := st.Org.Trusts[ref.ARN]
			ts = append(ts, Transition{Kind: TransitionTrust, Resource: ref.ARN, From: from(t), To: to(t)})
		}
	}
	original := func(t ModelTrust) []string { return t.Signing }
	overlap := func(t ModelTrust) []string { return append(slices.Clone(t.Signing), fp) }
	final := func(t ModelTrust) []string { return append([]string{fp}, keptSigning(st, t)...) }
	switch step {
	case StepStage:
		ts = append(ts, Transition{Kind: TransitionCreate, Resource: CertificateName(st.ID)})
	case StepTrust:
		if e.opts.Strategy == StrategyDirect {
			trusts(original, final)
		} else {
			trusts(original, overlap)
		}
	case StepActivate:
		ts = append(ts, Transition{Kind: TransitionDefault, Resource: "default", From: []string{st.OldDefault.SHA256}, To: []string{fp}})
		for _, name := range sortedKeys(st.Apps) {
			if a := st.Apps[name]; a.Pinned {
				ts = append(ts, Transition{Kind: TransitionApp, Resource: name, From: []string{a.Before.SHA256}, To: []string{fp}})
			}
		}
	case StepRetire:
		trusts(overlap, final)
	case StepCleanup:
		ts = append(ts, Transition{Kind: TransitionDelete, Resource: st.OldDefault.Name, From: []string{st.OldDefault.SHA256}})
	}
	return ts
}

// keptSigning returns the fingerprints a trust keeps at the end besides the
// new certificate: those that apps out of scope, pinned, sign with (see
// State.keptIn).
func keptSigning(st *State, t ModelTrust) []string {
	var kept []string
	for _, a := range st.Org.Apps {
		if !a.InScope && a.Pinned && a.Trust == t.Ref && t.Holds(a.Certificate.SHA256) && !slices.Contains(kept, a.Certificate.SHA256) {
			kept = append(kept, a.Certificate.SHA256)
		}
	}
	return kept
}
