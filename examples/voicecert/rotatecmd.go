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

// defaultRepeatWindow is how recent a certificate voicecert made must be for
// rotate to call the org "rotated moments ago".
const defaultRepeatWindow = 24 * time.Hour

func (a *app) newRotateCmd() *cobra.Command {
	var (
		f          rotateFlags
		rf         runFlags
		journalDir string
		yes, force bool
		ifExpiring string
	)
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Rotate the signing certificate of every contact center",
		Long: `rotate creates a new certificate and moves the org and every contact center's IAM SAML
provider to it, verifying with a signed SAML Response, and rolls every completed step back on any
failure. Progress is journaled after every step, in a file of --journal-dir, so that an
interrupted run can be resumed or rolled back with "voicecert resume --journal FILE" or
"voicecert rollback --journal FILE".

A SAML app of no contact center that follows the org default would be switched too while its
service provider is not updated: rotate refuses, naming it, unless --accept-affected APP
acknowledges it (the summary then lists it as changed, not updated) or it is pinned to its
current certificate first (--pin-affected APP asks for that and waits). Every other IAM SAML provider of the org's entityID in the contact
centers' accounts is updated too; --exclude-trust ARN leaves one out only if nothing breaks.

Ctrl-C (SIGINT) or SIGTERM rolls back every completed step, within --rollback-grace, and
releases the locks; a second Ctrl-C stops the rollback, leaves a resumable journal and prints
the command that finishes it.

With --if-expiring-within it does nothing (exit 0) while every certificate is further than that
from expiry; --if-expiring-within auto renews at one third of the certificate's remaining
lifetime (the renewal point cert-manager uses), so it can run from cron as a renewal policy.

An org whose certificate voicecert made less than a day ago was rotated moments ago: rotate
says so and asks; with --yes it refuses unless --force.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			res := &runResult{Outcome: "refused", Steps: []stepTiming{}}
			a.result(res)
			if err := a.doctorGate(ctx, b); err != nil {
				return err
			}
			if ifExpiring != "" {
				due, msg, err := renewalDue(ctx, b, ifExpiring, a.now())
				if err != nil {
					return err
				}
				res.Renewal = msg
				fmt.Fprintln(a.out(), msg)
				if !due {
					res.Outcome = "nothing-due"
					return nil
				}
			}
			journals := rotation.JournalDir(journalDir)
			plan, err := f.newPlan(b, rotation.WithHistory(journals))
			if err != nil {
				return err
			}
			if res.Plan, err = a.describePlan(ctx, b, plan); res.Plan != nil {
				printPlan(a.out(), res.Plan)
			}
			if err != nil {
				return err
			}
			if recent := recentRotation(res.Plan.CurrentCertificate, a.now()); recent != "" {
				switch {
				case force:
				case yes:
					return withStatus(exitNo, fmt.Errorf("%s: refusing to rotate again (--force rotates anyway)", recent))
				default:
					fmt.Fprintln(a.prompt(), recent+".")
					if ok, err := a.confirm(ctx, "Rotate again anyway?"); !ok {
						res.Outcome = "declined"
						return orDeclined(err)
					}
				}
			}
			if !yes {
				if ok, err := a.confirm(ctx, "Proceed with the rotation?"); !ok {
					res.Outcome = "declined"
					return orDeclined(err)
				}
			}
			if err := os.MkdirAll(journalDir, 0o700); err != nil {
				return err
			}
			id := rotation.NewRotationID(a.now())
			st := plan.NewState(id)
			spec := runSpec{mode: "rotate", journal: journals.Path(id), lockDir: rf.lockDir,
				flags: rf, deleteOld: f.deleteOld, soak: time.Duration(f.soak)}
			if spec.lockDir == "" {
				spec.lockDir = filepath.Join(journalDir, "locks")
			}
			return a.runRotation(ctx, b, plan, spec, func(ctx context.Context, steps []rotation.Step, opts []rotation.Option) error {
				r, err := rotation.New(steps, opts...)
				if err != nil {
					return err
				}
				return r.Run(ctx, st)
			}, st, res)
		},
	}
	addJSON(cmd)
	f.add(cmd)
	rf.add(cmd)
	cmd.Flags().StringVar(&journalDir, "journal-dir", defaultJournalDir(), "directory of the rotation journals (and, by default, of the lock files)")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&force, "force", false, "rotate even if the org was rotated moments ago")
	cmd.Flags().StringVar(&ifExpiring, "if-expiring-within", "", `rotate only if a certificate expires within this long (e.g. 30d), or "auto": within one third of its lifetime`)
	return cmd
}

// recentRotation says when the current certificate is one voicecert made
// less than defaultRepeatWindow ago.
func recentRotation(cur certSummary, now time.Time) string {
	if !strings.HasPrefix(cur.Name, "voicecert_") || cur.NotBefore.IsZero() {
		return ""
	}
	age := now.Sub(cur.NotBefore)
	if age < 0 || age >= defaultRepeatWindow {
		return ""
	}
	return fmt.Sprintf("The org was rotated %s ago: its certificate %s was made by voicecert at %s",
		formatDuration(age.Round(time.Second)), cur.Name, cur.NotBefore.UTC().Format(time.RFC3339))
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
			return false, "", usageErr(fmt.Errorf("--if-expiring-within: %w (or auto)", err))
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
		what = formatDuration(before)
	}
	return false, fmt.Sprintf("Nothing to do: every certificate is further than %s from expiry.", what), nil
}

// errDeclined is the answer "no" at a prompt.
var errDeclined = errors.New("not confirmed: nothing changed")

func orDeclined(err error) error {
	if err != nil {
		return err
	}
	return withStatus(exitNo, errDeclined)
}

// prompt is where questions go: stdout, or stderr when stdout is JSON.
func (a *app) prompt() interface{ Write([]byte) (int, error) } {
	if a.json != nil {
		return a.con.writer()
	}
	return a.stdout
}

// confirm asks a yes/no question on the terminal; the context ending (an
// interrupt) stops the wait.
func (a *app) confirm(ctx context.Context, q string) (bool, error) {
	fmt.Fprintf(a.prompt(), "%s [y/N] ", q)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case line := <-answer:
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return true, nil
		}
		return false, nil
	case <-ctx.Done():
		fmt.Fprintln(a.prompt())
		return false, withStatus(exitNo, fmt.Errorf("%w: nothing changed", context.Cause(ctx)))
	}
}
