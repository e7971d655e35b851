package rotation

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/voicecert/voicecert/samlmeta"
)

// signingOf returns the fingerprints of a metadata document's signing
// certificates; none for a document that is not usable metadata.
func signingOf(doc []byte) []string {
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return nil
	}
	certs, _ := md.SigningCertificates()
	fps := make([]string, len(certs))
	for i, c := range certs {
		fps[i] = c.SHA256
	}
	return fps
}

// unusable says why a document signingOf finds no certificate in is not
// usable metadata: the parse error (a decoy, say), or that it has no
// signing certificate.
func unusable(doc []byte) error {
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return err
	}
	if _, err := md.SigningCertificates(); err != nil {
		return err
	}
	return fmt.Errorf("%w: no signing certificate", ErrInvalidInput)
}

// modelApps returns the apps of a model of ccs, every one marked in scope
// or not, with no certificate yet.
func modelApps(all, inScope []ContactCenter) []ModelApp {
	apps := make([]ModelApp, len(all))
	for i, c := range all {
		apps[i] = ModelApp{App: c.App, ContactCenter: c.Name, Trust: c.Trust,
			InScope: slices.ContainsFunc(inScope, func(x ContactCenter) bool { return x.Name == c.Name })}
	}
	return apps
}

// modelOf fills apps and the unattached trusts in with the signing state
// and the trust documents.
func modelOf(apps []ModelApp, unattached []ModelTrust, sig SigningState, docs map[string][]byte) Model {
	m := Model{Default: bare(sig.Default), Apps: slices.Clone(apps), Trusts: map[string]ModelTrust{}}
	for _, t := range unattached {
		t.Signing = signingOf(docs[t.Ref.ARN])
		m.Trusts[t.Ref.ARN] = t
	}
	for i, a := range m.Apps {
		if s, ok := sig.App(a.App.Name); ok {
			m.Apps[i].Certificate, m.Apps[i].Pinned = bare(s.Certificate), s.Pinned
		}
		if _, seen := m.Trusts[a.Trust.ARN]; !a.Trust.IsZero() && !seen {
			m.Trusts[a.Trust.ARN] = ModelTrust{Ref: a.Trust, Signing: signingOf(docs[a.Trust.ARN])}
		}
	}
	return m
}

// bare drops a certificate's DER, which a model does not need.
func bare(c Certificate) Certificate {
	c.DER = nil
	return c
}

// modelTrusts returns the distinct trusts the apps of m name, in order,
// then the unattached trusts by ARN.
func modelTrusts(m Model) []TrustRef {
	var refs []TrustRef
	for _, a := range m.Apps {
		if !a.Trust.IsZero() && !slices.Contains(refs, a.Trust) {
			refs = append(refs, a.Trust)
		}
	}
	for _, t := range unattachedOf(m) {
		refs = append(refs, t.Ref)
	}
	return refs
}

// unattachedOf returns the unattached trusts of m, by ARN.
func unattachedOf(m Model) []ModelTrust {
	var out []ModelTrust
	for _, arn := range sortedKeys(m.Trusts) {
		if t := m.Trusts[arn]; t.Unattached {
			out = append(out, t)
		}
	}
	return out
}

// readTrusts reads the documents of refs at once.
func (e *orgEnv) readTrusts(ctx context.Context, refs []TrustRef) (map[string]TrustSnapshot, error) {
	snaps := make([]TrustSnapshot, len(refs))
	err := e.parallel(ctx, len(refs), func(ctx context.Context, i int) error {
		snap, err := e.rp.Trust(ctx, refs[i])
		if err != nil {
			return fmt.Errorf("read trust %s: %w", refs[i], err)
		}
		snaps[i] = snap
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]TrustSnapshot, len(refs))
	for i, ref := range refs {
		out[ref.ARN] = snaps[i]
	}
	return out, nil
}

// observe reads the org again for the apps of base: the signing state and
// every trust, at once. It returns the model and the documents read.
func (e *orgEnv) observe(ctx context.Context, base Model) (Model, map[string]TrustSnapshot, error) {
	var (
		sig   SigningState
		snaps map[string]TrustSnapshot
	)
	err := e.all(ctx,
		func(ctx context.Context) (err error) { sig, err = e.readSigning(ctx); return err },
		func(ctx context.Context) (err error) { snaps, err = e.readTrusts(ctx, modelTrusts(base)); return err })
	if err != nil {
		return Model{}, nil, err
	}
	return modelOf(base.Apps, unattachedOf(base), sig, documents(snaps)), snaps, nil
}

// readSigning reads the signing state, with the apps given a relying
// party (see signingAndApps).
func (e *orgEnv) readSigning(ctx context.Context) (SigningState, error) {
	sig, _, err := e.signingAndApps(ctx, len(e.opts.AppRelyingParties) > 0)
	return sig, err
}

// documents returns the documents of snaps by ARN.
func documents(snaps map[string]TrustSnapshot) map[string][]byte {
	docs := make(map[string][]byte, len(snaps))
	for arn, s := range snaps {
		docs[arn] = s.Document
	}
	return docs
}

// liveModel is the model of the org as a step last observed it, updated
// with the step's own changes; the calls a step fans out share it.
type liveModel struct {
	mu sync.Mutex
	m  Model
	// outage tolerates broken sign-ins of apps in scope (see
	// checkInvariant): the direct strategy's window.
	outage bool
}

// newLive returns the live model of a step starting from m.
func (e *orgEnv) newLive(m Model) *liveModel {
	return &liveModel{m: m.Clone(), outage: e.opts.Strategy == StrategyDirect}
}

// observeSigning replaces the model's signing with what sig reports.
func (l *liveModel) observeSigning(sig SigningState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m.Default = bare(sig.Default)
	for i, a := range l.m.Apps {
		if s, ok := sig.App(a.App.Name); ok {
			l.m.Apps[i].Certificate, l.m.Apps[i].Pinned = bare(s.Certificate), s.Pinned
		}
	}
}

// observeTrust records the signing set a trust was read with.
func (l *liveModel) observeTrust(ref TrustRef, signing []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m.Trusts[ref.ARN] = ModelTrust{Ref: ref, Signing: slices.Clone(signing)}
}

// check refuses t if it would break a sign-in (see checkInvariant).
func (l *liveModel) check(t Transition) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return checkInvariant(l.m, t, l.outage)
}

// apply records t as made.
func (l *liveModel) apply(t Transition) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = l.m.After(t)
}

// model returns a copy of the model.
func (l *liveModel) model() Model {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m.Clone()
}
