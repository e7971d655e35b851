package main

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// interrupts records the signals (SIGINT, SIGTERM) a run receives: the
// first cancels the command, which rolls a rotation back; the second stops
// that rollback, leaving a resumable journal.
type interrupts struct {
	mu            sync.Mutex
	n             int
	sig           os.Signal
	first, second chan struct{}
}

func newInterrupts() *interrupts {
	return &interrupts{first: make(chan struct{}), second: make(chan struct{})}
}

// deliver records one signal.
func (in *interrupts) deliver(s os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.n++
	switch in.n {
	case 1:
		in.sig = s
		close(in.first)
	case 2:
		close(in.second)
	}
}

// interruptedError is the cause of a command's cancellation by a signal.
type interruptedError struct{ sig os.Signal }

func (e *interruptedError) Error() string { return fmt.Sprintf("interrupted (%s)", signalName(e.sig)) }

func (in *interrupts) cause() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return &interruptedError{sig: in.sig}
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case nil:
		return "signal"
	}
	if s.String() == "terminated" {
		return "SIGTERM"
	}
	return s.String()
}

type interruptsKey struct{}

func withInterrupts(ctx context.Context, in *interrupts) context.Context {
	return context.WithValue(ctx, interruptsKey{}, in)
}

// interruptsFrom returns the interrupts of the process, nil when the
// command runs without signal handling (in-process tests).
func interruptsFrom(ctx context.Context) *interrupts {
	in, _ := ctx.Value(interruptsKey{}).(*interrupts)
	return in
}

// secondInterrupt is closed by a second signal; nil (never) without
// signal handling.
func secondInterrupt(ctx context.Context) <-chan struct{} {
	if in := interruptsFrom(ctx); in != nil {
		return in.second
	}
	return nil
}
