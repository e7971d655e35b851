package rotation

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/voicecert/voicecert/internal/fanout"
)

// parallel calls fn for items 0..n-1 with at most Concurrency calls at
// once, for reads that may all go out together (no canary); see
// fanout.Parallel.
func (p *OrgPlan) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return fanout.Parallel(ctx, p.opts.Concurrency, n, fn)
}

// all runs fns as parallel does.
func (p *OrgPlan) all(ctx context.Context, fns ...func(ctx context.Context) error) error {
	return fanout.All(ctx, p.opts.Concurrency, fns...)
}

// reuseSignInsFor is how old the sign-ins of a passed verification may be
// for retirement to rely on what they proved instead of signing in anew.
const reuseSignInsFor = time.Minute

// recentSignIns keeps, in memory, what the sign-ins of the last
// verification that passed proved (the certificate that verified each
// Response and its Issuer; never a Response), for reuseSignInsFor; take
// hands it out once.
type recentSignIns struct {
	mu      sync.Mutex
	id      string
	apps    []AppRef
	at      time.Time
	signIns []signIn
}

func (r *recentSignIns) keep(st *State, now time.Time, signIns []signIn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.id, r.apps, r.at, r.signIns = st.ID, appsOf(st), now, signIns
}

// take returns the kept sign-ins if they are st's, for the same apps, and
// recent; nil otherwise. Either way they are forgotten.
func (r *recentSignIns) take(st *State, now time.Time) []signIn {
	r.mu.Lock()
	defer r.mu.Unlock()
	signIns := r.signIns
	ok := signIns != nil && r.id == st.ID && slices.Equal(r.apps, appsOf(st)) &&
		!now.Before(r.at) && now.Sub(r.at) < reuseSignInsFor
	r.id, r.apps, r.at, r.signIns = "", nil, time.Time{}, nil
	if !ok {
		return nil
	}
	return signIns
}

func appsOf(st *State) []AppRef {
	apps := make([]AppRef, len(st.ContactCenters))
	for i, c := range st.ContactCenters {
		apps[i] = c.App
	}
	return apps
}
