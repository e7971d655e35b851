package evidence

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// keyPool hands out RSA keys generated once per test process, so that the
// secret scan knows every private key the fake org signs with (the fake's
// own pool is private to it). A world takes keys 0, 1, 2, ... in order, so
// no key is used twice within one org.
var keyPool struct {
	mu   sync.Mutex
	keys map[int][]*rsa.PrivateKey
}

func poolKey(bits, i int) (*rsa.PrivateKey, error) {
	keyPool.mu.Lock()
	defer keyPool.mu.Unlock()
	if keyPool.keys == nil {
		keyPool.keys = map[int][]*rsa.PrivateKey{}
	}
	for len(keyPool.keys[bits]) <= i {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		keyPool.keys[bits] = append(keyPool.keys[bits], k)
	}
	return keyPool.keys[bits][i], nil
}

// poolKeys returns every key handed out so far.
func poolKeys() []*rsa.PrivateKey {
	keyPool.mu.Lock()
	defer keyPool.mu.Unlock()
	var out []*rsa.PrivateKey
	for _, ks := range keyPool.keys {
		out = append(out, ks...)
	}
	return out
}

// keyGenerator returns a generator for one world: keys from the pool, each
// once.
func keyGenerator() func(bits int) (*rsa.PrivateKey, error) {
	var mu sync.Mutex
	next := map[int]int{}
	return func(bits int) (*rsa.PrivateKey, error) {
		mu.Lock()
		i := next[bits]
		next[bits]++
		mu.Unlock()
		return poolKey(bits, i)
	}
}

// apiCall is one API request either fake received.
type apiCall struct {
	Service string // "sf" or "iam"
	Op      string
	Target  string
}

func (c apiCall) String() string { return c.Service + " " + c.Op + " " + c.Target }

// mutating reports whether the call changes something.
func (c apiCall) mutating() bool {
	switch c.Op {
	case "createMetadata", "updateMetadata", "deleteMetadata", "UpdateSAMLProvider", "TagSAMLProvider", "UntagSAMLProvider":
		return true
	}
	return false
}

// fault is an error either fake answers instead of handling a call.
type fault struct {
	Code   string
	Status int
	// Latency delays the answer (with or without a Code).
	Latency time.Duration
}

// world is a sandbox world with everything the evidence tests observe: one
// ordered log of the API calls both fakes receive, and a capture of every
// log line, event, journal record and error string, scanned for secrets when
// the test ends.
type world struct {
	*sandbox.World
	t       testing.TB
	capture *capture
	logger  *slog.Logger
	initial sandbox.Snapshot

	mu     sync.Mutex
	calls  []apiCall
	inject func(i int, c apiCall) *fault
}

// worldOptions are the sandbox options of the evidence tests: the default
// world (3 contact centers, 2 accounts, the last app pinned), keys from the
// pool, and calls made one at a time unless a test asks otherwise.
func worldOptions() sandbox.Options {
	return sandbox.Options{ContactCenters: 3, Accounts: 2, Pinned: 1, KeyGenerator: keyGenerator(), PollInterval: 2 * time.Millisecond, Concurrency: 1}
}

// newWorld starts a world, records its initial state and registers the
// secret scan of everything captured for the end of the test.
func newWorld(t testing.TB, o sandbox.Options) *world {
	t.Helper()
	c := newCapture()
	logger := slog.New(slog.NewJSONHandler(c.writer("slog"), &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.Logger = logger
	if o.KeyGenerator == nil {
		o.KeyGenerator = keyGenerator()
	}
	sw, err := sandbox.Start(context.Background(), o)
	require.NoError(t, err)
	w := &world{World: sw, t: t, capture: c, logger: logger, initial: sw.Snapshot()}
	w.Org.SetHook(func(call sftest.Call) *sftest.Fault {
		if f := w.record(apiCall{"sf", call.Op, call.Target}); f != nil {
			return &sftest.Fault{Code: f.Code, Status: f.Status, Latency: f.Latency}
		}
		return nil
	})
	w.IAM.SetHook(func(call iamtest.Call) *iamtest.Fault {
		if f := w.record(apiCall{"iam", call.Op, call.Target}); f != nil {
			return &iamtest.Fault{Code: f.Code, Status: f.Status, Latency: f.Latency}
		}
		return nil
	})
	secrets := w.secrets()
	t.Cleanup(func() {
		w.Close()
		for _, leak := range c.scan(secrets) {
			t.Errorf("secret leaked: %s", leak)
		}
	})
	return w
}

// record appends c to the call log and asks the injector for a fault.
func (w *world) record(c apiCall) *fault {
	w.mu.Lock()
	i := len(w.calls)
	w.calls = append(w.calls, c)
	inject := w.inject
	w.mu.Unlock()
	if inject == nil {
		return nil
	}
	return inject(i, c)
}

// setInject sets the fault injector; it sees each call's index in the log.
func (w *world) setInject(f func(i int, c apiCall) *fault) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inject = f
}

// callLog returns the calls so far.
func (w *world) callLog() []apiCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.calls)
}

