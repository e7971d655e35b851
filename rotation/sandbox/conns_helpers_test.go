package sandbox_test

import (
	"context"
	"net/http/httptrace"
	"sync"
	"time"
)

// heldRound holds each request of a round at a fake until n of them have
// arrived, so that each needs a connection of its own.
type heldRound struct {
	n       int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func newHeldRound(n int) *heldRound { return &heldRound{n: n, all: make(chan struct{})} }

// hold waits until the round's n requests have arrived (10 s at most).
func (h *heldRound) hold() {
	h.mu.Lock()
	h.arrived++
	if h.arrived == h.n {
		close(h.all)
	}
	wait := h.all
	h.mu.Unlock()
	select {
	case <-wait:
	case <-time.After(10 * time.Second):
	}
}

// next starts another round.
func (h *heldRound) next() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.arrived, h.all = 0, make(chan struct{})
}

// connLog tells connections apart by their local address and records the
// round that first used each, and which of the first round's the second
// used again.
type connLog struct {
	mu          sync.Mutex
	round       int
	firstUse    map[string]int
	reusedFirst map[string]bool
}

func newConnLog() *connLog {
	return &connLog{round: 1, firstUse: map[string]int{}, reusedFirst: map[string]bool{}}
}

// trace returns ctx with a client trace that logs each connection a
// request gets.
func (l *connLog) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		l.mu.Lock()
		defer l.mu.Unlock()
		addr := i.Conn.LocalAddr().String()
		if first, ok := l.firstUse[addr]; !ok {
			l.firstUse[addr] = l.round
		} else if l.round == 2 && first == 1 {
			l.reusedFirst[addr] = true
		}
	}})
}

// nextRound starts the next round.
func (l *connLog) nextRound() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.round++
}

// opened is how many connections round r opened.
func (l *connLog) opened(r int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, first := range l.firstUse {
		if first == r {
			n++
		}
	}
	return n
}

// reused is how many of the first round's connections the second used.
func (l *connLog) reused() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reusedFirst)
}
