package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// demoResult is what `demo --json` prints.
type demoResult struct {
	Strategy       string       `json:"strategy"`
	ContactCenters int          `json:"contactCenters"`
	Accounts       int          `json:"accounts"`
	Result         string       `json:"result"`
	Error          string       `json:"error,omitempty"`
	ElapsedMs      int64        `json:"elapsedMs"`
	SSOProbe       probeResult  `json:"ssoProbe"`
	Previous       certSummary  `json:"previousCertificate"`
	New            certSummary  `json:"newCertificate"`
	ManualGates    int          `json:"manualGates"`
	Steps          []stepTiming `json:"steps"`
	Verified       bool         `json:"verified"`
}

type probeResult struct {
	Attempts     int    `json:"attempts"`
	Failures     int    `json:"failures"`
	IntervalMs   int64  `json:"intervalMs"`
	FirstFailure string `json:"firstFailure,omitempty"`
}

type certSummary struct {
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	KeyBits   int       `json:"keyBits"`
}

func summarize(c rotation.Certificate) certSummary {
	return certSummary{Name: c.Name, SHA256: c.SHA256, NotBefore: c.NotBefore, NotAfter: c.NotAfter, KeyBits: c.KeyBits}
}

func (a *app) newDemoCmd() *cobra.Command {
	var (
		strategy      string
		n, accounts   int
		probeInterval durationValue
		latency       durationValue
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Rotate a sandbox org end to end while an SSO probe signs in every 10 ms",
		Long: `demo starts a fake Salesforce org and a fake AWS IAM on loopback, seeds contact centers
(one of them pinned to its own certificate) in two AWS accounts, and runs check, rotate and
verify with the real salesforce and aws packages. Meanwhile an SSO probe signs in to every
contact center through the org's IdP-initiated login and the fake AWS sign-in endpoint, so the
summary shows what agents would have seen. The demo plays the Salesforce admin at the pinned
app's manual gate, and says so.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.logLevelSet = cmd.Flags().Changed("log-level") || cmd.Flags().Changed("log-format")
			res, err := a.demo(cmd.Context(), strategy, n, accounts, time.Duration(probeInterval), time.Duration(latency), a.json != nil)
			if res != nil {
				a.result(res)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&strategy, "strategy", string(rotation.StrategyOverlap), "overlap or direct")
	cmd.Flags().IntVar(&n, "contact-centers", 3, "how many contact centers to seed")
	cmd.Flags().IntVar(&accounts, "accounts", 2, "how many AWS accounts they spread over")
	addJSON(cmd)
	probeInterval, latency = durationValue(10*time.Millisecond), durationValue(2*time.Millisecond)
	cmd.Flags().Var(&probeInterval, "probe-interval", "how often each probe agent signs in")
	cmd.Flags().Var(&latency, "latency", "simulated network latency of every API call")
	return cmd
}

func freshKey(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }

func (a *app) demo(ctx context.Context, strategy string, n, accounts int, interval, latency time.Duration, asJSON bool) (*demoResult, error) {
	out := a.stdout
	if asJSON {
		out = io.Discard
	}
	log, err := a.conn.logger(a.con.writer())
	if err != nil {
		return nil, err
	}
	if !a.logLevelSet {
		// The narrative already shows every event.
		log = slog.New(slog.DiscardHandler)
	}
	// baseline is how long the probe watches before and after the rotation.
	const baseline = 500 * time.Millisecond
	w, err := sandbox.Start(ctx, sandbox.Options{ContactCenters: n, Accounts: accounts, KeyGenerator: freshKey,
		Latency: latency, Logger: log})
	if err != nil {
		return nil, usageErr(err)
	}
	defer w.Close()
	fmt.Fprintf(out, "Sandbox: org %s at %s, IAM at %s; %d contact centers in %d AWS accounts.\n\n",
		sandbox.OrgID, w.Org.URL(), w.IAM.URL(), len(w.ContactCenters), len(w.Accounts))

	res := &demoResult{Strategy: strategy, ContactCenters: len(w.ContactCenters), Accounts: len(w.Accounts), Result: "failed"}
	start := a.now()
	probe := w.StartProbe(ctx, interval)
	res.SSOProbe.IntervalMs = interval.Milliseconds()
	stopProbe := func() {
		res.SSOProbe.Attempts, res.SSOProbe.Failures, res.SSOProbe.FirstFailure = probe.Stop()
	}
	defer func() {
		if probe != nil {
			stopProbe()
		}
	}()
	if err := sleep(ctx, baseline); err != nil {
		return res, err
	}

	b := &backends{idp: w.IdP, rp: w.RP, log: log}
	fmt.Fprintln(out, "== check")
	r, err := rotation.Check(ctx, b.idp, b.rp)
	if err != nil {
		return res, err
	}
	if err := printReport(out, r, newCheckResult(r, 0).Reasons); err != nil {
		return res, err
	}
	plan, err := rotation.NewOrgPlan(b.idp, b.rp, rotation.WithStrategy(rotation.Strategy(strategy)), rotation.WithOrgLogger(log))
	if err != nil {
		return res, usageErr(err)
	}
	fmt.Fprintln(out, "\n== plan")
	pr, err := a.describePlan(ctx, b, plan)
	if err != nil {
		return res, err
	}
	printPlan(out, pr)

	fmt.Fprintln(out, "\n== rotate")
	dir, err := os.MkdirTemp("", "voicecert-demo-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	con := newConsole(out, false)
	if asJSON {
		con = a.con
	}
	prog := newProgress(con)
	admin := func(ctx context.Context, req rotation.ManualRequest) error {
		res.ManualGates++
		for _, c := range req.Changes {
			con.say("demo.admin", fmt.Sprintf("  (demo) playing the Salesforce admin: in Setup, app %s → IdP Certificate %s", c.App, c.Certificate),
				"app", c.App.String(), "certificate", c.Certificate)
		}
		// A person takes a moment.
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return err
		}
		return w.PlayAdmin(ctx, req)
	}
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return res, err
	}
	verdicts := &verdictLog{}
	rot, err := rotation.New(plan.Steps(), rotation.WithObserver(prog), rotation.WithObserver(verdicts), rotation.WithLogger(log), rotation.WithConfirm(admin),
		rotation.WithJournal(rotation.FileJournal(filepath.Join(dir, "journal.json"))),
		rotation.WithLocker(rotation.NewFileLocker(dir), keys...),
		rotation.WithManualTimeout(time.Minute))
	if err != nil {
		return res, err
	}
	st := plan.NewState(a.now().UTC().Format("20060102T150405Z"))
	runErr := rot.Run(ctx, st)
	res.Steps = prog.Steps()
	res.Previous, res.New = summarize(st.OldDefault), summarize(st.New)
	if runErr != nil {
		res.Error = runErr.Error()
		fmt.Fprintf(out, "Rotation failed: %v\n", runErr)
	}

	fmt.Fprintln(out, "\n== verify")
	failed, verr := verifyAll(ctx, out, b, false, nil)
	if verr != nil {
		return res, verr
	}
	res.Verified = failed == 0
	if err := sleep(ctx, baseline); err != nil {
		return res, err
	}
	stopProbe()
	probe = nil
	res.ElapsedMs = a.now().Sub(start).Milliseconds()
	if runErr == nil && res.Verified {
		res.Result = "success"
	}

	fmt.Fprintf(out, "\n== summary\nStrategy %s: %s in %s. New certificate %s (%s, %d bits, expires %s) replaced %s.\n",
		strategy, res.Result, time.Duration(res.ElapsedMs)*time.Millisecond, st.New.Name, st.New.SHA256, st.New.KeyBits,
		st.New.NotAfter.Format(time.DateOnly), st.OldDefault.Name)
	fmt.Fprintf(out, "SSO probe: %d sign-ins, %d failed", res.SSOProbe.Attempts, res.SSOProbe.Failures)
	if res.SSOProbe.Failures > 0 {
		fmt.Fprintf(out, " (first: %s)", res.SSOProbe.FirstFailure)
	}
	fmt.Fprintf(out, ".\nManual gates answered by the demo playing the admin: %d.\n", res.ManualGates)
	verdicts.print(out)
	if res.Result != "success" {
		return res, withStatus(exitNo, errors.Join(runErr, fmt.Errorf("%d contact center(s) fail verification", failed)))
	}
	return res, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
