package main

import (
	"context"
	"log/slog"

	"github.com/voicecert/voicecert/rotation"
)

// backends are the two providers a command works on.
type backends struct {
	idp rotation.IdentityProvider
	rp  rotation.RelyingParty
	log *slog.Logger
}

// connect builds the backends from the flags and environment.
func (a *app) connect(ctx context.Context) (*backends, error) {
	log, err := a.conn.logger(a.con.writer())
	if err != nil {
		return nil, err
	}
	idp, err := a.conn.identityProvider(log)
	if err != nil {
		return nil, err
	}
	rp, err := a.conn.relyingParty(ctx, idp, log)
	if err != nil {
		return nil, err
	}
	return &backends{idp: idp, rp: rp, log: log}, nil
}
