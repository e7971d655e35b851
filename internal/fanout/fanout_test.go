package fanout_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/internal/fanout"
)

func TestParallelSequentialKeepsOrderAndStops(t *testing.T) {
	var got []int
	boom := errors.New("boom")
	err := fanout.Parallel(t.Context(), 1, 5, func(_ context.Context, i int) error {
		got = append(got, i)
		if i == 2 {
			return boom
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []int{0, 1, 2}, got)
}

func TestParallelBoundsConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[int]bool{}
	err := fanout.Parallel(t.Context(), 3, 12, func(_ context.Context, i int) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // long enough that the calls started together overlap
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		return nil
	})
	require.NoError(t, err)
	assert.Len(t, seen, 12)
	assert.LessOrEqual(t, peak.Load(), int32(3))
	assert.Greater(t, peak.Load(), int32(1), "calls overlapped")
}

func TestParallelFirstErrorCancelsTheRest(t *testing.T) {
	boom := errors.New("boom")
	err := fanout.Parallel(t.Context(), 4, 4, func(ctx context.Context, i int) error {
		if i == 0 {
			return boom
		}
		<-ctx.Done()
		return ctx.Err()
	})
	require.ErrorIs(t, err, boom)
}

func TestAll(t *testing.T) {
	var a, b atomic.Bool
	require.NoError(t, fanout.All(t.Context(), 2,
		func(context.Context) error { a.Store(true); return nil },
		func(context.Context) error { b.Store(true); return nil }))
	assert.True(t, a.Load() && b.Load())
}
