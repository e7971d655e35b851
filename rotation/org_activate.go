package rotation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// activateStep switches the identity provider to the new certificate.
type activateStep struct{ *orgEnv }

func (s *activateStep) Name() string { return StepActivate }
func (s *activateStep) Describe() string {
	return "make the new certificate the org's IdP certificate; switch every pinned app in scope (a person may be asked)"
}

// Apply observes the org (the signing state and every trust, at once),
// switches the default, checked on that model, reads the signing state
// again to see which apps followed, and switches the others.
func (s *activateStep) Apply(ctx context.Context, st *State) error {
	m, _, err := s.observe(ctx, st.Org)
	if err != nil {
		return err
	}
	lv := s.newLive(m)
	if err := s.setDefault(ctx, st, lv, st.OldDefault, st.New); err != nil {
		return err
	}
	return s.setApps(ctx, st, lv, true)
}

// Rollback restores the org default first, then asks every app back onto
// the certificate it had, once the rotation is checked to be the latest
// change. Reading the signing state after the default is restored also
// catches an app pinned to the very certificate that was the default (which
// no endpoint can tell from following the default).
func (s *activateStep) Rollback(ctx context.Context, st *State) error {
	lv, err := s.checkLatest(ctx, st)
	if err != nil {
		return err
	}
	if err := s.setDefault(ctx, st, lv, st.New, st.OldDefault); err != nil {
		return err
	}
	return s.setApps(ctx, st, lv, false)
}

// setApps reads the signing state and switches every in-scope app that is
// on the certificate before (forward: its own; backward: the new one) to
// the other, each switch checked; an app already there needs nothing.
// Changes that need a person are gathered into one *ManualActionError whose
// Wait waits for all of them. Forward it stops at the first error
// (canaries first); backward it tries every app.
func (e *orgEnv) setApps(ctx context.Context, st *State, lv *liveModel, forward bool) error {
	sig, err := e.readSigning(ctx)
	if err != nil {
		return err
	}
	lv.observeSigning(sig)
	var apps []AppState
	for _, c := range st.ContactCenters {
		a, ok := st.Apps[c.App.Name]
		if ok && !slices.ContainsFunc(apps, func(x AppState) bool { return x.App == a.App }) {
			apps = append(apps, a)
		}
	}
	var (
		mu     sync.Mutex
		manual []*ManualActionError
	)
	run := e.fanOut
	if !forward {
		run = e.each
	}
	err = run(ctx, len(apps), func(ctx context.Context, i int) error {
		a := apps[i]
		from, to := a.Before, st.New
		if !forward {
			from, to = st.New, a.Before
		}
		if to.Name == "" {
			return Permanent(fmt.Errorf("app %s: the certificate to set has no name known to the identity provider", a.App))
		}
		t, err := e.appTransition(ctx, st, lv, a.App, from, to)
		if err != nil || t == nil {
			return err
		}
		err = e.idp.SetAppCertificate(ctx, a.App, to.Name)
		var m *ManualActionError
		switch {
		case errors.As(err, &m):
			mu.Lock()
			manual = append(manual, m)
			mu.Unlock()
			return nil
		case err != nil:
			return fmt.Errorf("set certificate of app %s: %w", a.App, err)
		}
		lv.apply(*t)
		e.opts.Logger.InfoContext(ctx, "audit: app certificate set", "app", a.App.Name, "certificate", to.Name, "sha256", to.SHA256)
		return nil
	})
	if err != nil {
		return err
	}
	return joinManual(manual)
}

// joinManual merges the manual actions of several apps into one whose Wait
// waits for all; nil when there is none.
func joinManual(ms []*ManualActionError) error {
	switch len(ms) {
	case 0:
		return nil
	case 1:
		return ms[0]
	}
	slices.SortFunc(ms, func(a, b *ManualActionError) int { return strings.Compare(a.App.Name, b.App.Name) })
	var actions, instructions []string
	var changes []AppChange
	for _, m := range ms {
		actions = append(actions, m.Action)
		instructions = append(instructions, m.Instructions)
		changes = append(changes, m.AppChanges()...)
	}
	out := &ManualActionError{
		Action:       strings.Join(actions, "; "),
		Instructions: strings.Join(instructions, "\n\n"),
		App:          changes[0].App,
		Certificate:  changes[0].Certificate,
		Changes:      changes,
		Wait: func(ctx context.Context) error {
			g, ctx := errgroup.WithContext(ctx)
			for _, m := range ms {
				if m.Wait != nil {
					g.Go(func() error { return m.Wait(ctx) })
				}
			}
			return g.Wait()
		},
	}
	for _, m := range ms {
		out.Timeout = max(out.Timeout, m.Timeout)
	}
	return out
}
