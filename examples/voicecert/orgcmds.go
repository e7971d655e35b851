package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

// exitError carries the process exit status of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitStatus maps an error to the exit status: 0 none, 2 unless the error
// says otherwise.
func exitStatus(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 2
}

func usageErr(err error) error { return &exitError{code: 2, err: err} }

// backends are the two providers a command works on.
type backends struct {
	idp rotation.IdentityProvider
	rp  rotation.RelyingParty
	log *slog.Logger
}

// connect builds the backends from the flags and environment.
func (a *app) connect(ctx context.Context) (*backends, error) {
	log, err := a.conn.logger(a.stderr)
	if err != nil {
		return nil, err
	}
	idp, err := a.conn.identityProvider(log)
	if err != nil {
		return nil, err
	}
	rp, err := a.conn.relyingParty(ctx, idp, log)
	if err != nil {
		return nil, err
	}
	return &backends{idp: idp, rp: rp, log: log}, nil
}

// durationValue is a time.Duration flag that also takes days ("30d").
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }
func (d *durationValue) Type() string   { return "duration" }
func (d *durationValue) Set(s string) error {
	v, err := parseDuration(s)
	*d = durationValue(v)
	return err
}

func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want a number of days such as 30d, or a Go duration such as 72h", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func (a *app) newCheckCmd() *cobra.Command {
	var (
		asJSON bool
		within = durationValue(30 * 24 * time.Hour)
		ccs    []string
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Report every contact center's signing certificate, its expiry and IAM agreement",
		Long: `check reads, without changing anything, each Amazon Connect contact center's effective
signing certificate (name, SHA-256 fingerprint, expiry, days left, key size), whether its
connected app is pinned to its own certificate, and whether the IAM SAML provider that trusts
it holds that certificate.

Exit status: 0 healthy; 1 a certificate expires within --within, an app is pinned, or IAM
disagrees with Salesforce; 2 an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			r, err := rotation.Check(cmd.Context(), b.idp, b.rp, func(o *rotation.CheckOptions) { o.ContactCenters = ccs })
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(a.stdout, checkJSON(r, time.Duration(within)))
			} else {
				err = printReport(a.stdout, r)
			}
			if err != nil {
				return err
			}
			if !r.Healthy(time.Duration(within)) {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().Var(&within, "within", "unhealthy when a certificate expires within this long (e.g. 30d, 720h)")
	cmd.Flags().StringSliceVar(&ccs, "contact-center", nil, "only these contact centers (internal names)")
	return cmd
}

type checkOutput struct {
	Healthy bool             `json:"healthy"`
	Within  string           `json:"within"`
	Report  *rotation.Report `json:"report"`
}

func checkJSON(r *rotation.Report, within time.Duration) checkOutput {
	r.Default.Certificate.DER = nil
	for i := range r.ContactCenters {
		r.ContactCenters[i].Effective.Certificate.DER = nil
	}
	return checkOutput{Healthy: r.Healthy(within), Within: within.String(), Report: r}
}

func printReport(w io.Writer, r *rotation.Report) error {
	fmt.Fprintf(w, "Org IdP certificate: %s  %s  expires %s (%d days, %s)\n\n", r.Default.Certificate.Name,
		short(r.Default.Certificate.SHA256), r.Default.Certificate.NotAfter.Format(time.DateOnly), r.Default.DaysLeft, r.Default.Level)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTACT CENTER\tAPP\tCERTIFICATE\tSHA-256\tNOT AFTER\tDAYS\tLEVEL\tBITS\tPINNED\tIAM TRUST")
	for _, c := range r.ContactCenters {
		trust := "agrees"
		if !c.TrustAgrees {
			trust = "DISAGREES"
		}
		cert := c.Effective.Certificate
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%v\t%s\n", c.ContactCenter.Name, c.ContactCenter.App, orDash(cert.Name),
			short(cert.SHA256), cert.NotAfter.Format(time.DateOnly), c.Effective.DaysLeft, c.Effective.Level, cert.KeyBits, c.Pinned, trust)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range r.ContactCenters {
		for _, p := range c.Problems {
			fmt.Fprintf(w, "! %s: %s\n", c.ContactCenter.Name, p)
		}
	}
	return nil
}

func short(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

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

// printPlan prints the model the plan observed (every contact center, in
// scope or not) and, under each step, the transitions it makes; it calls no
// mutating method.
func (a *app) printPlan(ctx context.Context, b *backends, plan *rotation.OrgPlan) error {
	m, steps, err := plan.Transitions(ctx)
	if err != nil {
		return err
	}
	o := plan.Options()
	fmt.Fprintf(a.stdout, "Rotation plan (%s strategy, new %d-bit certificate) for %s\n", o.Strategy, o.KeyBits, b.idp.Name())
	fmt.Fprintf(a.stdout, "Current IdP certificate: %s (%s)\n", m.Default.Name, short(m.Default.SHA256))
	for _, app := range m.Apps {
		notes := ""
		switch {
		case !app.InScope && app.Pinned:
			notes = "  [out of scope, pinned: unchanged, its certificate stays trusted]"
		case !app.InScope:
			notes = "  [out of scope]"
		case app.Pinned:
			notes = "  [pinned: a person will be asked]"
		}
		fmt.Fprintf(a.stdout, "  contact center %s  app %s  signs with %s  trust %s%s\n", app.ContactCenter, app.App,
			short(app.Certificate.SHA256), orDash(app.Trust.ARN), notes)
	}
	r, err := rotation.New(plan.Steps())
	if err != nil {
		return err
	}
	for i, s := range r.Plan() {
		fmt.Fprintf(a.stdout, "%2d. %-10s %s\n", i+1, s.Name, s.Description)
		for _, st := range steps {
			if st.Step != s.Name {
				continue
			}
			for _, t := range st.Transitions {
				fmt.Fprintf(a.stdout, "      %s\n", t)
			}
		}
	}
	return nil
}

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
			journals := rotation.JournalDir(journalDir)
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, append(f.options(b.log), rotation.WithHistory(journals))...)
			if err != nil {
				return usageErr(err)
			}
			if err := a.printPlan(ctx, b, plan); err != nil {
				return err
			}
			if !yes && !a.confirm("Proceed with the rotation?") {
				return &exitError{code: 1, err: errors.New("rotation not confirmed: nothing changed")}
			}
			id := rotation.NewRotationID(a.now())
			journal := journals.Path(id)
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

// run builds a Rotator for plan with the journal, locks and progress, and
// runs do with it; it prints the summary.
func (a *app) run(ctx context.Context, b *backends, plan *rotation.OrgPlan, lockDir, journal string,
	manualTimeout time.Duration, breakLocks bool, do func(*rotation.Rotator) error, st *rotation.State) error {
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(lockDir, 0o700); err != nil {
		return err
	}
	locker := rotation.NewFileLocker(filepath.Join(lockDir, "locks"))
	if breakLocks {
		for _, k := range keys {
			if h, err := locker.Holder(k); err == nil {
				fmt.Fprintf(a.stdout, "Breaking the lock on %s held by pid %d on %s since %s.\n", k, h.PID, h.Host, h.Since.Format(time.RFC3339))
				if err := locker.Break(k); err != nil {
					return err
				}
			}
		}
	}
	prog := newProgress(a.stderr)
	opts := []rotation.Option{
		rotation.WithJournal(rotation.FileJournal(journal)),
		rotation.WithLocker(locker, keys...),
		rotation.WithObserver(prog), rotation.WithLogger(b.log), rotation.WithManualTimeout(manualTimeout),
	}
	r, err := rotation.New(plan.Steps(), opts...)
	if err != nil {
		return err
	}
	start := a.now()
	err = do(r)
	elapsed := a.now().Sub(start).Round(time.Millisecond)
	if err != nil {
		var re *rotation.RotationError
		if errors.As(err, &re) && !re.RolledBack && len(re.Undone) == 0 && errors.Is(err, rotation.ErrRefused) {
			fmt.Fprintf(a.stdout, "Refused (%s): nothing was changed; the journal %s says what is applied.\n", elapsed, journal)
			return err
		}
		if errors.As(err, &re) && re.RolledBack {
			fmt.Fprintf(a.stdout, "Rotation failed at step %s and was rolled back completely (%s): nothing changed.\n", re.Step, elapsed)
			return &exitError{code: 1, err: err}
		}
		fmt.Fprintf(a.stdout, "Rotation failed; the journal %s says what is still applied.\n", journal)
		return err
	}
	fmt.Fprintf(a.stdout, "Rotated in %s: %s (%s, %d bits, expires %s) replaces %s (%s) for %d contact center(s).\n",
		elapsed, st.New.Name, st.New.SHA256, st.New.KeyBits, st.New.NotAfter.Format(time.DateOnly),
		st.OldDefault.Name, short(st.OldDefault.SHA256), len(st.ContactCenters))
	return nil
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

func (a *app) newResumeCmd(mode rotation.ResumeMode) *cobra.Command {
	var (
		journal, lockDir string
		breakLock        bool
	)
	use, short := "resume", "Continue an interrupted rotation from its journal"
	if mode == rotation.ResumeRollback {
		use, short = "rollback", "Undo every completed step of a journaled rotation"
	}
	cmd := &cobra.Command{
		Use:   use + " --journal FILE",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			rec, err := rotation.LoadJournal(journal)
			if err != nil {
				return err
			}
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			opts, err := rotation.OrgOptionsFrom(rec.State)
			if err != nil {
				return err
			}
			history := rotation.WithHistory(rotation.JournalDir(filepath.Dir(journal)))
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, append(opts, rotation.WithOrgLogger(b.log), history)...)
			if err != nil {
				return err
			}
			if lockDir == "" {
				lockDir = filepath.Dir(journal)
			}
			err = a.run(ctx, b, plan, lockDir, journal, 30*time.Minute, breakLock,
				func(r *rotation.Rotator) error { return r.Resume(ctx, rec, mode) }, rec.State)
			if err == nil && mode == rotation.ResumeRollback {
				fmt.Fprintln(a.stdout, "Rolled back: the org and IAM are as they were before the rotation.")
			}
			return err
		},
	}
	cmd.Flags().StringVar(&journal, "journal", "", "the journal file of the rotation")
	cmd.Flags().StringVar(&lockDir, "lock-dir", "", "directory of the lock files (default: the journal's directory)")
	cmd.Flags().BoolVar(&breakLock, "break-lock", false, "break the locks left by the interrupted process (only once sure it is gone)")
	_ = cmd.MarkFlagRequired("journal")
	return cmd
}

func (a *app) newVerifyCmd() *cobra.Command {
	var allowSHA1 bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that sign-in works: each contact center's signed SAML Response verifies against IAM",
		Long: `verify checks, without changing anything, that Salesforce and IAM agree on each contact
center's signing certificate and that a SAML Response the org signs for each contact center's app
verifies against the metadata its IAM SAML provider holds.

Exit status: 0 every contact center verifies; 1 one does not; 2 an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			failed, err := verifyAll(cmd.Context(), a.stdout, b, allowSHA1)
			if err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d contact center(s) do not verify", failed)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&allowSHA1, "allow-sha1", false, "accept SHA-1 signatures")
	return cmd
}

