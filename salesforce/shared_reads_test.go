package salesforce_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// gate holds the first request for one operation and target at the org
// until released, and tells when it has arrived: a test then knows that a
// caller's request is in flight instead of sleeping and hoping.
type gate struct {
	arrived, release chan struct{}
	once             sync.Once
	mu               sync.Mutex
	seen             int
}

func holdFirst(org *sftest.Org, op, target string) *gate {
	g := &gate{arrived: make(chan struct{}), release: make(chan struct{})}
	org.SetHook(func(c sftest.Call) *sftest.Fault {
		if c.Op != op || c.Target != target {
			return nil
		}
		g.mu.Lock()
		g.seen++
		first := g.seen == 1
		g.mu.Unlock()
		if first {
			close(g.arrived)
			<-g.release
		}
		return nil
	})
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }

func (g *gate) requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// waitOrFail waits for ch with a deadline, so that a broken merge fails
// the test instead of hanging it.
func waitOrFail[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// waitForCallers waits until n goroutines are inside the function whose
// stack frame contains frame, failing the test after a deadline.
func waitForCallers(t *testing.T, frame string, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	deadline := time.Now().Add(10 * time.Second)
	for {
		stacks := string(buf[:runtime.Stack(buf, true)])
		if strings.Count(stacks, frame) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d goroutines in %s", n, frame)
		}
		runtime.Gosched()
	}
}

// Two discoveries asked for at once are one: the second shares the first's
// answer (as do concurrent reads of the IdP setting or of one certificate).
// When the caller whose context runs it gives up, the other discovers again.
func TestConcurrentDiscoveriesAreMerged(t *testing.T) {
	sb := newSandbox(t)
	p := providerWith(t, sb, 8)

	t.Run("merged", func(t *testing.T) {
		g := holdFirst(sb.org, "listMetadata", "CallCenter")
		defer g.open()
		type result struct {
			ccs []rotation.ContactCenter
			err error
		}
		results := make(chan result, 2)
		discover := func() {
			ccs, err := p.ContactCenters(ctxT(t))
			results <- result{ccs, err}
		}
		go discover()
		waitOrFail(t, g.arrived, "the first discovery's request")
		// The first discovery is now held at the org: a second caller can
		// only share it or send a request of its own, which the org counts.
		go discover()
		// Release the held request only once both callers wait in the
		// shared call; had the second not joined, it would have sent a
		// request of its own, which the org counts.
		waitForCallers(t, "salesforce.shared[...](", 2)
		g.open()
		a, b := waitOrFail(t, results, "the first result"), waitOrFail(t, results, "the second result")
		require.NoError(t, a.err)
		require.NoError(t, b.err)
		assert.Equal(t, 1, g.requests(), "one discovery for both")
		assert.Equal(t, a.ccs, b.ccs)
		assert.Len(t, a.ccs, len(sb.centers))
	})

	t.Run("the other caller goes on when the first gives up", func(t *testing.T) {
		g := holdFirst(sb.org, "listMetadata", "CallCenter")
		defer g.open()
		gaveUp, cancel := context.WithCancel(ctxT(t))
		first := make(chan error, 1)
		go func() { _, err := p.ContactCenters(gaveUp); first <- err }()
		waitOrFail(t, g.arrived, "the first discovery's request")
		type result struct {
			ccs []rotation.ContactCenter
			err error
		}
		second := make(chan result, 1)
		go func() { ccs, err := p.ContactCenters(ctxT(t)); second <- result{ccs, err} }()
		cancel()
		require.ErrorIs(t, waitOrFail(t, first, "the first caller"), context.Canceled)
		g.open()
		r := waitOrFail(t, second, "the second caller")
		require.NoError(t, r.err, "the second caller did not give up")
		assert.Len(t, r.ccs, len(sb.centers))
		assert.Equal(t, 2, g.requests(), "the abandoned discovery, then the second caller's own")
	})
}

// Switching many apps at once, as a rotation's activation does, reads the
// IdP setting and the target certificate once for all of them, not once
// per app.
func TestConcurrentAppSwitchesShareTheirReads(t *testing.T) {
	sb := newSandbox(t)
	manyCenters(sb.org, 12)
	p := providerWith(t, sb, 16)
	ctx := ctxT(t)
	newCert, err := p.CreateCertificate(ctx, rotationSpec("SCV_IdP_Shared"))
	require.NoError(t, err)
	require.NoError(t, p.SetDefaultCertificate(ctx, newCert.Name))
	ccs, err := p.ContactCenters(ctx)
	require.NoError(t, err)

	f := watchInFlight(sb.org, 30*time.Millisecond)
	var wg sync.WaitGroup
	manual := 0
	var mu sync.Mutex
	for _, cc := range ccs {
		if cc.App.Name == "" {
			continue
		}
		wg.Go(func() {
			err := p.SetAppCertificate(ctx, cc.App, newCert.Name)
			var mae *rotation.ManualActionError
			mu.Lock()
			defer mu.Unlock()
			if errors.As(err, &mae) {
				manual++
				return
			}
			assert.NoError(t, err, cc.App.Name)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, manual, "only the pinned app needs a person")
	count := func(call string) int {
		n := 0
		for _, c := range f.calls() {
			if c == call {
				n++
			}
		}
		return n
	}
	apps := len(ccs)
	metadata := 0
	for _, c := range f.calls() {
		if strings.HasPrefix(c, "metadata ") {
			metadata++
		}
	}
	assert.Equal(t, apps, metadata, "every app's own metadata is read")
	assert.LessOrEqual(t, count("readMetadata IdentityProviderSettings/IdentityProvider"), 3, "the setting is read once for %d apps", apps)
	assert.LessOrEqual(t, count("readMetadata Certificate/"+newCert.Name), 3, "the certificate is read once for %d apps", apps)
}