// resetCalls empties the call log and returns its length before.
func (w *world) resetCalls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.calls)
	w.calls = nil
	return n
}

// secrets lists what must never appear in a log, event, journal or error.
func (w *world) secrets() []secret {
	s := []secret{{"Salesforce access token", w.Org.AccessToken()}}
	for _, acct := range slices.Sorted(maps.Keys(w.Credentials)) {
		s = append(s, secret{"AWS secret access key of " + acct, w.Credentials[acct][1]})
	}
	return append(s, keySecrets(poolKeys())...)
}

// planOptions are the org plan options of the evidence tests: 2048-bit keys
// and, unless overridden, one contact center and one trust at a time with no
// canary, so that the call order is deterministic.
func planOptions(extra ...rotation.OrgOption) []rotation.OrgOption {
	return append([]rotation.OrgOption{rotation.WithKeyBits(2048), rotation.WithConcurrency(1), rotation.WithCanary(0)}, extra...)
}

// plan builds an org plan over the world's real backends.
func (w *world) plan(opts ...rotation.OrgOption) *rotation.OrgPlan {
	w.t.Helper()
	opts = append(planOptions(opts...), rotation.WithOrgLogger(w.logger))
	p, err := rotation.NewOrgPlan(w.IdP, w.RP, opts...)
	require.NoError(w.t, err)
	return p
}

// rotator builds a Rotator of steps that plays the admin at manual gates,
// logs to the capture and gives every event to it.
func (w *world) rotator(steps []rotation.Step, opts ...rotation.Option) *rotation.Rotator {
	w.t.Helper()
	opts = append([]rotation.Option{
		rotation.WithConfirm(w.PlayAdmin),
		rotation.WithRetry(4, time.Millisecond, 10*time.Millisecond),
		rotation.WithManualTimeout(10 * time.Second),
		rotation.WithLogger(w.logger),
		rotation.WithObserver(w.capture.observer()),
	}, opts...)
	r, err := rotation.New(steps, opts...)
	require.NoError(w.t, err)
	return r
}

// rotate runs a whole overlap rotation with id and returns its state and
// error; the error string and the journal are captured.
func (w *world) rotate(id string, planOpts []rotation.OrgOption, opts ...rotation.Option) (*rotation.State, error) {
	w.t.Helper()
	return w.rotateCtx(context.Background(), id, planOpts, opts...)
}

// rotateCtx is rotate under ctx.
func (w *world) rotateCtx(ctx context.Context, id string, planOpts []rotation.OrgOption, opts ...rotation.Option) (*rotation.State, error) {
	w.t.Helper()
	plan := w.plan(planOpts...)
	j := rotation.NewMemoryJournal()
	r := w.rotator(plan.Steps(), append([]rotation.Option{rotation.WithJournal(j)}, opts...)...)
	st := plan.NewState(id)
	err := r.Run(ctx, st)
	w.capture.journal(j)
	w.capture.err(err)
	return st, err
}

// classify says whether the world is in its initial state, fully rotated
// by rotation id, or neither (with what differs).
func (w *world) classify(id string) (string, []string) {
	now := w.Snapshot()
	if diff := stateDiff(w.initial, now); len(diff) == 0 {
		return "initial", nil
	}
	if problems := rotatedProblems(w.initial, now, id, w.inScopeTrusts()); len(problems) > 0 {
		return "mixed", problems
	}
	return "rotated", nil
}

// inScopeTrusts returns the provider ARNs the world's contact centers name.
func (w *world) inScopeTrusts() []string {
	var arns []string
	for _, cc := range w.ContactCenters {
		if !slices.Contains(arns, cc.ProviderARN) {
			arns = append(arns, cc.ProviderARN)
		}
	}
	return arns
}

func (w *world) requireState(t testing.TB, want, id string) {
	t.Helper()
	got, problems := w.classify(id)
	require.Equal(t, want, got, "problems: %s", strings.Join(problems, "; "))
}

// mutatingIDs returns the distinct rotation certificate names that
// mutating Salesforce calls in log name.
func mutatingCertNames(log []apiCall) []string {
	seen := map[string]bool{}
	for _, c := range log {
		if !c.mutating() {
			continue
		}
		for _, part := range strings.Split(c.Target, ",") {
			if i := strings.Index(part, "voicecert_"); i >= 0 {
				seen[part[i:]] = true
			}
		}
	}
	names := slices.Collect(maps.Keys(seen))
	sort.Strings(names)
	return names
}

// rotationErr returns err as a *rotation.RotationError, or nil.
func rotationErr(err error) *rotation.RotationError {
	var re *rotation.RotationError
	if errors.As(err, &re) {
		return re
	}
	return nil
}