// verifyAll prints one line per contact center, and every problem not
// tied to one, and returns how many failed. It runs the verification of
// the rotation's verify step (read-only).
func verifyAll(ctx context.Context, w io.Writer, b *backends, allowSHA1 bool) (int, error) {
	plan, err := rotation.NewOrgPlan(b.idp, b.rp, rotation.WithAllowSHA1(allowSHA1), rotation.WithOrgLogger(b.log))
	if err != nil {
		return 0, err
	}
	v, err := plan.Verify(ctx)
	if err != nil {
		return 0, err
	}
	failed, tied := 0, map[string]bool{}
	for _, c := range v.ContactCenters {
		verdict := "OK: IAM trusts the certificate the app signs with"
		if c.SignedBy != "" {
			verdict = "OK: signed Response verifies against IAM (signed by " + short(c.SignedBy) + ")"
		}
		if len(c.Problems) > 0 {
			failed++
			verdict = "FAIL: " + strings.Join(c.Problems, "; ")
			for _, p := range c.Problems {
				tied[p] = true
			}
		}
		fmt.Fprintf(w, "%-20s %s\n", c.ContactCenter.Name, verdict)
	}
	for _, p := range v.Problems {
		if !tied[p] {
			failed++
			fmt.Fprintf(w, "! %s\n", p)
		}
	}
	return failed, nil
}
