package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/voicecert/voicecert/rotation"
)

// The exit statuses of every voicecert command. The contract is printed by
// --help (exitContract) and in the README; TestExitStatusContract drives
// every row.
const (
	// exitOK: done, healthy, verified, or nothing was due.
	exitOK = 0
	// exitNo: not done, and nothing is left changed: a check found a
	// problem, verification failed, the rotation was refused (a
	// precondition, a lock held by another process, a repeat rotation, "n"
	// at the prompt), or it failed or was interrupted and rolled back
	// completely.
	exitNo = 1
	// exitApplied: something is left applied; the journal is named with the
	// command that finishes or undoes it.
	exitApplied = 2
	// exitError: an error (network, timeout, credentials, permissions)
	// stopped the command before it changed anything.
	exitError = 3
	// exitUsage: the command line is wrong (unknown flag or command, bad
	// value, unknown contact center); nothing was called.
	exitUsage = 64
)

// exitContract is the table printed by every command's --help.
const exitContract = `Exit status (every command):
  0   done, healthy, verified, or nothing was due
  1   not done and nothing left changed: a problem was found, the rotation
      was refused (precondition, lock held, repeat rotation, "n" at the
      prompt), or it failed or was interrupted and was rolled back completely
  2   something is left applied: the journal is named, with the command
      that finishes or undoes it
  3   an error (network, timeout, credentials, permissions) stopped the
      command before it changed anything
  64  usage error: unknown flag or command, bad value, unknown contact center`

// exitErr carries the process exit status of a command.
type exitErr struct {
	code int
	err  error
	// reported: the command already said everything about err.
	reported bool
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitErr) Unwrap() error { return e.err }

// exitStatus maps an error to the exit status: a status the error carries,
// 64 for invalid input, and otherwise 3 (an error before any change).
func exitStatus(err error) int {
	var ee *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, rotation.ErrInvalidInput):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitNo
	}
	return exitError
}

func usageErr(err error) error { return &exitErr{code: exitUsage, err: err} }

// withStatus gives err the exit status code.
func withStatus(code int, err error) error { return &exitErr{code: code, err: err} }

// silent is an exit status whose reasons the command already printed.
func silent(code int) error { return &exitErr{code: code, reported: true} }
