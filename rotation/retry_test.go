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
)

// notPropagated is a backend's own error for a change not served yet.
type notPropagated struct{}

func (notPropagated) Error() string        { return "not served yet" }
func (notPropagated) Is(target error) bool { return target == rotation.ErrNotPropagated }

// says is a StepRetrier with a fixed answer.
type says bool

func (s says) Error() string   { return fmt.Sprintf("says %v", bool(s)) }
func (s says) RetryStep() bool { return bool(s) }

func TestShouldRetryStep(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":                       {nil, false},
		"plain":                     {errors.New("x"), false},
		"transient request":         {rotation.Transient(errors.New("503")), false},
		"marked":                    {rotation.RetryStep(errors.New("x")), true},
		"marked and wrapped":        {fmt.Errorf("step: %w", rotation.RetryStep(errors.New("x"))), true},
		"marked transient":          {rotation.RetryStep(rotation.Transient(errors.New("x"))), true},
		"not propagated":            {fmt.Errorf("trust: %w", notPropagated{}), true},
		"not propagated sentinel":   {rotation.ErrNotPropagated, true},
		"verification disagrees":    {rotation.Transient(&rotation.VerifyError{Problems: []string{"p"}}), true},
		"a StepRetrier saying no":   {says(false), false},
		"a StepRetrier saying yes":  {says(true), true},
		"permanent wins":            {rotation.Permanent(rotation.RetryStep(errors.New("x"))), false},
		"permanent inside wins":     {rotation.RetryStep(rotation.Permanent(errors.New("x"))), false},
		"cancelled":                 {rotation.RetryStep(context.Canceled), false},
		"deadline":                  {fmt.Errorf("%w: %w", rotation.ErrNotPropagated, context.DeadlineExceeded), false},
		"joined with a marked one":  {errors.Join(errors.New("a"), rotation.RetryStep(errors.New("b"))), true},
		"manual action is no retry": {&rotation.ManualActionError{Action: "x"}, false},
	}
	for name, c := range cases {
		assert.Equal(t, c.want, rotation.ShouldRetryStep(c.err), name)
	}
	assert.NoError(t, rotation.RetryStep(nil))
	inner := errors.New("inner")
	assert.ErrorIs(t, rotation.RetryStep(inner), inner)
	assert.EqualError(t, rotation.RetryStep(inner), "inner")
}

// A step that fails with a request error its backend already retried is
// not run again: before, a transient error was retried DefaultMaxAttempts
// times, multiplying the backend's own attempts.
func TestEngineLeavesRequestRetriesToBackends(t *testing.T) {
	for name, c := range map[string]struct {
		err   error
		calls int
	}{
		"transient request": {rotation.Transient(errors.New("SERVER_UNAVAILABLE")), 1},
		"not propagated":    {notPropagated{}, rotation.DefaultMaxAttempts},
		"verification":      {&rotation.VerifyError{Problems: []string{"IAM serves the old document"}}, rotation.DefaultMaxAttempts},
	} {
		t.Run(name, func(t *testing.T) {
			var calls int
			step := rotation.StepFunc("a", "a", func(context.Context, *rotation.State) error {
				calls++
				return c.err
			}, nil)
			r, err := rotation.New([]rotation.Step{step}, rotation.WithRetry(rotation.DefaultMaxAttempts, time.Millisecond, time.Millisecond))
			require.NoError(t, err)
			err = r.Run(t.Context(), &rotation.State{})
			require.ErrorIs(t, err, c.err)
			assert.Equal(t, c.calls, calls)
		})
	}
}

// A custom step whose cause may settle asks the engine to run it again with
// RetryStep; a request error its backend already retried does not.
func ExampleRetryStep() {
	attempts := 0
	waitForDNS := rotation.StepFunc("dns", "wait until the new record resolves", func(context.Context, *rotation.State) error {
		attempts++
		if attempts < 3 {
			return rotation.RetryStep(errors.New("the record does not resolve yet"))
		}
		return nil
	}, nil)
	r, err := rotation.New([]rotation.Step{waitForDNS}, rotation.WithRetry(5, time.Millisecond, time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Run(context.Background(), &rotation.State{ID: "r1"}), attempts)
	fmt.Println(rotation.ShouldRetryStep(rotation.Transient(errors.New("HTTP 503"))))
	// Output:
	// <nil> 3
	// false
}
