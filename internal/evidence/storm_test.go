package evidence

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// transientFaults are, per API operation, the faults a storm draws from:
// errors the real services answer when a call may succeed later.
//
// Salesforce answers REQUEST_LIMIT_EXCEEDED on its SOAP and REST APIs; on the
// plain-text endpoints (the per-app metadata, frontdoor.jsp, /idp/login) the
// fake would answer it as a bare HTTP 403, which no client can tell from a
// refusal, so those endpoints get SERVER_UNAVAILABLE (HTTP 503) only.
// ConcurrentModification is what IAM answers to UpdateSAMLProvider, not to a
// read.
var transientFaults = map[string][]fault{
	"iam GetSAMLProvider":    {{Code: "Throttling"}, {Code: "ServiceFailure"}},
	"iam UpdateSAMLProvider": {{Code: "Throttling"}, {Code: "ServiceFailure"}, {Code: "ConcurrentModification"}},
	"sf listMetadata":        {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf readMetadata":        {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf createMetadata":      {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf updateMetadata":      {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf deleteMetadata":      {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf query":               {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf tooling/query":       {{Code: "REQUEST_LIMIT_EXCEEDED"}, {Code: "SERVER_UNAVAILABLE"}},
	"sf metadata":            {{Code: "SERVER_UNAVAILABLE"}},
	"sf frontdoor":           {{Code: "SERVER_UNAVAILABLE"}},
	"sf idp/login":           {{Code: "SERVER_UNAVAILABLE"}},
}

// Storm settings: how many runs, how likely each call fails, and how often
// the backends send one request. The backends are the only retry layer for
// request errors (the engine does not run a step again for them), so they
// alone must ride out the storm: with each request sent up to 12 times, a
// request fails for good with probability 0.2^12 = 4.1e-9, and the ~9,000
// requests of a storm make a failed rotation about 4e-5 likely, while the
// worst case stays bounded at 12 sends of one request.
const (
	stormRuns        = 100
	stormFailureRate = 0.2
	stormAttempts    = 12
)

// TestTransientStorm runs 100 rotations, each with its own seed, in which
// every API call fails with a transient error with probability 20%. Every
// rotation must complete, with exactly one new certificate (no retry may
// create a second one) and the world fully rotated.
func TestTransientStorm(t *testing.T) {
	var (
		mu            sync.Mutex
		calls, faults int
	)
	start := time.Now()
	// The runs are independent worlds; two at a time keep both cores busy
	// while one waits on a backoff.
	t.Run("runs", func(t *testing.T) {
		for run := range stormRuns {
			seed := uint64(run + 1)
			t.Run(fmt.Sprintf("seed_%d", seed), func(t *testing.T) {
				t.Parallel()
				stormRun(t, seed, func(c, f int) {
					mu.Lock()
					calls += c
					faults += f
					mu.Unlock()
				})
			})
		}
	})
	t.Logf("storm: %d rotations completed in %s; %d API calls, %d of them failed transiently (%.1f%%)",
		stormRuns, time.Since(start).Round(time.Millisecond), calls, faults, 100*float64(faults)/float64(max(calls, 1)))
	require.Positive(t, faults)
}

// stormRun runs one rotation of the storm with seed and reports its call
// and fault counts.
func stormRun(t *testing.T, seed uint64, report func(calls, faults int)) {
	o := worldOptions()
	o.RequestAttempts = stormAttempts
	w := newWorld(t, o)
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed))
	injected := 0
	w.setInject(func(_ int, c apiCall) *fault {
		mu.Lock()
		defer mu.Unlock()
		fs := transientFaults[c.Service+" "+c.Op]
		if len(fs) == 0 || rng.Float64() >= stormFailureRate {
			return nil
		}
		injected++
		f := fs[rng.IntN(len(fs))]
		return &f
	})
	id := fmt.Sprintf("storm%d", seed)
	_, err := w.rotate(id, nil)
	require.NoError(t, err, "seed %d: the rotation must survive the storm", seed)
	state, problems := w.classify(id)
	require.Equal(t, "rotated", state, "seed %d: %v", seed, problems)
	require.Len(t, w.Snapshot().Org.Certificates, len(w.initial.Org.Certificates)+1, "seed %d: exactly one new certificate", seed)
	mu.Lock()
	defer mu.Unlock()
	report(len(w.callLog()), injected)
}
