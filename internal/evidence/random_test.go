package evidence

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

var (
	randomSequences = flag.Int("random-sequences", 64/raceSlowdown, "how many seeded sequences TestRandomOperations runs (CI runs 300, in a step of its own, without the race detector)")
	randomSeed      = flag.Uint64("random-seed", 0, "run only this seed of TestRandomOperations")
)

// keptSeeds are seeds that failed while the random test was built; they
// run first, always. 31: a person pinned the app out of scope to the very
// certificate that was the default, which looks like following it; retire
// was refused (nothing broken) until the plan learnt the pin from the
// signing state it reads before retiring (State.revealPins).
var keptSeeds = []uint64{31}

// randomOps is how many operations each sequence draws.
const randomOps = 8

// randomTotals are the counts the random test prints.
type randomTotals struct {
	mu                             sync.Mutex
	sequences, operations, refused int
	failed, broken                 int
	byOp                           map[string]int
}

func (r *randomTotals) add(s *sequence) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sequences++
	r.operations += len(s.log)
	r.refused += s.refused
	r.failed += s.failed
	r.broken += s.broken
	for _, l := range s.log {
		r.byOp[strings.SplitN(l, ":", 2)[0]]++
	}
}

// TestRandomOperations is the model-based random test: each seeded
// sequence starts a sandbox world (three contact centers in two AWS
// accounts, the last app pinned and sharing the first account's provider;
// two SAML apps of the fake org of no contact center, an External Client
// App acknowledged and a connected app with a relying party, and a second
// provider of the org's entityID: see
// apps_test.go)
// and draws operations an operator (or a person in Setup) might do, in any
// order: rotate all; rotate a random subset; roll back a random journal of
// any age; resume a random journal; crash a rotation at a random API call
// (and break its locks, as the operator would); two rotations at once; a
// person switching the pinned app to another certificate its IAM provider
// trusts. After every operation every contact center signs in through the
// fake AWS sign-in endpoint; an operation may be refused (nothing changed)
// or fail and roll back, but never break a sign-in (nor leave the
// Tableau app's trust or the second provider without the org default).
func TestRandomOperations(t *testing.T) {
	seeds := slices.Clone(keptSeeds)
	for s := range uint64(*randomSequences) {
		if !slices.Contains(seeds, s+1) {
			seeds = append(seeds, s+1)
		}
	}
	if *randomSeed != 0 {
		seeds = []uint64{*randomSeed}
	}
	totals := &randomTotals{byOp: map[string]int{}}
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("seed_%d", seed), func(t *testing.T) {
				t.Parallel()
				s := runSequence(t, seed)
				totals.add(s)
				t.Logf("seed %d: %s", seed, strings.Join(s.log, "; "))
			})
		}
	})
	t.Logf("%d sequences, %d operations (%v), %d refused before any change, %d failed and rolled back, %d broken sign-ins",
		totals.sequences, totals.operations, totals.byOp, totals.refused, totals.failed, totals.broken)
	require.Zero(t, totals.broken, "broken sign-ins")
}

// sequence is one seeded run of operations on one world.
type sequence struct {
	t      *testing.T
	w      *world
	apps   *otherApps
	rng    *rand.Rand
	dir    rotation.JournalDir
	locker *rotation.FileLocker

	log                     []string
	refused, failed, broken int
}

