package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce/sftest"
	"github.com/voicecert/voicecert/samlmeta"
)

func start(t *testing.T, o sandbox.Options) *sandbox.World {
	t.Helper()
	w, err := sandbox.Start(t.Context(), o)
	require.NoError(t, err)
	t.Cleanup(w.Close)
	return w
}

func rotate(t *testing.T, w *sandbox.World, strategy rotation.Strategy, opts ...rotation.Option) (*rotation.State, error) {
	t.Helper()
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithStrategy(strategy), rotation.WithKeyBits(2048))
	require.NoError(t, err)
	opts = append([]rotation.Option{rotation.WithConfirm(w.PlayAdmin), rotation.WithRetry(4, time.Millisecond, 10*time.Millisecond)}, opts...)
	r, err := rotation.New(plan.Steps(), opts...)
	require.NoError(t, err)
	st := plan.NewState("sandbox-test")
	return st, r.Run(t.Context(), st)
}

func TestSeededWorldSignsIn(t *testing.T) {
	w := start(t, sandbox.Options{})
	require.Len(t, w.ContactCenters, 3)
	assert.True(t, w.ContactCenters[2].Pinned)
	assert.NotEqual(t, w.ContactCenters[0].Account, w.ContactCenters[1].Account)
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
	ccs, err := w.IdP.ContactCenters(t.Context())
	require.NoError(t, err)
	require.Len(t, ccs, 3)
	sig, err := w.IdP.SigningState(t.Context())
	require.NoError(t, err)
	a, ok := sig.App(w.ContactCenters[2].App)
	require.True(t, ok)
	assert.True(t, a.Pinned)
}

func TestOverlapKeepsSignInUpDirectDoesNot(t *testing.T) {
	for _, tc := range []struct {
		strategy     rotation.Strategy
		wantFailures bool
	}{{rotation.StrategyOverlap, false}, {rotation.StrategyDirect, true}} {
		t.Run(string(tc.strategy), func(t *testing.T) {
			// Enough latency that the direct strategy's window spans
			// several probe attempts.
			w := start(t, sandbox.Options{Latency: 5 * time.Millisecond})
			probe := w.StartProbe(t.Context(), 2*time.Millisecond)
			st, err := rotate(t, w, tc.strategy)
			attempts, failures, first := probe.Stop()
			require.NoError(t, err)
			require.Positive(t, attempts)
			stats := probe.Stats()
			assert.Equal(t, failures, stats.Failures)
			if tc.wantFailures {
				assert.Positive(t, failures, "the seed's order breaks sign-in for a while")
				assert.False(t, stats.FirstFailed.IsZero())
				assert.False(t, stats.LastFailed.Before(stats.FirstFailed))
				if failures > 1 {
					assert.Positive(t, stats.Outage(), "the window from the first to the last failed sign-in")
				}
			} else {
				assert.Zero(t, failures, "first failure: %s", first)
				assert.Zero(t, stats.Outage())
			}
			snap := w.Snapshot()
			assert.Equal(t, st.New.Name, snap.Org.DefaultCertificate)
			for app, cert := range snap.Org.AppCertificates {
				assert.Equal(t, st.New.Name, cert, app)
			}
			for arn, doc := range snap.IAM {
				md, err := samlmeta.Parse([]byte(doc))
				require.NoError(t, err)
				certs, err := md.SigningCertificates()
				require.NoError(t, err)
				require.Len(t, certs, 1, arn)
				assert.Equal(t, st.New.SHA256, certs[0].SHA256)
			}
			for _, cc := range w.ContactCenters {
				require.NoError(t, w.Login(t.Context(), cc))
			}
		})
	}
}

