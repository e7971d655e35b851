package rotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of a [Rotator]'s options.
const (
	// DefaultMaxAttempts is how many times a step's Apply or Rollback is
	// attempted when it keeps failing with an error worth a step retry
	// (see [ShouldRetryStep]).
	DefaultMaxAttempts = 4
	// DefaultRetryInitial is the first backoff interval.
	DefaultRetryInitial = 500 * time.Millisecond
	// DefaultRetryMax caps every backoff interval.
	DefaultRetryMax = 30 * time.Second
	// DefaultManualTimeout bounds a manual gate whose ManualActionError
	// names no Timeout.
	DefaultManualTimeout = 30 * time.Minute
	// DefaultRollbackTimeout bounds each step's Rollback, manual gate
	// included.
	DefaultRollbackTimeout = time.Hour
)

// Option configures a [Rotator]. Invalid options make [New] fail.
type Option func(*config)

type config struct {
	logger          *slog.Logger
	observers       []Observer
	journal         Journal
	locker          Locker
	lockKeys        []string
	maxAttempts     int
	retryInitial    time.Duration
	retryMax        time.Duration
	confirm         func(ctx context.Context, req ManualRequest) error
	manualTimeout   time.Duration
	rollbackTimeout time.Duration
	now             func() time.Time
	hooks           []hook
	errs            []error
}

type hook struct {
	anchor string
	after  bool
	step   Step
}

func defaultConfig() config {
	return config{
		logger:          slog.New(slog.DiscardHandler),
		maxAttempts:     DefaultMaxAttempts,
		retryInitial:    DefaultRetryInitial,
		retryMax:        DefaultRetryMax,
		manualTimeout:   DefaultManualTimeout,
		rollbackTimeout: DefaultRollbackTimeout,
		now:             time.Now,
	}
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("rotation: "+format+": %w", append(args, ErrInvalidInput)...))
}

// WithLogger logs every event to l (structured attributes, never a
// secret). The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("WithLogger: nil logger")
			return
		}
		c.logger = l
	}
}

// WithObserver adds an observer of every event. Observers are called in the
// order they were added.
func WithObserver(o Observer) Option {
	return func(c *config) {
		if o == nil {
			c.fail("WithObserver: nil observer")
			return
		}
		c.observers = append(c.observers, o)
	}
}

// WithJournal persists progress before and after every step, so that a
// crashed rotation can be resumed or rolled back with [Rotator.Resume].
func WithJournal(j Journal) Option {
	return func(c *config) { c.journal = j }
}

// WithLocker makes Run and Resume take a lock on every key before the first
// step and release them at the end; a key already held makes them fail at
// once with an error matching [ErrLocked]. Without keys the State's Target
// is the key. For an org plan pass [OrgPlan.LockKeys]: the Target names the
// identity provider as it was configured (a URL, for instance), while the
// plan's keys name the org and its trusts the same way for every tool that
// rotates them.
func WithLocker(l Locker, keys ...string) Option {
	return func(c *config) {
		if l == nil {
			c.fail("WithLocker: nil locker")
			return
		}
		for _, k := range keys {
			if k == "" {
				c.fail("WithLocker: empty lock key")
				return
			}
		}
		c.locker = l
		c.lockKeys = append([]string(nil), keys...)
	}
}

// WithRetry retries a step's Apply or Rollback that fails with an error
// worth a step retry (see [ShouldRetryStep]; request errors are retried by
// the backends) up to maxAttempts attempts in all, waiting an
// exponentially growing, jittered interval from initial up to max between
// attempts; a [TransientError.RetryAfter] lengthens the wait. maxAttempts 1
// disables retries.
func WithRetry(maxAttempts int, initial, max time.Duration) Option {
	return func(c *config) {
		if maxAttempts < 1 || initial <= 0 || max < initial {
			c.fail("WithRetry(%d, %s, %s): need maxAttempts >= 1 and 0 < initial <= max", maxAttempts, initial, max)
			return
		}
		c.maxAttempts, c.retryInitial, c.retryMax = maxAttempts, initial, max
	}
}

// WithConfirm sets the operator's confirmation callback of manual gates. The
// Rotator calls it when a step returns a *[ManualActionError]; it returns nil
// once the person has made the change (or to let the ManualActionError's
// Wait observe it) and an error to refuse, which fails the step.
func WithConfirm(confirm func(ctx context.Context, req ManualRequest) error) Option {
	return func(c *config) { c.confirm = confirm }
}

// WithManualTimeout bounds a manual gate whose ManualActionError names no
// Timeout. The default is [DefaultManualTimeout].
func WithManualTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("WithManualTimeout(%s): need a positive duration", d)
			return
		}
		c.manualTimeout = d
	}
}

// WithRollbackTimeout bounds each step's Rollback. Rollback runs with a
// context that ignores the cancellation of Run's context, so that a
// cancelled rotation is still undone; this timeout is its only bound. The
// default is [DefaultRollbackTimeout].
func WithRollbackTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("WithRollbackTimeout(%s): need a positive duration", d)
			return
		}
		c.rollbackTimeout = d
	}
}

// WithClock sets the clock that stamps events, journal records and a new
// State's StartedAt. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.fail("WithClock: nil clock")
			return
		}
		c.now = now
	}
}

// WithStepBefore inserts s before the step named name. Hooks apply in the
// order given, so a hook may be anchored on an earlier hook. An unknown name
// makes New fail.
func WithStepBefore(name string, s Step) Option {
	return func(c *config) { c.hooks = append(c.hooks, hook{anchor: name, step: s}) }
}

// WithStepAfter inserts s after the step named name. See [WithStepBefore].
func WithStepAfter(name string, s Step) Option {
	return func(c *config) { c.hooks = append(c.hooks, hook{anchor: name, after: true, step: s}) }
}

// buildSteps applies the hooks to steps and checks the names.
func buildSteps(steps []Step, hooks []hook) ([]Step, error) {
	out := append([]Step(nil), steps...)
	for _, h := range hooks {
		if h.step == nil {
			return nil, fmt.Errorf("rotation: hook on step %q: nil step: %w", h.anchor, ErrInvalidInput)
		}
		i := indexOf(out, h.anchor)
		if i < 0 {
			return nil, fmt.Errorf("rotation: hook %q: no step named %q: %w", h.step.Name(), h.anchor, ErrInvalidInput)
		}
		if h.after {
			i++
		}
		out = append(out[:i], append([]Step{h.step}, out[i:]...)...)
	}
	seen := make(map[string]bool, len(out))
	for i, s := range out {
		if s == nil {
			return nil, fmt.Errorf("rotation: step %d is nil: %w", i+1, ErrInvalidInput)
		}
		name := s.Name()
		if name == "" {
			return nil, fmt.Errorf("rotation: step %d has no name: %w", i+1, ErrInvalidInput)
		}
		if seen[name] {
			return nil, fmt.Errorf("rotation: duplicate step name %q: %w", name, ErrInvalidInput)
		}
		seen[name] = true
	}
	return out, nil
}

func indexOf(steps []Step, name string) int {
	for i, s := range steps {
		if s != nil && s.Name() == name {
			return i
		}
	}
	return -1
}

func (c *config) err() error { return errors.Join(c.errs...) }