func runSequence(t *testing.T, seed uint64) *sequence {
	w := newWorld(t, randomWorldOptions())
	s := &sequence{t: t, w: w, apps: newOtherApps(t, w), rng: rand.New(rand.NewPCG(seed, 0x5eed)), dir: rotation.JournalDir(t.TempDir()),
		locker: rotation.NewFileLocker(t.TempDir())}
	t.Cleanup(func() { require.NoError(t, w.capture.journalDir(string(s.dir))) })
	ops := []struct {
		name string
		run  func() error
	}{
		{"rotate all", func() error { return s.rotate(nil) }},
		{"rotate subset", func() error { return s.rotate(s.subset()) }},
		{"rollback", func() error { return s.resume(rotation.ResumeRollback) }},
		{"resume", func() error { return s.resume(rotation.ResumeContinue) }},
		{"crash", s.crash},
		{"two at once", s.twoAtOnce},
		{"person", s.person},
	}
	for range randomOps {
		op := ops[s.rng.IntN(len(ops))]
		err := op.run()
		outcome := "ok"
		switch {
		case err == nil:
		case refusedBeforeChange(err):
			s.refused++
			outcome = "refused (" + firstLine(err) + ")"
		default:
			s.failed++
			outcome = "failed (" + firstLine(err) + ")"
		}
		s.log = append(s.log, op.name+": "+outcome)
		for _, cc := range w.ContactCenters {
			if err := w.Login(context.Background(), cc); err != nil {
				s.broken++
				t.Errorf("seed %d, after %q: sign-in to %s broken: %v\nsequence: %s", seed, op.name, cc.Name, err, strings.Join(s.log, "; "))
			}
		}
		for _, b := range s.apps.broken(w) {
			s.broken++
			t.Errorf("seed %d, after %q: %s\nsequence: %s", seed, op.name, b, strings.Join(s.log, "; "))
		}
	}
	return s
}

// refusedBeforeChange reports an error that says nothing was changed.
func refusedBeforeChange(err error) bool {
	if errors.Is(err, rotation.ErrLocked) || errors.Is(err, rotation.ErrJournalExists) {
		return true
	}
	if re := rotationErr(err); re != nil {
		undid := slices.DeleteFunc(slices.Clone(re.Undone), func(s string) bool { return s == rotation.StepPreflight })
		return len(undid) == 0 && (errors.Is(err, rotation.ErrRefused) || re.Step == rotation.StepPreflight)
	}
	return errors.Is(err, rotation.ErrInvalidInput) || errors.Is(err, rotation.ErrRefused)
}

func firstLine(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(msg) > 160 && !testing.Verbose() {
		msg = msg[:160] + "…"
	}
	return msg
}

// subset returns a random non-empty subset of the contact centers.
func (s *sequence) subset() []string {
	var names []string
	for _, cc := range s.w.ContactCenters {
		if s.rng.IntN(2) == 0 {
			names = append(names, cc.Name)
		}
	}
	if len(names) == 0 {
		names = []string{s.w.ContactCenters[s.rng.IntN(len(s.w.ContactCenters))].Name}
	}
	return names
}

// rotator builds a journaled, locked Rotator for plan and rotation id.
func (s *sequence) rotator(plan *rotation.OrgPlan, id string) (*rotation.Rotator, []string, error) {
	keys, err := plan.LockKeys(context.Background())
	if err != nil {
		return nil, nil, err
	}
	return s.w.rotator(plan.Steps(), rotation.WithJournal(s.dir.Journal(id)), rotation.WithLocker(s.locker, keys...)), keys, nil
}

// start prepares a rotation of the contact centers ccs (all when nil),
// with a backend of its own, as another process would have (a crashed one
// may be stuck in a read the backend shares between callers).
func (s *sequence) start(ccs []string) (*rotation.Rotator, *rotation.State, []string, error) {
	opts := append([]rotation.OrgOption{rotation.WithHistory(s.dir)}, s.apps.options()...)
	if ccs != nil {
		opts = append(opts, rotation.WithContactCenters(ccs...))
	}
	plan, err := rotation.NewOrgPlan(s.w.NewIdP(), s.w.RP, append(planOptions(opts...), rotation.WithOrgLogger(s.w.logger))...)
	if err != nil {
		return nil, nil, nil, err
	}
	id := rotation.NewRotationID(time.Now())
	r, keys, err := s.rotator(plan, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return r, plan.NewState(id), keys, nil
}

func (s *sequence) rotate(ccs []string) error {
	r, st, _, err := s.start(ccs)
	if err != nil {
		return err
	}
	err = r.Run(context.Background(), st)
	s.w.capture.err(err)
	return err
}

// resume resumes, in mode, the journal of a rotation drawn from every one
// this sequence started.
func (s *sequence) resume(mode rotation.ResumeMode) error {
	recs, err := s.dir.Rotations(context.Background())
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return s.rotate(nil)
	}
	rec := recs[s.rng.IntN(len(recs))]
	id := rec.RotationID
	opts, err := rotation.OrgOptionsFrom(rec.State)
	if err != nil {
		return err
	}
	// The journal records the acknowledgement; a relying party is given
	// again (see WithAppRelyingParty).
	opts = append(opts, s.apps.relyingParty())
	plan, err := rotation.NewOrgPlan(s.w.NewIdP(), s.w.RP, append(opts, rotation.WithOrgLogger(s.w.logger), rotation.WithHistory(s.dir))...)
	if err != nil {
		return err
	}
	r, _, err := s.rotator(plan, id)
	if err != nil {
		return err
	}
	err = r.Resume(context.Background(), rec, mode)
	s.w.capture.err(err)
	return err
}

