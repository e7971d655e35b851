package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// console is stderr as a person or a program reads it: with --log-format
// text, lines of prose; with --log-format json, one JSON object per line,
// each with an "event" naming what it reports, so that stderr is pure JSON
// lines.
type console struct {
	w    io.Writer
	json bool
	log  *slog.Logger
}

// lockedWriter serialises the writes of every logger sharing stderr, so
// that lines never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newConsole(w io.Writer, asJSON bool) *console {
	if _, ok := w.(*lockedWriter); !ok {
		w = &lockedWriter{w: w}
	}
	c := &console{w: w, json: asJSON}
	if asJSON {
		c.log = slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return c
}

// writer is where the structured logger of the backends writes: the same
// serialised stream.
func (c *console) writer() io.Writer { return c.w }

// say prints a line: text as it is, or a JSON event with the text as msg
// and attrs (key, value pairs) as fields.
func (c *console) say(event, text string, attrs ...any) {
	if c.json {
		c.log.Log(context.Background(), slog.LevelInfo, text, append([]any{"event", event}, attrs...)...)
		return
	}
	fmt.Fprintln(c.w, text)
}

// failure prints the command's final error once, with its hint.
func (c *console) failure(err error) {
	msg, hint := explain(err)
	if c.json {
		attrs := []any{"event", "command.failed", "error", msg}
		if hint != "" {
			attrs = append(attrs, "hint", hint)
		}
		c.log.Log(context.Background(), slog.LevelError, "voicecert: "+msg, attrs...)
		return
	}
	fmt.Fprintf(c.w, "voicecert: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(c.w, "  hint: %s\n", strings.ReplaceAll(hint, "\n", "\n        "))
	}
}

// explain returns the one-sentence message of err and a hint of what to do.
func explain(err error) (msg, hint string) {
	var ee *exitErr
	if errors.As(err, &ee) && ee.err == nil {
		return fmt.Sprintf("exit status %d", ee.code), ""
	}
	return oneSentence(err.Error()), hintFor(err)
}

// oneSentence removes the stutter of nested step names
// ("step "x" failed: step "x": …").
func oneSentence(s string) string {
	for {
		i := strings.Index(s, `step "`)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i+6:], `"`)
		if j < 0 {
			return s
		}
		name := s[i : i+6+j+1]
		dup := name + ": "
		rest := s[i+len(name):]
		k := strings.Index(rest, dup)
		if k < 0 {
			return s
		}
		s = s[:i+len(name)] + rest[:k] + rest[k+len(dup):]
	}
}
