// Package fanout runs independent calls with bounded concurrency, the way
// the rotation plan and the salesforce backend send requests that do not
// depend on each other.
package fanout

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Parallel calls fn for 0..n-1 with at most limit calls at once; the first
// error cancels the others' context and is returned. With a limit of 1 (or
// less) the calls run in order and stop at the first error, so the order of
// the requests they make is fixed.
func Parallel(ctx context.Context, limit, n int, fn func(ctx context.Context, i int) error) error {
	if limit <= 1 || n <= 1 {
		for i := range n {
			if err := fn(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i := range n {
		g.Go(func() error { return fn(gctx, i) })
	}
	return g.Wait()
}

// All runs fns as Parallel does.
func All(ctx context.Context, limit int, fns ...func(ctx context.Context) error) error {
	return Parallel(ctx, limit, len(fns), func(ctx context.Context, i int) error { return fns[i](ctx) })
}