// crash starts a rotation whose k-th API call from now blocks for good, as
// if the process died there; the operator then breaks its locks. The dead
// process is released when the test ends, into a world that refuses every
// call, so it changes nothing more.
func (s *sequence) crash() error {
	r, st, keys, err := s.start(s.maybeSubset())
	if err != nil {
		return err
	}
	k := s.rng.IntN(60)
	reached, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int64
	s.w.setInject(func(_ int, _ apiCall) *fault {
		if n.Add(1)-1 != int64(k) {
			return nil
		}
		close(reached)
		<-release
		return &fault{Code: "SERVER_UNAVAILABLE"}
	})
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background(), st) }()
	select {
	case err := <-done:
		s.w.setInject(nil)
		return err // it ended before its k-th call
	case <-reached:
	}
	s.w.setInject(nil)
	s.t.Cleanup(func() {
		s.w.setInject(func(i int, c apiCall) *fault {
			f, err := permanentFault(i, c)
			if err != nil {
				return &fault{Code: "INSUFFICIENT_ACCESS", Status: 403}
			}
			return &f
		})
		close(release)
		<-done
	})
	for _, k := range keys {
		if err := s.locker.Break(k); err != nil {
			return err
		}
	}
	return nil
}

func (s *sequence) maybeSubset() []string {
	if s.rng.IntN(2) == 0 {
		return nil
	}
	return s.subset()
}

// twoAtOnce starts two rotations together: the locks let one run.
func (s *sequence) twoAtOnce() error {
	errs := make([]error, 2)
	var wg sync.WaitGroup
	gun := make(chan struct{})
	for i := range errs {
		r, st, _, err := s.start(s.maybeSubset())
		if err != nil {
			return err
		}
		wg.Go(func() {
			<-gun
			errs[i] = r.Run(context.Background(), st)
			s.w.capture.err(errs[i])
		})
	}
	close(gun)
	wg.Wait()
	locked := 0
	for _, err := range errs {
		if errors.Is(err, rotation.ErrLocked) {
			locked++
		}
	}
	if locked != 1 {
		return fmt.Errorf("two rotations at once: %d of 2 were locked out, want 1: %v", locked, errors.Join(errs...))
	}
	return errors.Join(errs...)
}

// person switches a pinned app, in Setup, to another certificate that its
// IAM provider trusts (a person who breaks sign-in themselves is not the
// rotation's doing).
func (s *sequence) person() error {
	snap := s.w.Snapshot()
	for _, cc := range s.w.ContactCenters {
		if !cc.Pinned {
			continue
		}
		md, err := samlmeta.Parse([]byte(snap.IAM[cc.ProviderARN]))
		if err != nil {
			return err
		}
		certs, err := md.SigningCertificates()
		if err != nil {
			return err
		}
		var choices []string
		for _, name := range sortedNames(snap.Org.Certificates) {
			fp := snap.Org.Certificates[name]
			if name != snap.Org.AppCertificates[cc.App] && slices.ContainsFunc(certs, func(c *samlmeta.Cert) bool { return c.SHA256 == fp }) {
				choices = append(choices, name)
			}
		}
		if len(choices) == 0 {
			return nil
		}
		return s.w.Org.SetAppCertificate(cc.App, choices[s.rng.IntN(len(choices))])
	}
	return nil
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
