package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newRotateCmd() *cobra.Command {
	var (
		f             rotateFlags
		journalDir    string
		yes           bool
		ifExpiring    string
		manualTimeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Rotate the signing certificate of every contact center",
		Long: `rotate creates a new certificate and moves the org and every contact center's IAM SAML
provider to it, verifying with a signed SAML Response, and rolls every completed step back on any
failure. Progress is journaled after every step (--journal) so that an interrupted run can be
resumed or rolled back with "voicecert resume" or "voicecert rollback".

With --if-expiring-within it does nothing (exit 0) while every certificate is further than that
from expiry; without a value it renews at one third of the certificate's remaining lifetime
(the renewal point cert-manager uses), so it can run from cron as a renewal policy.

Exit status: 0 rotated (or nothing to do); 1 failed and rolled back completely; 2 an error, or a
failure whose rollback is incomplete (the journal says what is left).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			if ifExpiring != "" {
				due, msg, err := renewalDue(ctx, b, ifExpiring, a.now())
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, msg)
				if !due {
					return nil
				}
			}
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, f.options(b.log)...)
			if err != nil {
				return usageErr(err)
			}
			if err := a.printPlan(ctx, b, plan); err != nil {
				return err
			}
			if !yes && !a.confirm("Proceed with the rotation?") {
				return &exitError{code: 1, err: errors.New("rotation not confirmed: nothing changed")}
			}
			id := a.now().UTC().Format("20060102T150405Z")
			journal := filepath.Join(journalDir, "rotation-"+id+".json")
			fmt.Fprintf(a.stdout, "Journal: %s\n", journal)
			st := plan.NewState(id)
			return a.run(ctx, b, plan, journalDir, journal, manualTimeout, false, func(r *rotation.Rotator) error { return r.Run(ctx, st) }, st)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&journalDir, "journal", defaultJournalDir(), "directory of the rotation journal and lock files")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().StringVar(&ifExpiring, "if-expiring-within", "", "rotate only if a certificate expires within this long (e.g. 30d); no value: one third of its lifetime")
	cmd.Flags().Lookup("if-expiring-within").NoOptDefVal = "auto"
	cmd.Flags().DurationVar(&manualTimeout, "manual-timeout", 30*time.Minute, "how long to wait for a person at a manual gate")
	return cmd
}

func defaultJournalDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "voicecert")
	}
	return "voicecert-journal"
}

// renewalDue reports whether any contact center's certificate is due for
// renewal under the policy.
func renewalDue(ctx context.Context, b *backends, policy string, now time.Time) (bool, string, error) {
	var before time.Duration
	if policy != "auto" {
		d, err := parseDuration(policy)
		if err != nil {
			return false, "", usageErr(fmt.Errorf("--if-expiring-within: %w", err))
		}
		before = d
	}
	r, err := rotation.Check(ctx, b.idp, b.rp, func(o *rotation.CheckOptions) { o.Now = func() time.Time { return now } })
	if err != nil {
		return false, "", err
	}
	for _, c := range r.ContactCenters {
		if rotation.RenewalDue(c.Effective.Certificate, before, now) {
			return true, fmt.Sprintf("Renewal due: %s's certificate %s expires %s.", c.ContactCenter.Name,
				orDash(c.Effective.Certificate.Name), c.Effective.Certificate.NotAfter.Format(time.RFC3339)), nil
		}
	}
	what := "one third of its lifetime"
	if before > 0 {
		what = before.String()
	}
	return false, fmt.Sprintf("Nothing to do: every certificate is further than %s from expiry.", what), nil
}

// confirm asks a yes/no question on the terminal.
func (a *app) confirm(q string) bool {
	fmt.Fprintf(a.stdout, "%s [y/N] ", q)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
