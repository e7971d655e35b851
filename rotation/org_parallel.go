package rotation

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"

	"github.com/voicecert/voicecert/internal/fanout"
)

// parallel calls fn for items 0..n-1 with at most Concurrency calls at
// once, for reads that may all go out together (no canary); see
// fanout.Parallel.
func (e *orgEnv) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return fanout.Parallel(ctx, e.opts.Concurrency, n, fn)
}

// all runs fns as parallel does.
func (e *orgEnv) all(ctx context.Context, fns ...func(ctx context.Context) error) error {
	return fanout.All(ctx, e.opts.Concurrency, fns...)
}

// fanOut runs fn for items 0..n-1: the first Canary items one at a time,
// then the rest with bounded concurrency. The first error stops the rest.
func (e *orgEnv) fanOut(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	canary := min(e.opts.Canary, n)
	for i := range canary {
		if err := fn(ctx, i); err != nil {
			return err
		}
	}
	return e.parallel(ctx, n-canary, func(ctx context.Context, i int) error { return fn(ctx, canary+i) })
}

// each runs fn for every item with bounded concurrency, never stopping early,
// and joins the errors (rollback wants every item tried).
func (e *orgEnv) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(e.opts.Concurrency)
	for i := range n {
		g.Go(func() error { errs[i] = fn(ctx, i); return nil })
	}
	_ = g.Wait()
	return joinManualAware(errs)
}

// joinManualAware joins errs, keeping manual actions as one
// *ManualActionError when they are the only errors.
func joinManualAware(errs []error) error {
	var manual []*ManualActionError
	var other []error
	for _, err := range errs {
		var m *ManualActionError
		switch {
		case err == nil:
		case errors.As(err, &m):
			manual = append(manual, m)
		default:
			other = append(other, err)
		}
	}
	if len(other) > 0 {
		return errors.Join(other...)
	}
	return joinManual(manual)
}
