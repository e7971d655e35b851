package evidence

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// benchLatency is the latency both fakes add to every API call in the
// benchmarks.
const benchLatency = 20 * time.Millisecond

// benchOptions shape the world of a rotation benchmark: n contact centers
// over two AWS accounts, the last app pinned, every call slowed by latency,
// and the salesforce backend allowed enough concurrent calls that the
// plan's data dependencies, not a concurrency limit, bound the rotation.
func benchOptions(n int, latency time.Duration) sandbox.Options {
	return sandbox.Options{ContactCenters: n, Accounts: 2, Pinned: 1, Latency: latency, KeyGenerator: keyGenerator(),
		PollInterval: 10 * time.Millisecond, Concurrency: max(n, 16)}
}

// benchPlanOptions are the plan options of the benchmarks: 2048-bit keys,
// the default canary of one, then every contact center at once.
func benchPlanOptions(n int) []rotation.OrgOption {
	return []rotation.OrgOption{rotation.WithKeyBits(2048), rotation.WithConcurrency(max(n, 16)), rotation.WithCanary(1)}
}

// benchRun is one rotation of a benchmark: what it took and how many API
// calls it made.
type benchRun struct {
	wall, cpu time.Duration
	split     cpuSplit
	calls     int
}

// processCPU returns the CPU time the process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRotate starts a world, then rotates it as a user of the SDK would by
// default: no journal, logs discarded; with sts, every sign-in is also
// judged by a fake STS with the fakes' latency. Only the rotation is timed.
func benchRotate(b *testing.B, o sandbox.Options, id string, sts bool, planOpts []rotation.OrgOption, opts ...rotation.Option) (benchRun, *sandbox.World) {
	b.Helper()
	w, err := sandbox.Start(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	var rp rotation.RelyingParty = w.RP
	if sts {
		judge := startFakeSTS(w.IAM, o.Latency)
		defer judge.Close()
		rp = &judgingRP{RelyingParty: w.RP, sts: judge}
	}
	plan, err := rotation.NewOrgPlan(w.IdP, rp, planOpts...)
	if err != nil {
		b.Fatal(err)
	}
	r, err := rotation.New(plan.Steps(), append([]rotation.Option{rotation.WithConfirm(w.PlayAdmin),
		rotation.WithRetry(4, time.Millisecond, 20*time.Millisecond)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	before := len(w.Org.Calls()) + len(w.IAM.Calls())
	b.StartTimer()
	start, cpu := time.Now(), processCPU()
	split, err := profileCPU(func() error { return r.Run(context.Background(), plan.NewState(id)) })
	run := benchRun{wall: time.Since(start), cpu: processCPU() - cpu, split: split}
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	run.calls = len(w.Org.Calls()) + len(w.IAM.Calls()) - before
	return run, w
}

// BenchmarkRotation rotates 1, 10 and 50 contact centers with 20 ms added
// to every API call, every sign-in judged by a fake STS (the old
// certificate's after the trust step, the new one's at verification), and
// reports the wall time against the critical-path lower bound (see
// criticalPath and doc.go).
func BenchmarkRotation(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("contact_centers=%d", n), func(b *testing.B) {
			bound := time.Duration(criticalPath(benchShape(n))) * benchLatency
			var total benchRun
			b.ReportAllocs()
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				run, w := benchRotate(b, benchOptions(n, benchLatency), fmt.Sprintf("bench%d", i), true, benchPlanOptions(n))
				w.Close()
				total.wall += run.wall
				total.cpu += run.cpu
				total.split.product += run.split.product
				total.split.fakes += run.split.fakes
				total.calls += run.calls
			}
			avg := total.wall / time.Duration(b.N)
			b.ReportMetric(float64(bound.Milliseconds()), "bound-ms")
			b.ReportMetric(float64(avg)/float64(bound), "wall/bound")
			b.ReportMetric(float64(total.calls)/float64(b.N)/float64(n), "calls/cc")
			b.ReportMetric(float64(total.cpu.Milliseconds())/float64(b.N), "cpu-ms")
			b.ReportMetric(float64(total.split.product.Milliseconds())/float64(b.N), "product-cpu-ms")
			b.ReportMetric(float64(total.split.fakes.Milliseconds())/float64(b.N), "fakes-cpu-ms")
		})
	}
}

// BenchmarkSSOOutage rotates the default world (3 contact centers, 2 AWS
// accounts, one pinned app) with each strategy while one agent per contact
// center signs in every 5 ms, with 20 ms added to every API call, and
// reports the failed sign-ins and the window between the first and the last
// of them: the outage agents see.
func BenchmarkSSOOutage(b *testing.B) {
	for _, strategy := range []rotation.Strategy{rotation.StrategyDirect, rotation.StrategyOverlap} {
		b.Run("strategy="+string(strategy), func(b *testing.B) {
			var failures, attempts int
			var outage time.Duration
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				o := benchOptions(3, benchLatency)
				planOpts := append(benchPlanOptions(3), rotation.WithStrategy(strategy))
				w, err := sandbox.Start(context.Background(), o)
				if err != nil {
					b.Fatal(err)
				}
				probe := w.StartProbe(context.Background(), 5*time.Millisecond)
				plan, err := rotation.NewOrgPlan(w.IdP, w.RP, planOpts...)
				if err != nil {
					b.Fatal(err)
				}
				r, err := rotation.New(plan.Steps(), rotation.WithConfirm(w.PlayAdmin))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				err = r.Run(context.Background(), plan.NewState(fmt.Sprintf("sso%d", i)))
				b.StopTimer()
				probe.Stop()
				stats := probe.Stats()
				w.Close()
				if err != nil {
					b.Fatal(err)
				}
				failures += stats.Failures
				attempts += stats.Attempts
				outage += stats.Outage()
			}
			b.ReportMetric(float64(failures)/float64(b.N), "failed-sign-ins")
			b.ReportMetric(float64(attempts)/float64(b.N), "sign-ins")
			b.ReportMetric(float64(outage.Milliseconds())/float64(b.N), "outage-ms")
		})
	}
}