// A failure in any one step of the demo's rotation leaves both fakes exactly
// as they were.
func TestFailureInAnyStepRestoresTheSandbox(t *testing.T) {
	w0 := start(t, sandbox.Options{})
	plan, err := rotation.NewOrgPlan(w0.IdP, w0.RP)
	require.NoError(t, err)
	for _, s := range plan.Steps() {
		t.Run(s.Name(), func(t *testing.T) {
			w := start(t, sandbox.Options{})
			before := w.Snapshot()
			fail := rotation.StepFunc("fail", "", func(context.Context, *rotation.State) error {
				return rotation.Permanent(errors.New("injected after " + s.Name()))
			}, nil)
			_, err := rotate(t, w, rotation.StrategyOverlap, rotation.WithStepAfter(s.Name(), fail))
			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			assert.True(t, re.RolledBack, "%v", err)
			assert.Equal(t, before, w.Snapshot())
			for _, cc := range w.ContactCenters {
				require.NoError(t, w.Login(t.Context(), cc), fmt.Sprintf("%s signs in after rollback", cc.Name))
			}
		})
	}
}

// With a concurrency of 1 the salesforce backend sends one request at a
// time in a fixed order, so that a test can name a call by its index; with
// more it sends the same requests, some at once.
func TestConcurrencyOneFixesTheCallOrder(t *testing.T) {
	calls := func(concurrency int) []string {
		w := start(t, sandbox.Options{Concurrency: concurrency})
		_, err := w.IdP.SigningState(t.Context())
		require.NoError(t, err)
		var out []string
		for _, c := range w.Org.Calls() {
			out = append(out, c.Op+" "+c.Target)
		}
		return out
	}
	first := calls(1)
	require.Equal(t, first, calls(1))
	require.Equal(t, first, calls(1))
	assert.ElementsMatch(t, first, calls(8), "the same requests")
}

// The salesforce backend's connections to the fake org are kept for reuse:
// a second fan-out of many requests at once opens (almost) no new
// connection.
func TestOrgConnectionsAreReused(t *testing.T) {
	const apps = 12
	w := start(t, sandbox.Options{ContactCenters: apps, Pinned: -1, Concurrency: 2 * apps})
	// Each read holds the apps' metadata requests at the org until all of
	// them are in flight, so each needs a connection of its own: the first
	// read opens at least that many, and the second finds them idle.
	round := newHeldRound(apps)
	w.Org.SetHook(func(c sftest.Call) *sftest.Fault {
		if c.Op == "metadata" {
			round.hold()
		}
		return nil
	})
	conns := newConnLog()
	ctx := conns.trace(t.Context())
	_, err := w.IdP.SigningState(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, conns.opened(1), apps, "the held requests were in flight at once, each on its own connection")

	round.next()
	conns.nextRound()
	_, err = w.IdP.SigningState(ctx)
	require.NoError(t, err)
	// The second read's other requests may run beside the held ones, and
	// so need a connection or two more than the first read kept.
	assert.LessOrEqual(t, conns.opened(2), 2, "the second read of %d apps at once reuses the first's connections", apps)
	assert.GreaterOrEqual(t, conns.reused(), apps-2, "the first read's connections were kept")
}

// A second backend of the org shares no in-flight read with the first: a
// read that hangs in one does not hang the other.
func TestNewIdPSharesNoRead(t *testing.T) {
	w := start(t, sandbox.Options{})
	release := make(chan struct{})
	hung := make(chan struct{})
	var first atomic.Bool
	w.Org.SetHook(func(c sftest.Call) *sftest.Fault {
		if c.Op == "readMetadata" && strings.HasPrefix(c.Target, "IdentityProviderSettings") && first.CompareAndSwap(false, true) {
			close(hung)
			<-release
		}
		return nil
	})
	done := make(chan error, 1)
	go func() { _, err := w.IdP.SigningState(t.Context()); done <- err }()
	<-hung
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	st, err := w.NewIdP().SigningState(ctx)
	require.NoError(t, err, "the second backend reads for itself")
	assert.Len(t, st.Apps, 3)
	close(release)
	require.NoError(t, <-done)
}

// Any number of accounts gets distinct 12-digit account ids, each with its
// provider.
func TestManyAccounts(t *testing.T) {
	w := start(t, sandbox.Options{ContactCenters: 12, Accounts: 12, Pinned: -1})
	require.Len(t, w.Accounts, 12)
	seen := map[string]bool{}
	for _, a := range w.Accounts {
		assert.Regexp(t, `^[0-9]{12}$`, a)
		assert.False(t, seen[a], a)
		seen[a] = true
	}
	assert.Len(t, w.Snapshot().IAM, 12, "a provider per account")
}
