package main

import (
	"context"
	"log/slog"
)

// rotatorLogger is the logger of the Rotator's event records. In rollback
// mode the rollback is what was asked for: its completion is logged at
// INFO, not ERROR.
func rotatorLogger(log *slog.Logger, mode string) *slog.Logger {
	if mode != "rollback" {
		return log
	}
	return slog.New(&requestedRollback{Handler: log.Handler()})
}

type requestedRollback struct{ slog.Handler }

func (h *requestedRollback) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelError && r.Message == "rotation rotation.rolledback" {
		complete := false
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "detail" && a.Value.String() == "rollback complete" {
				complete = true
			}
			return true
		})
		if complete {
			r2 := slog.NewRecord(r.Time, slog.LevelInfo, r.Message, r.PC)
			r.Attrs(func(a slog.Attr) bool { r2.AddAttrs(a); return true })
			r = r2
		}
	}
	if !h.Handler.Enabled(ctx, r.Level) {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *requestedRollback) Enabled(context.Context, slog.Level) bool { return true }

func (h *requestedRollback) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &requestedRollback{Handler: h.Handler.WithAttrs(attrs)}
}

func (h *requestedRollback) WithGroup(name string) slog.Handler {
	return &requestedRollback{Handler: h.Handler.WithGroup(name)}
}
