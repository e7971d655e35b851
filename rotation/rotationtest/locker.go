package rotationtest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// LockerHarness is what TestLocker needs of a rotation.Locker under test.
type LockerHarness struct {
	// Locker is the locker under test. Other is a second locker of the
	// same store, as another process (or machine) would build it: it must
	// see Locker's locks and Locker its.
	Locker, Other rotation.Locker
	// Keys are keys both must accept: those rotation.OrgPlan.LockKeys
	// returns for a plan of the backend (the org and every trust). Give at
	// least two.
	Keys []string
	// Exclusive says that two Lock calls racing for one key never both
	// succeed. A locker without compare-and-swap (aws.TagLocker) leaves it
	// false; the race subtest then checks only that one of them succeeds
	// and that every refusal matches rotation.ErrLocked.
	Exclusive bool
}

// raceRounds is how many times the race subtest lets the two lockers race.
const raceRounds = 20

// TestLocker is the conformance suite of rotation.Locker. newLocker is
// called once per subtest and must return lockers of a store in which no
// key is held; a subtest releases every lock it takes.
func TestLocker(t *testing.T, newLocker func(t *testing.T) LockerHarness) {
	t.Helper()
	t.Run("EveryPlanKey", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		require.GreaterOrEqual(t, len(h.Keys), 2, "the harness gives a plan's keys: the org and at least one trust")
		var held []rotation.Lock
		for _, k := range h.Keys {
			l, err := h.Locker.Lock(ctx, k)
			require.NoError(t, err, "a plan's key %q must be accepted", k)
			require.NotNil(t, l, "Lock(%q) returned no lock and no error", k)
			held = append(held, l)
		}
		for i, l := range held {
			assert.NoError(t, l.Unlock(ctx), "unlock %q", h.Keys[i])
		}
	})
	t.Run("Excludes", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		for _, k := range h.Keys {
			l, err := h.Locker.Lock(ctx, k)
			require.NoError(t, err, k)
			for name, other := range map[string]rotation.Locker{"another locker": h.Other, "the same locker": h.Locker} {
				got, err := other.Lock(ctx, k)
				assert.ErrorIs(t, err, rotation.ErrLocked, "%s locking the held key %q", name, k)
				assert.Nil(t, got, "a refused Lock(%q) returns no lock", k)
			}
			require.NoError(t, l.Unlock(ctx), k)
		}
	})
	t.Run("KeysIndependent", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		first, err := h.Locker.Lock(ctx, h.Keys[0])
		require.NoError(t, err)
		for _, k := range h.Keys[1:] {
			l, err := h.Other.Lock(ctx, k)
			if assert.NoError(t, err, "holding %q must not lock %q", h.Keys[0], k) {
				assert.NoError(t, l.Unlock(ctx))
			}
		}
		require.NoError(t, first.Unlock(ctx))
	})
	t.Run("UnlockReleases", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		for _, k := range h.Keys {
			l, err := h.Locker.Lock(ctx, k)
			require.NoError(t, err, k)
			require.NoError(t, l.Unlock(ctx), k)
			assert.NoError(t, l.Unlock(ctx), "unlocking %q twice is not an error", k)
			again, err := h.Other.Lock(ctx, k)
			if assert.NoError(t, err, "%q is free once unlocked", k) {
				assert.NoError(t, again.Unlock(ctx))
			}
		}
	})
	t.Run("RefusalChangesNothing", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		for _, k := range h.Keys {
			l, err := h.Locker.Lock(ctx, k)
			require.NoError(t, err, k)
			_, err = h.Other.Lock(ctx, k)
			require.ErrorIs(t, err, rotation.ErrLocked, k)
			_, err = h.Other.Lock(ctx, k)
			assert.ErrorIs(t, err, rotation.ErrLocked, "a refused Lock(%q) must not release or take over the held lock", k)
			assert.NoError(t, l.Unlock(ctx), "the holder still holds %q after a refusal", k)
		}
	})
	t.Run("EmptyKey", func(t *testing.T) {
		h := newLocker(t)
		l, err := h.Locker.Lock(t.Context(), "")
		assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.Nil(t, l)
	})
	t.Run("CancelledContext", func(t *testing.T) {
		h := newLocker(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		l, err := h.Locker.Lock(ctx, h.Keys[0])
		assert.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, l)
		got, err := h.Other.Lock(t.Context(), h.Keys[0])
		if assert.NoError(t, err, "a cancelled Lock holds nothing") {
			assert.NoError(t, got.Unlock(t.Context()))
		}
	})
	t.Run("Race", func(t *testing.T) {
		h, ctx := newLocker(t), t.Context()
		for range raceRounds {
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				won  []rotation.Lock
				errs []error
			)
			for _, l := range []rotation.Locker{h.Locker, h.Other} {
				wg.Go(func() {
					got, err := l.Lock(ctx, h.Keys[0])
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
					} else {
						won = append(won, got)
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.ErrorIs(t, err, rotation.ErrLocked, "a lost race is a refusal")
			}
			require.NotEmpty(t, won, "one of two racing Lock calls succeeds")
			if h.Exclusive {
				require.Len(t, won, 1, "two racing Lock calls both succeeded")
			}
			var uerr error
			for _, l := range won {
				uerr = errors.Join(uerr, l.Unlock(ctx))
			}
			if !h.Exclusive && len(won) > 1 {
				// Both wrote: the one whose tag remains releases it.
				uerr = nil
			}
			require.NoError(t, uerr)
		}
	})
}
