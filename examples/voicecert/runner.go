package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// run builds a Rotator for plan with the journal, locks and progress, and
// runs do with it; it prints the summary.
func (a *app) run(ctx context.Context, b *backends, plan *rotation.OrgPlan, lockDir, journal string,
	manualTimeout time.Duration, breakLocks bool, do func(*rotation.Rotator) error, st *rotation.State) error {
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(lockDir, 0o700); err != nil {
		return err
	}
	locker := rotation.NewFileLocker(filepath.Join(lockDir, "locks"))
	if breakLocks {
		for _, k := range keys {
			if h, err := locker.Holder(k); err == nil {
				fmt.Fprintf(a.stdout, "Breaking the lock on %s held by pid %d on %s since %s.\n", k, h.PID, h.Host, h.Since.Format(time.RFC3339))
				if err := locker.Break(k); err != nil {
					return err
				}
			}
		}
	}
	prog := newProgress(a.stderr)
	opts := []rotation.Option{
		rotation.WithJournal(rotation.FileJournal(journal)),
		rotation.WithLocker(locker, keys...),
		rotation.WithObserver(prog), rotation.WithLogger(b.log), rotation.WithManualTimeout(manualTimeout),
	}
	r, err := rotation.New(plan.Steps(), opts...)
	if err != nil {
		return err
	}
	start := a.now()
	err = do(r)
	elapsed := a.now().Sub(start).Round(time.Millisecond)
	if err != nil {
		var re *rotation.RotationError
		if errors.As(err, &re) && re.RolledBack {
			fmt.Fprintf(a.stdout, "Rotation failed at step %s and was rolled back completely (%s): nothing changed.\n", re.Step, elapsed)
			return &exitError{code: 1, err: err}
		}
		fmt.Fprintf(a.stdout, "Rotation failed; the journal %s says what is still applied.\n", journal)
		return err
	}
	fmt.Fprintf(a.stdout, "Rotated in %s: %s (%s, %d bits, expires %s) replaces %s (%s) for %d contact center(s).\n",
		elapsed, st.New.Name, st.New.SHA256, st.New.KeyBits, st.New.NotAfter.Format(time.DateOnly),
		st.OldDefault.Name, short(st.OldDefault.SHA256), len(st.ContactCenters))
	return nil
}
