package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// lockConflict says who holds a lock, whether that process is alive, and
// the command that breaks the lock once it is gone.
func lockConflict(le *rotation.LockedError, args []string) error {
	h := le.Holder
	if h.PID == 0 {
		return fmt.Errorf("refused: the lock on %s is being taken or its file is unreadable; if no voicecert runs, break it with: %s",
			le.Key, breakCommand(args))
	}
	return fmt.Errorf("refused: the lock on %s is held by pid %d on %s since %s (%s); once sure it is gone, break the lock with: %s",
		le.Key, h.PID, h.Host, h.Since.Format(time.RFC3339), liveness(h), breakCommand(args))
}

// liveness says whether the holder's process runs, when it is on this host.
func liveness(h rotation.LockHolder) string {
	if host, _ := os.Hostname(); host != h.Host {
		return "on another host: voicecert cannot tell whether it still runs"
	}
	err := syscall.Kill(h.PID, 0)
	if err == nil || errors.Is(err, syscall.EPERM) {
		return "that process is running"
	}
	return "that process is not running"
}

// breakCommand is the command line that was run, with --break-lock.
func breakCommand(args []string) string {
	return "voicecert " + quoteArgs(append(slicesWithout(args, "--break-lock"), "--break-lock"))
}

func slicesWithout(args []string, drop string) []string {
	var out []string
	for _, a := range args {
		if a != drop {
			out = append(out, a)
		}
	}
	return out
}

// releaseOwnLocks removes the lock files this process holds, when it stops
// a rollback and exits.
func releaseOwnLocks(l *rotation.FileLocker, keys []string) {
	host, _ := os.Hostname()
	for _, k := range keys {
		if h, err := l.Holder(k); err == nil && h.PID == os.Getpid() && h.Host == host {
			_ = l.Break(k)
		}
	}
}

// journalApplied reports whether the journal at path records a step that
// may have changed something not yet undone.
func journalApplied(path string) bool {
	rec, err := rotation.LoadJournal(path)
	if err != nil || rec.Status == rotation.StatusSucceeded || rec.Status == rotation.StatusRolledBack {
		return false
	}
	for _, s := range rec.Steps {
		switch s.Status {
		case rotation.StepRunning, rotation.StepDone, rotation.StepFailed:
			return true
		}
	}
	return false
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':' || r == ',' ||
				r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) < 0 {
			q[i] = a
		} else {
			q[i] = shellQuote(a)
		}
	}
	return strings.Join(q, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func joinComma(s []string) string { return strings.Join(s, ", ") }
