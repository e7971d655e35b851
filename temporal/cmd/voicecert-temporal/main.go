// Command voicecert-temporal runs voicecert rotations on a Temporal cluster:
// a worker, and the client commands start, status, answer, cancel and
// schedule.
//
//	voicecert-temporal worker --sandbox 3             # a worker of three sandbox orgs
//	voicecert-temporal start --org sandbox-1 --soak 24h --wait
//	voicecert-temporal status --org sandbox-1 --journal rotation.json
//	voicecert-temporal answer --org sandbox-1 --step activate --by alice
//	voicecert-temporal cancel --org sandbox-1
//	voicecert-temporal schedule --org sandbox-1 --every 24h --if-expiring-within auto --max-in-flight 4
//
// Every command takes --address, --namespace, --task-queue, --tls and
// reads an API key from $TEMPORAL_API_KEY (see docs/temporal.md). The
// worker of this command rotates sandbox orgs; a worker of real orgs is a
// program that passes its backends to temporal.NewActivities.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	vt "github.com/voicecert/voicecert/temporal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv("TEMPORAL_API_KEY")))
}

const usage = `usage: voicecert-temporal worker|start|status|answer|cancel|schedule [flags] (-h for each)`

// conn are the connection flags of every command.
type conn struct {
	address, namespace, taskQueue string
	tls                           bool
	apiKey                        string
}

func (c *conn) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.address, "address", client.DefaultHostPort, "the cluster's frontend host:port")
	fs.StringVar(&c.namespace, "namespace", client.DefaultNamespace, "the Temporal namespace")
	fs.StringVar(&c.taskQueue, "task-queue", vt.DefaultTaskQueue, "the workers' task queue")
	fs.BoolVar(&c.tls, "tls", false, "connect with TLS (implied by an API key)")
}

func (c *conn) dial(ctx context.Context) (client.Client, error) {
	o := client.Options{HostPort: c.address, Namespace: c.namespace, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))}
	if c.tls || c.apiKey != "" {
		o.ConnectionOptions.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.apiKey != "" {
		o.Credentials = client.NewAPIKeyStaticCredentials(c.apiKey)
	}
	return client.DialContext(ctx, o)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, apiKey string) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &conn{apiKey: apiKey}
	c.flags(fs)
	var (
		org, step, by, within, strategy, journal, lockDir string
		soak, gateTimeout, every                          time.Duration
		sandboxes, pinned, maxInFlight                    int
		wait, refuse                                      bool
	)
	switch cmd {
	case "worker":
		fs.IntVar(&sandboxes, "sandbox", 0, "rotate this many sandbox orgs, named sandbox-1, sandbox-2, ...")
		fs.IntVar(&pinned, "pinned", -1, "pinned apps per sandbox org, each needing a manual gate (-1: none)")
		fs.StringVar(&lockDir, "lock-dir", "", "lock directory shared with the CLI (default: no lock)")
	case "start", "schedule":
		fs.StringVar(&org, "org", "", "the org id")
		fs.DurationVar(&soak, "soak", 0, "how long both certificates stay trusted after verification")
		fs.StringVar(&within, "if-expiring-within", "", `rotate only if a certificate expires within this long (30d), or "auto"`)
		fs.DurationVar(&gateTimeout, "gate-timeout", rotation.DefaultManualTimeout, "how long a manual gate waits")
		fs.StringVar(&strategy, "strategy", string(rotation.StrategyOverlap), "overlap or direct")
		fs.IntVar(&maxInFlight, "max-in-flight", 0, "bound on the fleet's rotations at once (0: none)")
		fs.BoolVar(&wait, "wait", false, "start: wait for the rotation to end")
		fs.DurationVar(&every, "every", 24*time.Hour, "schedule: how often the renewal check runs")
	case "status", "cancel", "answer":
		fs.StringVar(&org, "org", "", "the org id")
		fs.StringVar(&journal, "journal", "", "status: also write the rotation as a CLI journal record to this file")
		fs.StringVar(&step, "step", "", "answer: the step whose gate is answered")
		fs.StringVar(&by, "by", "", "answer: who answers")
		fs.BoolVar(&refuse, "refuse", false, "answer: refuse the change (the rotation rolls back)")
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if cmd != "worker" && org == "" {
		fmt.Fprintln(stderr, cmd+": --org is required")
		return 2
	}
	cl, err := c.dial(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "connect:", err)
		return 1
	}
	defer cl.Close()
	req := vt.RotateRequest{Org: org, IfExpiringWithin: within, GateTimeout: gateTimeout, MaxInFlight: maxInFlight,
		Plan: &rotation.PlanOptions{Strategy: rotation.Strategy(strategy), KeyBits: rotation.DefaultKeyBits,
			LabelTemplate: rotation.DefaultLabelTemplate, Soak: soak, Canary: 1, Concurrency: 4}}
	switch cmd {
	case "worker":
		err = runWorker(ctx, cl, c.taskQueue, sandboxes, pinned, lockDir, stdout)
	case "start":
		err = start(ctx, cl, c.taskQueue, req, wait, stdout)
	case "schedule":
		_, err = vt.EnsureSchedule(ctx, cl, req, vt.ScheduleOptions{Every: every, TaskQueue: c.taskQueue})
		if err == nil {
			fmt.Fprintf(stdout, "schedule %s: every %s\n", vt.ScheduleID(org), every)
		}
	case "status":
		err = status(ctx, cl, org, journal, stdout)
	case "answer":
		err = vt.Answer(ctx, cl, org, vt.GateAnswer{Step: step, Done: !refuse, By: by})
	case "cancel":
		err = vt.Cancel(ctx, cl, org)
	}
	if err != nil {
		fmt.Fprintln(stderr, cmd+":", err)
		return 1
	}
	return 0
}

