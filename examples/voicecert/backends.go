package main

import (
	"context"
	"log/slog"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

// backends are the two providers a command works on.
type backends struct {
	idp rotation.IdentityProvider
	rp  rotation.RelyingParty
	log *slog.Logger
}

// connect builds the backends from the flags and environment.
func (a *app) connect(ctx context.Context) (*backends, error) {
	log, idp, err := a.connectOrg()
	if err != nil {
		return nil, err
	}
	rp, err := a.conn.relyingParty(ctx, idp, log)
	if err != nil {
		return nil, err
	}
	return &backends{idp: idp, rp: rp, log: log}, nil
}

// connectOrg builds the logger and the identity provider (the Salesforce
// org) from the flags and environment: what every command that reads the
// org starts with, and all that doctor needs before it asks AWS itself.
func (a *app) connectOrg() (*slog.Logger, *salesforce.Provider, error) {
	log, err := a.conn.logger(a.con.writer())
	if err != nil {
		return nil, nil, err
	}
	idp, err := a.conn.identityProvider(log)
	if err != nil {
		return nil, nil, err
	}
	return log, idp, nil
}
