package rotation_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// The test world: an org (the fake identity provider) with two contact
// centers, East following the org default and West pinning its own
// certificate, each trusted by an IAM SAML provider in its own account (the
// fake relying party).
const (
	orgID    = "00D000000000001EAA"
	entityID = "https://acme.my.salesforce.com"
	arnEast  = "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"
	arnWest  = "arn:aws:iam::222222222222:saml-provider/SalesforceServiceVoiceIdp"
)

var (
	ccEast = rotation.ContactCenter{Name: "East", Telephony: rotation.TelephonyNative,
		App:   rotation.AppRef{Name: "East_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: arnEast}}
	ccWest = rotation.ContactCenter{Name: "West", Telephony: rotation.TelephonyPartner,
		App:   rotation.AppRef{Name: "West_Connected_App"},
		Trust: rotation.TrustRef{Account: "222222222222", ARN: arnWest}}
)

type world struct {
	idp *rotationtest.IdentityProvider
	rp  *rotationtest.RelyingParty
}

type worldSnapshot struct {
	IdP rotationtest.IdPSnapshot
	RP  map[string]string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{
		idp: rotationtest.NewIdentityProvider(rotationtest.WithKeyGenerator(rotationtest.CachedKey), rotationtest.WithEntityID(entityID)),
		rp:  rotationtest.NewRelyingParty(),
	}
	old, err := w.idp.AddCertificate("Old_Cert", 2048)
	require.NoError(t, err)
	west, err := w.idp.AddCertificate("West_Cert", 2048)
	require.NoError(t, err)
	require.NoError(t, w.idp.UseDefault("Old_Cert"))
	w.idp.AddContactCenter(ccEast)
	w.idp.AddContactCenter(ccWest)
	require.NoError(t, w.idp.PinApp(ccWest.App.Name, "West_Cert"))
	require.NoError(t, w.rp.AddTrust(ccEast.Trust, rotationtest.MetadataDocument(entityID, old.DER)))
	require.NoError(t, w.rp.AddTrust(ccWest.Trust, rotationtest.MetadataDocument(entityID, west.DER)))
	return w
}

func (w *world) snapshot() worldSnapshot {
	return worldSnapshot{IdP: w.idp.Snapshot(), RP: w.rp.Snapshot()}
}

// applied is the world after a complete rotation to the certificate newCert.
func (w *world) applied(t *testing.T, initial worldSnapshot, newCert string) worldSnapshot {
	t.Helper()
	c, ok := w.idp.Certificate(newCert)
	require.True(t, ok, "new certificate %s exists", newCert)
	want := worldSnapshot{IdP: rotationtest.IdPSnapshot{
		DefaultCertificate: newCert,
		Certificates:       map[string]string{newCert: c.SHA256},
		AppCertificates:    map[string]string{ccEast.App.Name: newCert, ccWest.App.Name: newCert},
		Pinned:             initial.IdP.Pinned,
	}, RP: map[string]string{}}
	for n, fp := range initial.IdP.Certificates {
		want.IdP.Certificates[n] = fp
	}
	final := string(rotationtest.MetadataDocument(entityID, c.DER))
	for arn := range initial.RP {
		want.RP[arn] = final
	}
	return want
}

// confirm plays the administrator of every manual gate.
func (w *world) confirm() rotation.Option {
	return rotation.WithConfirm(func(_ context.Context, req rotation.ManualRequest) error {
		return w.idp.PinApp(req.App.Name, req.Certificate)
	})
}

func certName(s *rotation.State) string { return "VC_" + s.ID }

// steps is a small overlap rotation on the fakes. Every Rollback depends
// only on what earlier steps recorded in the State, so it is safe after a
// crash at any point.
func (w *world) steps() []rotation.Step {
	return []rotation.Step{
		rotation.StepFunc("preflight", "discover contact centers; snapshot signing and trust",
			func(ctx context.Context, s *rotation.State) error {
				ccs, err := w.idp.ContactCenters(ctx)
				if err != nil {
					return err
				}
				st, err := w.idp.SigningState(ctx)
				if err != nil {
					return err
				}
				s.ContactCenters, s.OldDefault = ccs, st.Default
				s.Apps, s.Trusts = map[string]rotation.AppState{}, map[string]rotation.TrustState{}
				for _, a := range st.Apps {
					s.Apps[a.App.Name] = rotation.AppState{App: a.App, Before: a.Certificate, Pinned: a.Pinned}
				}
				for _, cc := range ccs {
					snap, err := w.rp.Trust(ctx, cc.Trust)
					if err != nil {
						return err
					}
					s.Trusts[cc.Trust.ARN] = rotation.TrustState{Original: snap}
				}
				return nil
			}, nil),
		rotation.StepFunc("stage", "create the new certificate",
			func(ctx context.Context, s *rotation.State) error {
				c, err := w.idp.CreateCertificate(ctx, rotation.CertificateSpec{Name: certName(s), Label: "new", KeyBits: 2048})
				if err != nil {
					return err
				}
				s.New = c
				return nil
			},
			func(ctx context.Context, s *rotation.State) error {
				return w.idp.DeleteCertificate(ctx, certName(s))
			}),
		rotation.StepFunc("trust", "trust the old and the new certificate",
			w.trustBoth,
			func(ctx context.Context, s *rotation.State) error {
				return w.eachTrust(s, func(arn string, ts *rotation.TrustState) error {
					return w.rp.SetTrust(ctx, ts.Original.Ref, ts.Original.Document)
				})
			}),
		rotation.StepFunc("activate", "make the new certificate the org default",
			func(ctx context.Context, s *rotation.State) error {
				return w.idp.SetDefaultCertificate(ctx, s.New.Name)
			},
			func(ctx context.Context, s *rotation.State) error {
				return w.idp.SetDefaultCertificate(ctx, s.OldDefault.Name)
			}),
		rotation.StepFunc("pin", "set the new certificate on pinned apps",
			func(ctx context.Context, s *rotation.State) error {
				return w.eachPinned(s, func(a *rotation.AppState) error {
					return w.idp.SetAppCertificate(ctx, a.App, s.New.Name)
				})
			},
			func(ctx context.Context, s *rotation.State) error {
				return w.eachPinned(s, func(a *rotation.AppState) error {
					return w.idp.SetAppCertificate(ctx, a.App, a.Before.Name)
				})
			}),
		rotation.StepFunc("retire", "trust only the new certificate",
			func(ctx context.Context, s *rotation.State) error {
				return w.eachTrust(s, func(arn string, ts *rotation.TrustState) error {
					return w.rp.SetTrust(ctx, ts.Original.Ref, rotationtest.MetadataDocument(entityID, s.New.DER))
				})
			},
			w.trustBoth),
	}
}

// eachTrust calls fn on every trust in a stable order, storing its changes.
func (w *world) eachTrust(s *rotation.State, fn func(arn string, ts *rotation.TrustState) error) error {
	arns := make([]string, 0, len(s.Trusts))
	for arn := range s.Trusts {
		arns = append(arns, arn)
	}
	slices.Sort(arns)
	for _, arn := range arns {
		ts := s.Trusts[arn]
		err := fn(arn, &ts)
		s.Trusts[arn] = ts
		if err != nil {
			return fmt.Errorf("trust %s: %w", arn, err)
		}
	}
	return nil
}

func (w *world) eachPinned(s *rotation.State, fn func(a *rotation.AppState) error) error {
	for name, a := range s.Apps {
		if !a.Pinned {
			continue
		}
		err := fn(&a)
		s.Apps[name] = a
		if err != nil {
			return err
		}
	}
	return nil
}

func stepNames(steps []rotation.Step) []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.Name()
	}
	return names
}

// recorder is an Observer that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []rotation.Event
}

func (r *recorder) Observe(_ context.Context, e rotation.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// types returns "type step" per event, for compact sequence assertions.
func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = string(e.Type)
		if e.Step != "" {
			out[i] += " " + e.Step
		}
	}
	return out
}

func (r *recorder) of(t rotation.EventType) []rotation.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []rotation.Event
	for _, e := range r.events {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

func newState() *rotation.State { return &rotation.State{Target: orgID} }

// trustBoth makes every trust hold its original certificates and the new
// one: the trust step's apply and the retire step's rollback.
func (w *world) trustBoth(ctx context.Context, s *rotation.State) error {
	return w.eachTrust(s, func(arn string, ts *rotation.TrustState) error {
		_, certs, err := rotationtest.MetadataCertificates(ts.Original.Document)
		if err != nil {
			return err
		}
		return w.rp.SetTrust(ctx, ts.Original.Ref, rotationtest.MetadataDocument(entityID, append(certs, s.New.DER)...))
	})
}
