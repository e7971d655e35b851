package rotationtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// brokenEnv selects, in a child test process, which defect the providers
// under the suite have.
const brokenEnv = "ROTATIONTEST_BROKEN"

// The defects: each wraps a correct fake and breaks one promise.
type (
	notIdempotent struct{ *rotationtest.IdentityProvider }
	staleApps     struct{ *rotationtest.IdentityProvider }
	noGate        struct{ *rotationtest.IdentityProvider }
	notByteExact  struct{ *rotationtest.RelyingParty }
	stripsBOM     struct{ *rotationtest.RelyingParty }
	vagueMissing  struct{ *rotationtest.RelyingParty }
)

func (p notIdempotent) CreateCertificate(ctx context.Context, s rotation.CertificateSpec) (rotation.Certificate, error) {
	_ = p.IdentityProvider.DeleteCertificate(ctx, s.Name)
	return p.IdentityProvider.CreateCertificate(ctx, s)
}

func (p staleApps) SigningState(ctx context.Context) (rotation.SigningState, error) {
	st, err := p.IdentityProvider.SigningState(ctx)
	old, _ := p.Certificate("Old_Cert")
	for i := range st.Apps {
		if !st.Apps[i].Pinned {
			st.Apps[i].Certificate = old
		}
	}
	return st, err
}

func (noGate) SetAppCertificate(context.Context, rotation.AppRef, string) error { return nil }

func (p notByteExact) SetTrust(ctx context.Context, ref rotation.TrustRef, doc []byte) error {
	return p.RelyingParty.SetTrust(ctx, ref, bytes.TrimSpace(doc))
}

func (p stripsBOM) SetTrust(ctx context.Context, ref rotation.TrustRef, doc []byte) error {
	return p.RelyingParty.SetTrust(ctx, ref, bytes.TrimPrefix(doc, []byte("\xef\xbb\xbf")))
}

func (p vagueMissing) Trust(ctx context.Context, ref rotation.TrustRef) (rotation.TrustSnapshot, error) {
	s, err := p.RelyingParty.Trust(ctx, ref)
	if err != nil {
		err = errors.New(err.Error())
	}
	return s, err
}

// TestBrokenProvider runs the suites against a defective provider. It runs
// only as the child process of TestSuiteCatchesDefects, where it must fail.
func TestBrokenProvider(t *testing.T) {
	mode := os.Getenv(brokenEnv)
	if mode == "" {
		t.Skip("runs in the child process of TestSuiteCatchesDefects")
	}
	idp := func(wrap func(*rotationtest.IdentityProvider) rotation.IdentityProvider) {
		rotationtest.TestIdentityProvider(t, func(t *testing.T) rotationtest.IdPHarness {
			p := newIdP(t)
			return rotationtest.IdPHarness{
				IdP: wrap(p), ContactCenters: []rotation.ContactCenter{ccFollow, ccPinned}, Pinned: ccPinned.App,
				Admin: func(app rotation.AppRef, cert string) error { return p.PinApp(app.Name, cert) },
			}
		})
	}
	rp := func(wrap func(*rotationtest.RelyingParty) rotation.RelyingParty) {
		rotationtest.TestRelyingParty(t, func(t *testing.T) rotationtest.RPHarness {
			return rotationtest.RPHarness{RP: wrap(newRP(t)), Trust: ccFollow.Trust,
				Replacement: func(t *testing.T) []byte { return rotationtest.MetadataDocument(entityID, certDER(t, "r")) }}
		})
	}
	switch mode {
	case "not-idempotent":
		idp(func(p *rotationtest.IdentityProvider) rotation.IdentityProvider { return notIdempotent{p} })
	case "stale-apps":
		idp(func(p *rotationtest.IdentityProvider) rotation.IdentityProvider { return staleApps{p} })
	case "no-gate":
		idp(func(p *rotationtest.IdentityProvider) rotation.IdentityProvider { return noGate{p} })
	case "not-byte-exact":
		rp(func(p *rotationtest.RelyingParty) rotation.RelyingParty { return notByteExact{p} })
	case "strips-bom":
		rp(func(p *rotationtest.RelyingParty) rotation.RelyingParty { return stripsBOM{p} })
	case "vague-missing":
		rp(func(p *rotationtest.RelyingParty) rotation.RelyingParty { return vagueMissing{p} })
	default:
		t.Fatalf("unknown defect %q", mode)
	}
}

// TestSuiteCatchesDefects proves the conformance suites can fail: each
// defective provider fails exactly the subtest that checks its promise.
func TestSuiteCatchesDefects(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child test processes")
	}
	cases := map[string]defect{
		"not-idempotent": {"CreateCertificate", "ContactCenters"},
		"stale-apps":     {"SetDefaultCertificate", "ContactCenters"},
		"no-gate":        {"SetAppCertificatePinned", "ContactCenters"},
		"not-byte-exact": {"SetTrustRoundTrip", "Trust"},
		"strips-bom":     {"SetTrustInvalid/bom", "Trust"},
		"vague-missing":  {"Missing", "Trust"},
	}
	catchesDefects(t, "TestBrokenProvider", brokenEnv, cases)
}
