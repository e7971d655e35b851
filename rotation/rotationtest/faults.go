package rotationtest

import (
	"context"
	"sync"
)

// Any, as the method of FailCall, matches every mutating call.
const Any = "*"

// Call is one call of a fake's interface method, as the call log records it.
type Call struct {
	Method string
	// Arg names the call's object: a certificate or app name, a trust ARN.
	Arg string
}

// faults is the call log and fault injection shared by both fakes. Its
// methods are promoted to the fakes.
type faults struct {
	mu     sync.Mutex
	calls  []Call
	queued []*fault
	hook   func(ctx context.Context, c Call) error
}

type fault struct {
	method string
	left   int
	err    error
}

// FailCall makes the n-th call of method from now on (1-based) fail with err
// and change nothing. Method Any ("*") counts every mutating call.
// Faults registered together count independently.
func (f *faults) FailCall(method string, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued = append(f.queued, &fault{method: method, left: n, err: err})
}

// OnCall sets a hook called at the start of every interface call, before
// the fault checks and the context check. A non-nil error fails the call,
// which then changes nothing; the hook may also cancel a context, block or
// panic. A nil hook removes it.
func (f *faults) OnCall(hook func(ctx context.Context, c Call) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = hook
}

// Calls returns the calls made so far, in order.
func (f *faults) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// MutatingCalls returns how many mutating calls were made so far.
func (f *faults) MutatingCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if mutating[c.Method] {
			n++
		}
	}
	return n
}

// mutating names the interface methods that change a provider's state.
var mutating = map[string]bool{
	"CreateCertificate":     true,
	"DeleteCertificate":     true,
	"SetDefaultCertificate": true,
	"SetAppCertificate":     true,
	"SetTrust":              true,
}

// enter logs a call and returns the error it must fail with, if any.
func (f *faults) enter(ctx context.Context, method, arg string) error {
	c := Call{Method: method, Arg: arg}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, c); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var fail error
	kept := f.queued[:0]
	for _, q := range f.queued {
		if q.method == method || (q.method == Any && mutating[method]) {
			q.left--
			if q.left <= 0 {
				if fail == nil {
					fail = q.err
				}
				continue
			}
		}
		kept = append(kept, q)
	}
	f.queued = kept
	return fail
}
