package rotation

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// parallel calls fn for items 0..n-1 with at most Concurrency calls at
// once, for reads that may all go out together (no canary). The first
// error cancels the others' context and is returned. With a concurrency of
// 1 the calls run in order and stop at the first error.
func (p *OrgPlan) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if p.opts.Concurrency <= 1 || n <= 1 {
		for i := range n {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.opts.Concurrency)
	for i := range n {
		g.Go(func() error { return fn(gctx, i) })
	}
	return g.Wait()
}

// all runs fns as parallel does.
func (p *OrgPlan) all(ctx context.Context, fns ...func(ctx context.Context) error) error {
	return p.parallel(ctx, len(fns), func(ctx context.Context, i int) error { return fns[i](ctx) })
}
