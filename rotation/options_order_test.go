package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// TestOptionOrder checks the override order the package documents under
// "Option order": later options replace earlier ones and the defaults,
// except the ones that add.
func TestOptionOrder(t *testing.T) {
	t.Run("Option: the last manual timeout wins, observers add in order", func(t *testing.T) {
		var got []time.Duration
		var order []string
		obs := func(name string) rotation.Observer {
			return rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
				if e.Type == rotation.EventWaiting {
					order = append(order, name)
				}
			})
		}
		step := rotation.StepFunc("pin", "pin", func(context.Context, *rotation.State) error {
			return &rotation.ManualActionError{Action: "pin", Wait: func(context.Context) error { return nil }}
		}, nil)
		r, err := rotation.New([]rotation.Step{step},
			rotation.WithManualTimeout(time.Minute), rotation.WithObserver(obs("first")),
			rotation.WithManualTimeout(time.Hour), rotation.WithObserver(obs("second")),
			rotation.WithConfirm(func(_ context.Context, req rotation.ManualRequest) error {
				got = append(got, req.Timeout)
				return nil
			}))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
		assert.Equal(t, []time.Duration{time.Hour}, got, "the later WithManualTimeout overrides the earlier")
		assert.Equal(t, []string{"first", "second"}, order, "both observers, in the order added")
	})
	t.Run("Option: an invalid option fails New even when overridden", func(t *testing.T) {
		_, err := rotation.New([]rotation.Step{noop("a", nil)},
			rotation.WithManualTimeout(-time.Second), rotation.WithManualTimeout(time.Minute))
		require.ErrorIs(t, err, rotation.ErrInvalidInput)
	})
	t.Run("OrgOption: last wins over defaults and earlier; contact centers add", func(t *testing.T) {
		idp, rp := rotationtest.NewIdentityProvider(), rotationtest.NewRelyingParty()
		p, err := rotation.NewOrgPlan(idp, rp,
			rotation.WithConcurrency(2), rotation.WithConcurrency(8),
			rotation.WithStrategy(rotation.StrategyDirect), rotation.WithStrategy(rotation.StrategyOverlap),
			rotation.WithContactCenters("East"), rotation.WithContactCenters("West"))
		require.NoError(t, err)
		o := p.Options()
		assert.Equal(t, 8, o.Concurrency)
		assert.Equal(t, rotation.StrategyOverlap, o.Strategy)
		assert.Equal(t, []string{"East", "West"}, o.ContactCenters)
		assert.Equal(t, 1, o.Canary, "the default stays where nothing overrides it")
		assert.Equal(t, rotation.DefaultKeyBits, o.KeyBits)

		// An OrgOption is checked on the result: only the final value counts.
		_, err = rotation.NewOrgPlan(idp, rp, rotation.WithConcurrency(0), rotation.WithConcurrency(3))
		require.NoError(t, err)
	})
	t.Run("OrgOption: a nil clock keeps the earlier one", func(t *testing.T) {
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		errSleep := errors.New("sleep")
		p, err := rotation.NewOrgPlan(rotationtest.NewIdentityProvider(), rotationtest.NewRelyingParty(),
			rotation.WithOrgClock(func() time.Time { return at }, func(context.Context, time.Duration) error { return errSleep }),
			rotation.WithOrgClock(nil, nil))
		require.NoError(t, err)
		assert.Equal(t, at, p.Options().Now())
		assert.ErrorIs(t, p.Options().Sleep(t.Context(), time.Hour), errSleep)
	})
	t.Run("OrgOptionsFrom: options appended override the journaled ones", func(t *testing.T) {
		idp, rp := rotationtest.NewIdentityProvider(), rotationtest.NewRelyingParty()
		p, err := rotation.NewOrgPlan(idp, rp, rotation.WithConcurrency(2), rotation.WithAllowSHA1(true))
		require.NoError(t, err)
		opts, err := rotation.OrgOptionsFrom(p.NewState("r1"))
		require.NoError(t, err)
		again, err := rotation.NewOrgPlan(idp, rp, append(opts, rotation.WithConcurrency(6))...)
		require.NoError(t, err)
		assert.Equal(t, 6, again.Options().Concurrency, "appended after the journaled options, it wins")
		assert.True(t, again.Options().AllowSHA1, "what is not overridden comes from the journal")
	})
}

func ExampleNew_optionOrder() {
	step := rotation.StepFunc("noop", "does nothing", func(context.Context, *rotation.State) error { return nil }, nil)
	var seen []string
	obs := func(name string) rotation.Observer {
		return rotation.ObserverFunc(func(_ context.Context, e rotation.Event) {
			if e.Type == rotation.EventRotationSucceeded {
				seen = append(seen, name)
			}
		})
	}
	// Observers add up; the later WithLogger, WithClock… would replace the earlier.
	r, err := rotation.New([]rotation.Step{step}, rotation.WithObserver(obs("audit")), rotation.WithObserver(obs("progress")))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = r.Run(context.Background(), &rotation.State{})
	fmt.Println(seen)
	// Output: [audit progress]
}
