package temporal

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// recorder is an observer that keeps every event and the most rotations
// in flight at once (started, not yet succeeded or rolled back).
type recorder struct {
	mu        sync.Mutex
	events    []rotation.Event
	inFlight  int
	maxFlight int
}

func (r *recorder) Observe(_ context.Context, e rotation.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	switch e.Type {
	case rotation.EventRotationStarted:
		r.inFlight++
		r.maxFlight = max(r.maxFlight, r.inFlight)
	case rotation.EventRotationSucceeded, rotation.EventRotationRolledBack:
		r.inFlight--
	}
}

// steps returns the steps of the events of type typ, in order.
func (r *recorder) steps(typ rotation.EventType) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e.Step)
		}
	}
	return out
}

func (r *recorder) first(typ rotation.EventType) *rotation.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.events, func(e rotation.Event) bool { return e.Type == typ })
	if i < 0 {
		return nil
	}
	e := r.events[i]
	return &e
}

func startWorld(t *testing.T, o sandbox.Options) *sandbox.World {
	t.Helper()
	w, err := sandbox.Start(context.Background(), o)
	require.NoError(t, err)
	t.Cleanup(w.Close)
	return w
}

// orgsOf resolves org ids to the backends of sandbox worlds.
func orgsOf(worlds map[string]*sandbox.World) Orgs {
	return func(_ context.Context, org string) (rotation.IdentityProvider, rotation.RelyingParty, error) {
		w, ok := worlds[org]
		if !ok {
			return nil, nil, rotation.ErrNotFound
		}
		return w.IdP, w.RP, nil
	}
}

// planWithSoak is the default plan with a soak.
func planWithSoak(soak string) *rotation.PlanOptions {
	d, err := time.ParseDuration(soak)
	if err != nil {
		panic(err)
	}
	return &rotation.PlanOptions{Strategy: rotation.StrategyOverlap, KeyBits: rotation.DefaultKeyBits, LabelTemplate: rotation.DefaultLabelTemplate,
		Soak: d, Canary: 1, Concurrency: 4}
}

// verified checks the world's org against its relying parties, sign-ins
// included.
func verified(t *testing.T, w *sandbox.World) {
	t.Helper()
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP)
	require.NoError(t, err)
	v, err := plan.Verify(context.Background())
	require.NoError(t, err)
	require.True(t, v.OK(), "%v", v.Problems)
}