func start(ctx context.Context, cl client.Client, tq string, req vt.RotateRequest, wait bool, stdout io.Writer) error {
	r, err := vt.Start(ctx, cl, tq, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "started %s (run %s)\n", r.GetID(), r.GetRunID())
	if !wait {
		return nil
	}
	var res vt.Result
	if err := r.Get(ctx, &res); err != nil {
		return err
	}
	fmt.Fprintln(stdout, res.Message)
	return nil
}

func status(ctx context.Context, cl client.Client, org, journal string, stdout io.Writer) error {
	s, err := vt.GetStatus(ctx, cl, org)
	if err != nil {
		return err
	}
	out := s
	out.State = nil // the journal file holds it
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	if journal == "" {
		return nil
	}
	rec, err := s.Record(time.Now().UTC())
	if err != nil {
		return err
	}
	b, err = json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(journal, b, 0o600)
}

func runWorker(ctx context.Context, cl client.Client, tq string, n, pinned int, lockDir string, stdout io.Writer) error {
	if n < 1 {
		return errors.New("this command's worker rotates sandbox orgs: give --sandbox N (a worker of real orgs passes its backends to temporal.NewActivities)")
	}
	worlds := map[string]*sandbox.World{}
	for i := 1; i <= n; i++ {
		w, err := sandbox.Start(ctx, sandbox.Options{Pinned: pinned})
		if err != nil {
			return err
		}
		defer w.Close()
		worlds[fmt.Sprintf("sandbox-%d", i)] = w
	}
	o := vt.Options{
		Orgs: func(_ context.Context, org string) (rotation.IdentityProvider, rotation.RelyingParty, error) {
			w, ok := worlds[org]
			if !ok {
				return nil, nil, fmt.Errorf("no sandbox org %q: %w", org, rotation.ErrNotFound)
			}
			return w.IdP, w.RP, nil
		},
		Observer: rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
			fmt.Fprintf(stdout, "%s %s %s %s\n", e.RotationID, e.Type, e.Step, e.Message)
		}),
	}
	if lockDir != "" {
		o.Locker = rotation.NewFileLocker(lockDir)
	}
	a, err := vt.NewActivities(o)
	if err != nil {
		return err
	}
	w := worker.New(cl, tq, worker.Options{})
	vt.Register(w, a)
	if err := w.Start(); err != nil {
		return err
	}
	defer w.Stop()
	fmt.Fprintf(stdout, "worker on task queue %s: %d sandbox orgs, sandbox-1 to sandbox-%d\n", tq, n, n)
	<-ctx.Done()
	return nil
}
