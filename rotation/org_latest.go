package rotation

import (
	"context"
	"fmt"
	"slices"
)

// adviceApply is what an operator can do when a change is refused.
const adviceApply = "plan again: the org changed since this rotation observed it"

// adviceRollback is what an operator can do when a rollback is refused.
const adviceRollback = "this rotation is no longer the latest change to what it touched: roll back the newer change first, or leave this rotation applied"

// conflict builds the *ConflictError of a resource found as actual, naming
// the rotation that set one of the certificates fps when a journal says so.
func (e *orgEnv) conflict(ctx context.Context, st *State, ce *ConflictError, fps []string) error {
	if ce.Advice == "" {
		ce.Advice = adviceApply
	}
	others, err := e.otherRotations(ctx, st)
	if err == nil {
		var newest *JournalRecord
		for _, r := range others {
			if r.State != nil && r.State.New.SHA256 != "" && slices.Contains(fps, r.State.New.SHA256) &&
				(newest == nil || r.State.StartedAt.After(newest.State.StartedAt)) {
				newest = r
			}
		}
		if newest != nil {
			ce.Newer = newest.RotationID
		}
	}
	return Permanent(ce)
}

// otherRotations returns the journaled rotations other than st's.
func (e *orgEnv) otherRotations(ctx context.Context, st *State) ([]*JournalRecord, error) {
	if e.opts.History == nil {
		return nil, nil
	}
	recs, err := e.opts.History.Rotations(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the journaled rotations: %w", err)
	}
	return slices.DeleteFunc(recs, func(r *JournalRecord) bool { return r.RotationID == st.ID }), nil
}

// checkLatest refuses to roll back a rotation that is no longer the latest
// change to what it touched: every resource in scope must be as this
// rotation left it at some point (the org default old or new, each app on
// its certificate before or the new one, each trust's document the
// original or one this rotation sets). It returns the model it observed.
func (e *orgEnv) checkLatest(ctx context.Context, st *State) (*liveModel, error) {
	m, snaps, err := e.observe(ctx, st.Org)
	if err != nil {
		return nil, err
	}
	fail := func(resource, expected, actual string, fps []string) (*liveModel, error) {
		return nil, e.conflict(ctx, st, &ConflictError{Resource: resource, Expected: expected, Actual: actual, Advice: adviceRollback}, fps)
	}
	ours := func(c Certificate) bool {
		return c.SHA256 == st.OldDefault.SHA256 || (st.New.SHA256 != "" && c.SHA256 == st.New.SHA256)
	}
	if !ours(m.Default) {
		return fail("the org default certificate", describeCert(st.OldDefault)+" or "+describeCert(st.New), describeCert(m.Default), []string{m.Default.SHA256})
	}
	for _, name := range sortedKeys(st.Apps) {
		before := st.Apps[name].Before
		a, _ := m.App(name)
		if a.Certificate.SHA256 != before.SHA256 && a.Certificate.SHA256 != st.New.SHA256 {
			return fail("app "+name, describeCert(before)+" or "+describeCert(st.New), describeCert(a.Certificate), []string{a.Certificate.SHA256})
		}
	}
	for _, ref := range st.trustsInScope() {
		stages := []string{stageOriginal}
		if len(st.New.DER) > 0 {
			stages = append(stages, stageOverlap, stageFinal)
		}
		cur := snaps[ref.ARN].Document
		if !slices.ContainsFunc(stages, func(stage string) bool { return st.isDocument(ref, stage, cur) }) {
			want, err := st.document(ref, stages[len(stages)-1])
			if err != nil {
				return nil, err
			}
			return fail("IAM trust "+ref.ARN, "the original document or one this rotation set, such as "+describeDoc(want), describeDoc(cur), signingOf(cur))
		}
	}
	return e.newLive(m), nil
}
