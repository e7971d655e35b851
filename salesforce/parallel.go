package salesforce

import (
	"context"
	"errors"

	"github.com/voicecert/voicecert/internal/fanout"
	"golang.org/x/sync/singleflight"
)

// DefaultConcurrency is how many requests one operation of the package
// sends at once when Options.Concurrency is 0.
const DefaultConcurrency = 4

// concurrent reports whether operations may send requests at once; with a
// concurrency of 1 every request is sent after the previous one answered,
// in a fixed order.
func (c *Client) concurrent() bool { return c.opts.Concurrency > 1 }

// parallel calls fn for 0..n-1 with at most Options.Concurrency calls at
// once; see fanout.Parallel.
func (c *Client) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return fanout.Parallel(ctx, c.opts.Concurrency, n, fn)
}

// all runs fns as parallel does.
func (c *Client) all(ctx context.Context, fns ...func(ctx context.Context) error) error {
	return fanout.All(ctx, c.opts.Concurrency, fns...)
}

// shared runs fn once for every caller that asks for key while it runs
// (singleflight): concurrent identical reads, as a rotation's fan-outs make,
// become one request. Each caller gets the same answer; a caller whose
// context is still alive when the caller whose context ran fn gave up runs
// fn again.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	for tries := 0; ; tries++ {
		ch := g.DoChan(key, func() (any, error) { return fn(ctx) })
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case r := <-ch:
			if r.Shared && ctx.Err() == nil && tries < 3 && (errors.Is(r.Err, context.Canceled) || errors.Is(r.Err, context.DeadlineExceeded)) {
				continue
			}
			v, _ := r.Val.(T)
			return v, r.Err
		}
	}
}
