package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

// runFlags are the flags of every command that runs a rotation (rotate,
// resume, rollback).
type runFlags struct {
	lockDir       string
	breakLock     bool
	manualTimeout durationValue
	grace         durationValue
	tick          durationValue
}

const defaultRollbackGrace = 5 * time.Minute

func (f *runFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	f.manualTimeout, f.grace, f.tick = durationValue(30*time.Minute), durationValue(defaultRollbackGrace), durationValue(defaultProgressInterval)
	fl.StringVar(&f.lockDir, "lock-dir", "", "directory of the lock files (default: the locks directory next to the journals)")
	fl.BoolVar(&f.breakLock, "break-lock", false, "break the locks left by an interrupted process (only once sure it is gone)")
	fl.Var(&f.manualTimeout, "manual-timeout", "how long to wait for a person at a manual gate")
	fl.Var(&f.grace, "rollback-grace", "after an interrupt, how long the rollback may run before it is stopped with a resumable journal")
	fl.Var(&f.tick, "progress-interval", "how often a waiting step says what it waits for")
}

// runSpec says how to run one rotation.
type runSpec struct {
	// mode is rotate, resume or rollback.
	mode             string
	journal, lockDir string
	flags            runFlags
	deleteOld        bool
	soak             time.Duration
}

// runResult is the result of rotate, resume and rollback --json
// (docs/schemas/rotate.schema.json and the others).
type runResult struct {
	// Outcome is rotated, nothing-due, declined, refused, rolled-back,
	// left-applied, resumed (resume) or undone (rollback).
	Outcome    string       `json:"outcome"`
	RotationID string       `json:"rotationId,omitempty"`
	Journal    string       `json:"journal,omitempty"`
	Renewal    string       `json:"renewal,omitempty"`
	Plan       *planResult  `json:"plan,omitempty"`
	Steps      []stepTiming `json:"steps"`
	Previous   *certSummary `json:"previousCertificate,omitempty"`
	New        *certSummary `json:"newCertificate,omitempty"`
	// ChangedNotUpdated are the acknowledged apps the rotation switched
	// without updating their service providers.
	ChangedNotUpdated []string `json:"changedNotUpdated,omitempty"`
	ElapsedMs         int64    `json:"elapsedMs"`
}

// leftAppliedError is a rotation that left something applied: the journal
// says what, and next is the command that finishes or undoes it.
type leftAppliedError struct {
	err           error
	journal, next string
}

func (e *leftAppliedError) Error() string {
	return fmt.Sprintf("%v. Something is still applied; the journal %s says what. Finish with: %s", e.err, e.journal, e.next)
}
func (e *leftAppliedError) Unwrap() error { return e.err }

