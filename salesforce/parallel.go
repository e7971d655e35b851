package salesforce

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// DefaultConcurrency is how many requests one operation of the package
// sends at once when Options.Concurrency is 0.
const DefaultConcurrency = 4

// concurrent reports whether operations may send requests at once; with a
// concurrency of 1 every request is sent after the previous one answered,
// in a fixed order.
func (c *Client) concurrent() bool { return c.opts.Concurrency > 1 }

// parallel calls fn for 0..n-1 with at most Options.Concurrency calls at
// once; the first error cancels the others' context and is returned. With a
// concurrency of 1 the calls run in order and stop at the first error.
func (c *Client) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if !c.concurrent() || n <= 1 {
		for i := range n {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	for i := range n {
		g.Go(func() error { return fn(gctx, i) })
	}
	return g.Wait()
}

// all runs fns as parallel does.
func (c *Client) all(ctx context.Context, fns ...func(ctx context.Context) error) error {
	return c.parallel(ctx, len(fns), func(ctx context.Context, i int) error { return fns[i](ctx) })
}
