package temporal

import (
	"context"
	"errors"
	"fmt"
	"slices"

	sdktemporal "go.temporal.io/sdk/temporal"

	"github.com/voicecert/voicecert/rotation"
)

// SlotLockPrefix starts the lock keys of the fleet's slots: a rotation of a
// request with MaxInFlight n holds one of the keys SlotLockPrefix+"0" to
// SlotLockPrefix+(n-1) for its whole run.
const SlotLockPrefix = "fleet-slot:"

// LockInput is the input of the Lock activity.
type LockInput struct {
	// Keys are the rotation's lock keys (the CLI's: see
	// rotation.OrgPlan.LockKeys).
	Keys []string `json:"keys"`
	// Slots, when positive, is how many fleet slots there are.
	Slots int `json:"slots,omitempty"`
}

// Held is what the Lock activity took: each key and its holder's nonce.
type Held struct {
	Keys   []string `json:"keys,omitempty"`
	Nonces []string `json:"nonces,omitempty"`
}

// Lock takes a fleet slot (when in.Slots is positive), then every key in
// sorted order, as the CLI does. A key held by someone else fails the
// activity with ErrTypeLocked, not retried; every slot taken fails it with
// ErrTypeNoSlot, retried until one is free. What it took is released when
// it fails.
func (a *Activities) Lock(ctx context.Context, in LockInput) (Held, error) {
	l := a.opts.Locker
	if l == nil {
		if in.Slots > 0 {
			return Held{}, appError(fmt.Errorf("temporal: a bound on rotations in flight needs a Locker: %w", rotation.ErrInvalidInput))
		}
		return Held{}, nil
	}
	var held Held
	var locks []rotation.Lock
	release := func() {
		for i := len(locks) - 1; i >= 0; i-- {
			_ = locks[i].Unlock(context.WithoutCancel(ctx))
		}
	}
	take := func(key string) error {
		lk, err := l.Lock(ctx, key)
		if err != nil {
			return err
		}
		locks = append(locks, lk)
		h, err := l.Holder(key)
		if err != nil {
			return err
		}
		held.Keys, held.Nonces = append(held.Keys, key), append(held.Nonces, h.Nonce)
		return nil
	}
	if in.Slots > 0 {
		got := false
		for i := 0; i < in.Slots && !got; i++ {
			err := take(fmt.Sprintf("%s%d", SlotLockPrefix, i))
			switch {
			case err == nil:
				got = true
			case !errors.Is(err, rotation.ErrLocked):
				release()
				return Held{}, appError(err)
			}
		}
		if !got {
			return Held{}, sdktemporal.NewApplicationError(fmt.Sprintf("temporal: all %d fleet slots are taken", in.Slots), ErrTypeNoSlot)
		}
	}
	keys := slices.Clone(in.Keys)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := take(k); err != nil {
			release()
			return Held{}, appError(err)
		}
	}
	return held, nil
}

// Unlock releases what Lock took: each key still held by the same holder
// (by nonce) is broken, so any worker can release it. A key that someone
// else holds now is left alone.
func (a *Activities) Unlock(_ context.Context, h Held) error {
	l := a.opts.Locker
	if l == nil {
		return nil
	}
	var errs []error
	for i := len(h.Keys) - 1; i >= 0; i-- {
		cur, err := l.Holder(h.Keys[i])
		switch {
		case errors.Is(err, rotation.ErrNotFound):
			continue
		case err != nil:
			errs = append(errs, err)
		case cur.Nonce == h.Nonces[i]:
			errs = append(errs, l.Break(h.Keys[i]))
		}
	}
	return errors.Join(errs...)
}