// runRotation runs do with plan's steps and the Rotator options of its
// journal, locks and progress; on an interrupt it lets the rollback finish within the grace
// period, and a second interrupt stops it. It prints the outcome once.
func (a *app) runRotation(ctx context.Context, b *backends, plan *rotation.OrgPlan, spec runSpec,
	do func(context.Context, []rotation.Step, []rotation.Option) error, st *rotation.State, res *runResult) error {
	keys, err := plan.LockKeys(ctx)
	if err != nil {
		return err
	}
	locker := rotation.NewFileLocker(spec.lockDir)
	if spec.flags.breakLock {
		for _, k := range keys {
			if h, err := locker.Holder(k); err == nil {
				a.con.say("lock.broken", fmt.Sprintf("Breaking the lock on %s held by pid %d on %s since %s.", k, h.PID, h.Host, h.Since.Format(time.RFC3339)),
					"key", k, "pid", h.PID, "host", h.Host)
				if err := locker.Break(k); err != nil {
					return err
				}
			}
		}
	}
	prog := newProgress(a.con)
	prog.journal, prog.soak, prog.tick = spec.journal, spec.soak, time.Duration(spec.flags.tick)
	opts := []rotation.Option{
		rotation.WithJournal(rotation.FileJournal(spec.journal)),
		rotation.WithLocker(locker, keys...),
		rotation.WithObserver(prog), rotation.WithManualTimeout(time.Duration(spec.flags.manualTimeout)),
	}
	if a.logLevelSet {
		opts = append(opts, rotation.WithLogger(rotatorLogger(b.log, spec.mode)))
	}
	res.RotationID, res.Journal = st.ID, spec.journal
	start := a.now()
	done := make(chan error, 1)
	go func() { done <- do(ctx, plan.Steps(), opts) }()
	var stopped string
	select {
	case err = <-done:
	case <-ctx.Done():
		if errors.As(context.Cause(ctx), new(*interruptedError)) {
			a.con.say("interrupted", fmt.Sprintf("%s: rolling back every completed step (for up to %s); interrupt again to stop the rollback and leave a resumable journal.",
				capitalize(context.Cause(ctx).Error()), formatDuration(time.Duration(spec.flags.grace))), "graceMs", time.Duration(spec.flags.grace).Milliseconds())
		}
		grace := time.NewTimer(time.Duration(spec.flags.grace))
		defer grace.Stop()
		select {
		case err = <-done:
		case <-secondInterrupt(ctx):
			stopped = "a second interrupt"
		case <-grace.C:
			stopped = "the end of --rollback-grace " + formatDuration(time.Duration(spec.flags.grace))
		}
	}
	res.Steps = prog.Steps()
	res.ElapsedMs = a.now().Sub(start).Milliseconds()
	if stopped != "" {
		releaseOwnLocks(locker, keys)
		res.Outcome = "left-applied"
		return withStatus(exitApplied, &leftAppliedError{err: fmt.Errorf("rollback stopped by %s", stopped),
			journal: spec.journal, next: "voicecert rollback --journal " + shellQuote(spec.journal)})
	}
	var ie *interruptedError
	errors.As(context.Cause(ctx), &ie)
	return a.outcome(err, spec, st, res, time.Duration(res.ElapsedMs)*time.Millisecond, ie)
}

// outcome prints and classifies how a rotation ended.
func (a *app) outcome(err error, spec runSpec, st *rotation.State, res *runResult, elapsed time.Duration, ie *interruptedError) error {
	elapsed = elapsed.Round(time.Millisecond)
	if err == nil {
		if spec.mode == "rollback" {
			res.Outcome = "undone"
			fmt.Fprintf(a.out(), "Rolled back in %s: the org and IAM are as they were before the rotation.\n", elapsed)
			return nil
		}
		res.Outcome = "rotated"
		if spec.mode == "resume" {
			res.Outcome = "resumed"
		}
		prev, cur := summarize(st.OldDefault), summarize(st.New)
		res.Previous, res.New = &prev, &cur
		fmt.Fprintf(a.out(), "Rotated in %s: %s (%s, %d bits, expires %s) replaces %s (%s) for %d contact center(s).\n",
			elapsed, st.New.Name, st.New.SHA256, st.New.KeyBits, st.New.NotAfter.Format(time.DateOnly),
			st.OldDefault.Name, short(st.OldDefault.SHA256), len(st.ContactCenters))
		if msg, names := notUpdatedSummary(st); msg != "" {
			res.ChangedNotUpdated = names
			fmt.Fprintln(a.out(), msg)
		}
		if !spec.deleteOld && isVoicecertCert(st.OldDefault.Name) {
			fmt.Fprintf(a.out(), "The previous certificate %s stays in the org, as every earlier one voicecert made does: add --delete-old to a rotation to delete the certificate it replaces.\n", st.OldDefault.Name)
		}
		return nil
	}
	var le *rotation.LockedError
	if errors.As(err, &le) {
		return withStatus(exitNo, lockConflict(le, a.args))
	}
	var re *rotation.RotationError
	if errors.As(err, &re) {
		return a.rotationFailed(re, spec, res, ie)
	}
	if journalApplied(spec.journal) {
		res.Outcome = "left-applied"
		return withStatus(exitApplied, &leftAppliedError{err: err, journal: spec.journal, next: nextCommand(spec.journal)})
	}
	if errors.Is(err, rotation.ErrInvalidInput) || errors.Is(err, rotation.ErrPlanMismatch) {
		return withStatus(exitNo, err)
	}
	return err
}

