package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

// rotateFlags are the options of a plan, shared by plan and rotate.
type rotateFlags struct {
	strategy    string
	keyBits     int
	label       string
	soak        durationValue
	canary      int
	concurrency int
	ccs         []string
	deleteOld   bool
	allowSHA1   bool
	accept      []string
	pin         []string
	exclude     []string
	verify      string
}

func (f *rotateFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.strategy, "strategy", string(rotation.StrategyOverlap), "overlap (no sign-in outage) or direct (the manual procedure's order)")
	fl.IntVar(&f.keyBits, "key-bits", rotation.DefaultKeyBits, "RSA key size of the new certificate: 2048 or 4096")
	fl.StringVar(&f.label, "label", rotation.DefaultLabelTemplate, "label of the new certificate; {date} and {id} are replaced")
	fl.Var(&f.soak, "soak", "how long IAM trusts both certificates before the old one is retired (e.g. 24h, 2d)")
	fl.IntVar(&f.canary, "canary", 1, "contact centers changed and checked one at a time before the rest")
	fl.IntVar(&f.concurrency, "concurrency", 4, "contact centers changed at once after the canaries")
	fl.StringSliceVar(&f.ccs, "contact-center", nil, "only these contact centers (internal names)")
	fl.BoolVar(&f.deleteOld, "delete-old", false, "delete the previous certificate at the end (cannot be undone)")
	fl.BoolVar(&f.allowSHA1, "allow-sha1", false, "accept SHA-1 signatures when verifying a SAML Response")
	fl.StringArrayVar(&f.accept, "accept-affected", nil, "let the rotation switch this SAML app of no contact center although its service provider is not updated (repeatable)")
	fl.StringArrayVar(&f.pin, "pin-affected", nil, "ask, before any change, that this SAML app of no contact center be pinned to the current certificate, and wait until it is (repeatable)")
	fl.StringArrayVar(&f.exclude, "exclude-trust", nil, "leave out this IAM SAML provider that trusts the org but no app names, if nothing breaks without it (ARN, repeatable)")
	fl.StringVar(&f.verify, "verify", verifyFull, "how sign-in is verified: full (each Response checked locally and by AWS STS), "+
		"local (no STS session), structural (certificate agreement only, no sign-in)")
}

// The values of --verify.
const (
	verifyFull       = "full"
	verifyLocal      = "local"
	verifyStructural = "structural"
)

// newPlan returns the plan of the flags over b, with extra options; bad
// flags are a usage error.
func (f *rotateFlags) newPlan(b *backends, extra ...rotation.OrgOption) (*rotation.OrgPlan, error) {
	vopts, err := f.verifyOptions()
	if err == nil {
		var plan *rotation.OrgPlan
		if plan, err = rotation.NewOrgPlan(b.idp, b.rp, slices.Concat(f.options(b.log), vopts, extra)...); err == nil {
			return plan, nil
		}
	}
	return nil, usageErr(err)
}

// verifyOptions returns the plan options of --verify.
func (f *rotateFlags) verifyOptions() ([]rotation.OrgOption, error) {
	switch f.verify {
	case verifyFull, "":
		return nil, nil
	case verifyLocal:
		return []rotation.OrgOption{rotation.WithLocalVerdictOnly()}, nil
	case verifyStructural:
		return []rotation.OrgOption{rotation.WithStructuralVerification()}, nil
	}
	return nil, fmt.Errorf("%w: --verify %q: want %s, %s or %s", rotation.ErrInvalidInput, f.verify, verifyFull, verifyLocal, verifyStructural)
}

func (f *rotateFlags) options(log *slog.Logger) []rotation.OrgOption {
	return []rotation.OrgOption{
		rotation.WithStrategy(rotation.Strategy(f.strategy)), rotation.WithKeyBits(f.keyBits),
		rotation.WithLabelTemplate(f.label), rotation.WithSoak(time.Duration(f.soak)), rotation.WithCanary(f.canary),
		rotation.WithConcurrency(f.concurrency), rotation.WithContactCenters(f.ccs...),
		rotation.WithDeleteOld(f.deleteOld), rotation.WithAllowSHA1(f.allowSHA1), rotation.WithOrgLogger(log),
		rotation.WithAcceptAffected(f.accept...), rotation.WithPinAffected(f.pin...), rotation.WithExcludeTrusts(f.exclude...),
	}
}

func (a *app) newPlanCmd() *cobra.Command {
	var f rotateFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a rotation would do, changing nothing",
		Long: `plan lists the contact centers in scope and the steps of a rotation, and runs the
rotation's preflight read-only, showing under each step the transitions it makes: it refuses
(exit 1) what rotate would refuse, with the same message. It changes nothing.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			if err := a.doctorGate(ctx, b); err != nil {
				return err
			}
			plan, err := f.newPlan(b)
			if err != nil {
				return err
			}
			res, err := a.describePlan(ctx, b, plan)
			if res != nil {
				a.result(res)
				printPlan(a.out(), res)
			}
			return err
		},
	}
	addJSON(cmd)
	f.add(cmd)
	return cmd
}

// planResult is the result of `plan --json` (docs/schemas/plan.schema.json)
// and the plan part of rotate's.
type planResult struct {
	Strategy           string          `json:"strategy"`
	KeyBits            int             `json:"keyBits"`
	Org                string          `json:"org"`
	CurrentCertificate certSummary     `json:"currentCertificate"`
	Usage              *rotation.Usage `json:"usage,omitempty"`
	ContactCenters     []plannedCenter `json:"contactCenters"`
	Steps              []plannedStep   `json:"steps"`
}

// plannedCenter is one app of the org the plan observed, in scope or not.
type plannedCenter struct {
	Name      string `json:"name"`
	App       string `json:"app"`
	SignsWith string `json:"signsWith"`
	Trust     string `json:"trust"`
	Pinned    bool   `json:"pinned"`
	InScope   bool   `json:"inScope"`
}

type plannedStep struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Transitions []string `json:"transitions"`
}

// describePlan observes the org as the rotation's preflight does
// (read-only) and lists every contact center and, under each step, the
// transitions it makes. A --contact-center that names none is a usage
// error; what preflight refuses is refused (exit 1) with its message, and
// for apps changed without an update or an exclusion that breaks a
// sign-in, with the plan and its certificate-usage view.
func (a *app) describePlan(ctx context.Context, b *backends, plan *rotation.OrgPlan) (_ *planResult, err error) {
	ccs, err := b.idp.ContactCenters(ctx)
	if err != nil {
		return nil, err
	}
	o := plan.Options()
	for _, name := range o.ContactCenters {
		if !slices.ContainsFunc(ccs, func(c rotation.ContactCenter) bool { return c.Name == name }) {
			return nil, usageErr(fmt.Errorf("--contact-center %q: the org has no Amazon Connect contact center of that name", name))
		}
	}
	m, transitions, err := plan.Transitions(ctx)
	if err != nil {
		refused := withStatus(exitNo, &reworded{msg: "preflight refuses the rotation: " + oneSentence(err.Error()), err: err})
		if ctx.Err() != nil || !(errors.Is(err, rotation.ErrInvalidInput) || errors.Is(err, rotation.ErrRefused)) {
			return nil, err
		}
		if !isAppsRefusal(err) {
			return nil, refused
		}
		defer func() { err = refused }()
	}
	u := rotation.UsageOf(m, transitions)
	res := &planResult{Strategy: string(o.Strategy), KeyBits: o.KeyBits, Org: b.idp.Name(),
		CurrentCertificate: summarize(m.Default), Usage: &u, ContactCenters: []plannedCenter{}, Steps: []plannedStep{}}
	for _, app := range m.Apps {
		if app.ContactCenter == "" {
			continue // in the usage view
		}
		res.ContactCenters = append(res.ContactCenters, plannedCenter{Name: app.ContactCenter, App: app.App.String(),
			SignsWith: app.Certificate.SHA256, Trust: app.Trust.ARN, Pinned: app.Pinned, InScope: app.InScope})
	}
	r, err := rotation.New(plan.Steps())
	if err != nil {
		return nil, err
	}
	for _, s := range r.Plan() {
		ps := plannedStep{Name: s.Name, Description: s.Description, Transitions: []string{}}
		for _, st := range transitions {
			if st.Step == s.Name {
				for _, t := range st.Transitions {
					ps.Transitions = append(ps.Transitions, fmt.Sprint(t))
				}
			}
		}
		res.Steps = append(res.Steps, ps)
	}
	return res, nil
}

// printPlan prints the model the plan observed (every contact center, in
// scope or not) and, under each step, the transitions it makes.
func printPlan(w io.Writer, res *planResult) {
	fmt.Fprintf(w, "Rotation plan (%s strategy, new %d-bit certificate) for %s\n", res.Strategy, res.KeyBits, res.Org)
	fmt.Fprintf(w, "Current IdP certificate: %s (%s)\n", res.CurrentCertificate.Name, short(res.CurrentCertificate.SHA256))
	for _, c := range res.ContactCenters {
		notes := ""
		switch {
		case !c.InScope && c.Pinned:
			notes = "  [out of scope, pinned: unchanged, its certificate stays trusted]"
		case !c.InScope:
			notes = "  [out of scope]"
		case c.Pinned:
			notes = "  [pinned: a person will be asked]"
		}
		fmt.Fprintf(w, "  contact center %s  app %s  signs with %s  trust %s%s\n", c.Name, c.App, short(c.SignsWith), orDash(c.Trust), notes)
	}
	printUsage(w, res.Usage)
	for i, s := range res.Steps {
		fmt.Fprintf(w, "%2d. %-10s %s\n", i+1, s.Name, s.Description)
		for _, t := range s.Transitions {
			fmt.Fprintf(w, "      %s\n", t)
		}
	}
}
