package main

import (
	"context"
	"fmt"
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
	soak        time.Duration
	canary      int
	concurrency int
	ccs         []string
	deleteOld   bool
	allowSHA1   bool
}

func (f *rotateFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.strategy, "strategy", string(rotation.StrategyOverlap), "overlap (no sign-in outage) or direct (the manual procedure's order)")
	fl.IntVar(&f.keyBits, "key-bits", rotation.DefaultKeyBits, "RSA key size of the new certificate: 2048 or 4096")
	fl.StringVar(&f.label, "label", rotation.DefaultLabelTemplate, "label of the new certificate; {date} and {id} are replaced")
	fl.DurationVar(&f.soak, "soak", 0, "how long IAM trusts both certificates before the old one is retired")
	fl.IntVar(&f.canary, "canary", 1, "contact centers changed and checked one at a time before the rest")
	fl.IntVar(&f.concurrency, "concurrency", 4, "contact centers changed at once after the canaries")
	fl.StringSliceVar(&f.ccs, "contact-center", nil, "only these contact centers (internal names)")
	fl.BoolVar(&f.deleteOld, "delete-old", false, "delete the previous certificate at the end (cannot be undone)")
	fl.BoolVar(&f.allowSHA1, "allow-sha1", false, "accept SHA-1 signatures when verifying a SAML Response")
}

func (f *rotateFlags) options(log *slog.Logger) []rotation.OrgOption {
	return []rotation.OrgOption{
		rotation.WithStrategy(rotation.Strategy(f.strategy)), rotation.WithKeyBits(f.keyBits),
		rotation.WithLabelTemplate(f.label), rotation.WithSoak(f.soak), rotation.WithCanary(f.canary),
		rotation.WithConcurrency(f.concurrency), rotation.WithContactCenters(f.ccs...),
		rotation.WithDeleteOld(f.deleteOld), rotation.WithAllowSHA1(f.allowSHA1), rotation.WithOrgLogger(log),
	}
}

func (a *app) newPlanCmd() *cobra.Command {
	var f rotateFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what a rotation would do, changing nothing",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, f.options(b.log)...)
			if err != nil {
				return usageErr(err)
			}
			return a.printPlan(cmd.Context(), b, plan)
		},
	}
	f.add(cmd)
	return cmd
}

// printPlan prints the scope and the steps of a plan; it calls no mutating
// method.
func (a *app) printPlan(ctx context.Context, b *backends, plan *rotation.OrgPlan) error {
	ccs, err := b.idp.ContactCenters(ctx)
	if err != nil {
		return err
	}
	sig, err := b.idp.SigningState(ctx)
	if err != nil {
		return err
	}
	o := plan.Options()
	fmt.Fprintf(a.stdout, "Rotation plan (%s strategy, new %d-bit certificate) for %s\n", o.Strategy, o.KeyBits, b.idp.Name())
	fmt.Fprintf(a.stdout, "Current IdP certificate: %s (%s)\n", sig.Default.Name, short(sig.Default.SHA256))
	for _, c := range ccs {
		if len(o.ContactCenters) > 0 && !slices.Contains(o.ContactCenters, c.Name) {
			continue
		}
		pinned := ""
		if s, ok := sig.App(c.App.Name); ok && s.Pinned {
			pinned = "  [pinned: a person will be asked]"
		}
		fmt.Fprintf(a.stdout, "  contact center %s  app %s  trust %s%s\n", c.Name, c.App, orDash(c.Trust.ARN), pinned)
	}
	r, err := rotation.New(plan.Steps())
	if err != nil {
		return err
	}
	for i, s := range r.Plan() {
		fmt.Fprintf(a.stdout, "%2d. %-10s %s\n", i+1, s.Name, s.Description)
	}
	return nil
}