// rotationFailed reports a rotation that failed: rolled back completely
// (exit 1), or not (exit 2, with the journal and the next command).
func (a *app) rotationFailed(re *rotation.RotationError, spec runSpec, res *runResult, ie *interruptedError) error {
	cause := stepCause(re)
	if re.RolledBack && re.Journal == nil {
		res.Outcome = "rolled-back"
		undone := "nothing needed undoing"
		if len(re.Undone) > 0 {
			undone = fmt.Sprintf("rolled back completely (%s)", joinComma(re.Undone))
		}
		if ie != nil {
			return withStatus(exitNo, &reworded{msg: fmt.Sprintf("%s at step %s and %s: nothing changed", ie.Error(), re.Step, undone), err: re})
		}
		return withStatus(exitNo, &reworded{msg: fmt.Sprintf("rotation failed at step %s: %s; %s: nothing changed", re.Step, cause, undone), err: re})
	}
	if len(re.Undone) == 0 && errors.Is(re.Err, rotation.ErrRefused) && !journalApplied(spec.journal) {
		res.Outcome = "refused"
		return withStatus(exitNo, &reworded{msg: fmt.Sprintf("refused at step %s: %s: nothing was changed", re.Step, cause), err: re})
	}
	res.Outcome = "left-applied"
	msg := fmt.Sprintf("rotation failed at step %s: %s", re.Step, cause)
	if len(re.Undone) == 0 && errors.Is(re.Err, rotation.ErrRefused) {
		msg = fmt.Sprintf("refused at step %s: %s: this run changed nothing", re.Step, cause)
	}
	if errors.Is(re.Err, rotation.ErrRollbackRequested) {
		msg = "rollback incomplete"
	}
	for _, f := range re.Remaining {
		msg += fmt.Sprintf("; the rollback of step %s failed: %s", f.Step, oneSentence(f.Err.Error()))
	}
	if re.Journal != nil {
		msg += "; the journal could not be written: " + re.Journal.Error()
	}
	return withStatus(exitApplied, &leftAppliedError{err: &reworded{msg: msg, err: re}, journal: spec.journal, next: nextCommand(spec.journal)})
}

// stepCause is the cause of a failed step, in one sentence, without the
// manual instructions progress already printed.
func stepCause(re *rotation.RotationError) string { return stepError(re.Step, re.Err) }

// stepError says err of step in one sentence: without the step's name
// again, and without the manual instructions progress printed once.
func stepError(step string, err error) string {
	var ge *rotation.ManualGateError
	if errors.As(err, &ge) && ge.TimedOut {
		return fmt.Sprintf("timed out after %s waiting for %s of manual action %q (instructions above)", formatDuration(ge.Timeout), ge.Waiting, ge.Manual.Action)
	}
	s := oneSentence(err.Error())
	prefix := fmt.Sprintf("step %q: ", step)
	for strings.HasPrefix(s, prefix) {
		s = s[len(prefix):]
	}
	return s
}

func nextCommand(journal string) string {
	return fmt.Sprintf("voicecert rollback --journal %s (or voicecert resume --journal %s)", shellQuote(journal), shellQuote(journal))
}

func isVoicecertCert(name string) bool { return len(name) > 10 && name[:10] == "voicecert_" }

// reworded is err said in one sentence for a person; errors.Is and
// errors.As still reach err (and the hints their causes).
type reworded struct {
	msg string
	err error
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }
