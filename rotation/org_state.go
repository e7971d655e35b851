package rotation

import (
	"fmt"
	"slices"
	"time"
)

// PlanOptions are the options of an org plan that a State records once, so
// that a later process can rebuild the same plan to resume a journal.
type PlanOptions struct {
	Strategy       Strategy      `json:"strategy"`
	KeyBits        int           `json:"keyBits"`
	LabelTemplate  string        `json:"labelTemplate"`
	Soak           time.Duration `json:"soak"`
	ContactCenters []string      `json:"contactCenters,omitempty"`
	Canary         int           `json:"canary"`
	Concurrency    int           `json:"concurrency"`
	DeleteOld      bool          `json:"deleteOld,omitempty"`
	AllowSHA1      bool          `json:"allowSHA1,omitempty"`
	AcceptAffected []string      `json:"acceptAffected,omitempty"`
	ExcludeTrusts  []string      `json:"excludeTrusts,omitempty"`
	// LocalVerdictOnly and Structural record WithLocalVerdictOnly and
	// WithStructuralVerification.
	LocalVerdictOnly bool `json:"localVerdictOnly,omitempty"`
	Structural       bool `json:"structuralVerification,omitempty"`
}

// planOptions returns what NewState records of the plan's options.
func (p *OrgPlan) planOptions() *PlanOptions {
	o := p.env.opts
	return &PlanOptions{
		Strategy: o.Strategy, KeyBits: o.KeyBits, LabelTemplate: o.LabelTemplate, Soak: o.Soak,
		ContactCenters: append([]string(nil), o.ContactCenters...), Canary: o.Canary, Concurrency: o.Concurrency,
		DeleteOld: o.DeleteOld, AllowSHA1: o.AllowSHA1, LocalVerdictOnly: o.LocalVerdictOnly, Structural: o.StructuralVerification,
		AcceptAffected: slices.Clone(o.AcceptAffected), ExcludeTrusts: slices.Clone(o.ExcludeTrusts),
	}
}

// OrgOptionsFrom returns the options of the plan that made st (see
// OrgPlan.NewState), so that NewOrgPlan(idp, rp, opts...) rebuilds the same
// steps to resume or roll back a journaled rotation. Options given after
// these (a logger, a clock, a history) may be appended by the caller.
func OrgOptionsFrom(st *State) ([]OrgOption, error) {
	if st == nil || st.Plan == nil {
		return nil, fmt.Errorf("%w: the state was not made by an org plan (no recorded options)", ErrInvalidInput)
	}
	o := *st.Plan
	opts := []OrgOption{
		WithStrategy(o.Strategy), WithKeyBits(o.KeyBits), WithLabelTemplate(o.LabelTemplate), WithSoak(o.Soak),
		WithCanary(o.Canary), WithConcurrency(o.Concurrency), WithDeleteOld(o.DeleteOld), WithAllowSHA1(o.AllowSHA1),
	}
	if o.LocalVerdictOnly {
		opts = append(opts, WithLocalVerdictOnly())
	}
	if o.Structural {
		opts = append(opts, WithStructuralVerification())
	}
	if len(o.ContactCenters) > 0 {
		opts = append(opts, WithContactCenters(o.ContactCenters...))
	}
	if len(o.AcceptAffected) > 0 {
		opts = append(opts, WithAcceptAffected(o.AcceptAffected...))
	}
	if len(o.ExcludeTrusts) > 0 {
		opts = append(opts, WithExcludeTrusts(o.ExcludeTrusts...))
	}
	return opts, nil
}
