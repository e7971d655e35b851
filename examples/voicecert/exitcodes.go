package main

import (
	"errors"
	"fmt"
)

// exitError carries the process exit status of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// exitStatus maps an error to the exit status: 0 none, 2 unless the error
// says otherwise.
func exitStatus(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	return 2
}

func usageErr(err error) error { return &exitError{code: 2, err: err} }
