package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// BenchmarkVerifyCLIvsStep runs, side by side in each iteration, the
// command `voicecert verify` (connecting from the sandbox's export lines,
// discovering the contact centers, building the relying parties, checking
// every contact center) and the rotation's verify step, against the same
// sandbox of 500 contact centers in 10 accounts after a rotation, with the
// demo's 2 ms added to every API call. cli-ms and step-ms are their wall
// times, cli/step their ratio. docs/benchmarks.md has the command.
func BenchmarkVerifyCLIvsStep(b *testing.B) {
	w, err := sandbox.Start(b.Context(), sandbox.Options{ContactCenters: 500, Accounts: 10, Pinned: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	var env bytes.Buffer
	if err := writeSandboxEnv(&env, w, nil, b.TempDir()); err != nil {
		b.Fatal(err)
	}
	setExports(b, env.String())

	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	if err != nil {
		b.Fatal(err)
	}
	r, err := rotation.New(plan.Steps())
	if err != nil {
		b.Fatal(err)
	}
	st := plan.NewState("bench")
	if err := r.Run(b.Context(), st); err != nil {
		b.Fatal(err)
	}
	var verify rotation.Step
	for _, s := range plan.Steps() {
		if s.Name() == rotation.StepVerify {
			verify = s
		}
	}
	w.Org.SetLatency(2 * time.Millisecond)
	w.IAM.SetLatency(2 * time.Millisecond)

	var cli, step time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		var out, errOut bytes.Buffer
		if code := run(b.Context(), []string{"verify"}, strings.NewReader(""), &out, &errOut); code != exitOK {
			b.Fatalf("verify: exit %d\n%s%s", code, out.String(), errOut.String())
		}
		if n := strings.Count(out.String(), " OK"); n != 500 {
			b.Fatalf("verify: %d contact centers OK, want 500", n)
		}
		cli += time.Since(start)

		start = time.Now()
		if err := verify.Apply(b.Context(), st); err != nil {
			b.Fatal(err)
		}
		step += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(cli.Milliseconds())/float64(b.N), "cli-ms")
	b.ReportMetric(float64(step.Milliseconds())/float64(b.N), "step-ms")
	b.ReportMetric(float64(cli)/float64(step), "cli/step")
}
