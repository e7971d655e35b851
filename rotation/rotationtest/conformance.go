package rotationtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// IdPHarness is what TestIdentityProvider needs of an identity provider
// under test.
type IdPHarness struct {
	// IdP is the provider under test. It must have an org default
	// certificate and the ContactCenters below, at least one of whose apps
	// follows the default.
	IdP rotation.IdentityProvider
	// ContactCenters are the contact centers seeded; discovery must return
	// each of them (compared by Name, Telephony, App.Name and Trust).
	ContactCenters []rotation.ContactCenter
	// Pinned is an app that names its own IdP certificate; the zero AppRef
	// skips the manual-gate subtest.
	Pinned rotation.AppRef
	// Admin plays the administrator for Pinned: it sets app's IdP
	// certificate to the named certificate, as a person would in Setup.
	// Required with Pinned.
	Admin func(app rotation.AppRef, certName string) error
	// KeyBits is the size to ask CreateCertificate for; 0 means 2048.
	KeyBits int
	// WaitTimeout bounds the wait for the change a ManualActionError
	// announces; 0 means 10s.
	WaitTimeout time.Duration
}

// RPHarness is what TestRelyingParty needs of a relying party under test.
type RPHarness struct {
	// RP is the provider under test.
	RP rotation.RelyingParty
	// Trust is a trust seeded with a valid metadata document.
	Trust rotation.TrustRef
	// Replacement returns a document the relying party must accept for
	// Trust: valid IdP metadata with Trust's entityID and another signing
	// certificate (see MetadataDocument).
	Replacement func(t *testing.T) []byte
	// Missing is a trust that does not exist; the zero TrustRef derives one
	// from Trust.
	Missing rotation.TrustRef
}

// TestIdentityProvider is the conformance suite of rotation.IdentityProvider.
// newIdP is called once per subtest and must return a provider in its
// seeded state; the subtests restore what they change only as far as the
// interface allows (a certificate they create is deleted).
func TestIdentityProvider(t *testing.T, newIdP func(t *testing.T) IdPHarness) {
	t.Helper()
	t.Run("ContactCenters", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		got, err := h.IdP.ContactCenters(ctx)
		require.NoError(t, err)
		for _, want := range h.ContactCenters {
			found := false
			for _, cc := range got {
				if cc.Name == want.Name {
					found = true
					assert.Equal(t, want.Telephony, cc.Telephony, "telephony of %s", want.Name)
					assert.Equal(t, want.App.Name, cc.App.Name, "app of %s", want.Name)
					assert.Equal(t, want.Trust, cc.Trust, "trust of %s", want.Name)
				}
			}
			assert.True(t, found, "contact center %s not discovered", want.Name)
		}
	})
	t.Run("SigningState", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		centers, err := h.IdP.ContactCenters(ctx)
		require.NoError(t, err)
		st, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		require.NotEmpty(t, st.Default.SHA256, "default certificate")
		require.NotEmpty(t, st.Default.Name, "default certificate name")
		require.Len(t, st.Apps, len(centers), "one signing entry per contact center")
		following := 0
		for i, a := range st.Apps {
			assert.Equal(t, centers[i].App.Name, a.App.Name, "apps in the order of ContactCenters")
			assert.NotEmpty(t, a.Certificate.SHA256, "effective certificate of %s", a.App.Name)
			assert.Equal(t, a.App.Name == h.Pinned.Name && !h.Pinned.IsZero(), a.Pinned, "pinned flag of %s", a.App.Name)
			if !a.Pinned {
				following++
				assert.Equal(t, st.Default.SHA256, a.Certificate.SHA256, "app %s follows the default", a.App.Name)
			}
		}
		assert.Positive(t, following, "the harness must seed an app that follows the default")
	})
	t.Run("CreateCertificate", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		spec := rotation.CertificateSpec{Name: uniqueName("vc_conf"), Label: "voicecert conformance", KeyBits: keyBits(h)}
		c, err := h.IdP.CreateCertificate(ctx, spec)
		require.NoError(t, err)
		t.Cleanup(func() { _ = h.IdP.DeleteCertificate(context.WithoutCancel(ctx), spec.Name) })
		assert.Equal(t, spec.Name, c.Name)
		assert.Equal(t, spec.KeyBits, c.KeyBits, "key bits asked")
		assert.NotEmpty(t, c.SHA256)
		assert.True(t, c.NotAfter.After(time.Now()), "not yet expired")
		again, err := h.IdP.CreateCertificate(ctx, spec)
		require.NoError(t, err, "a retry under the same name")
		assert.Equal(t, c.SHA256, again.SHA256, "idempotent by name: the same certificate")
		require.NoError(t, h.IdP.DeleteCertificate(ctx, spec.Name))
	})
	t.Run("DeleteMissing", func(t *testing.T) {
		h := newIdP(t)
		assert.NoError(t, h.IdP.DeleteCertificate(t.Context(), uniqueName("vc_missing")))
	})
	t.Run("SetDefaultCertificate", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		before, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		c := createCert(t, h)
		require.NoError(t, h.IdP.SetDefaultCertificate(ctx, c.Name))
		t.Cleanup(func() { _ = h.IdP.SetDefaultCertificate(context.WithoutCancel(ctx), before.Default.Name) })
		after, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		assert.Equal(t, c.SHA256, after.Default.SHA256, "default moved")
		for i, a := range after.Apps {
			if a.Pinned {
				assert.Equal(t, before.Apps[i].Certificate.SHA256, a.Certificate.SHA256, "pinned app %s did not move", a.App.Name)
			} else {
				assert.Equal(t, c.SHA256, a.Certificate.SHA256, "app %s follows the default", a.App.Name)
			}
		}
		require.NoError(t, h.IdP.SetDefaultCertificate(ctx, before.Default.Name))
		restored, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		assert.Equal(t, before.Default.SHA256, restored.Default.SHA256, "default restored")
	})
	t.Run("SetDefaultCertificateMissing", func(t *testing.T) {
		h := newIdP(t)
		err := h.IdP.SetDefaultCertificate(t.Context(), uniqueName("vc_missing"))
		assert.ErrorIs(t, err, rotation.ErrNotFound)
	})
	t.Run("SetAppCertificate", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		st, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		for _, a := range st.Apps {
			if !a.Pinned {
				assert.NoError(t, h.IdP.SetAppCertificate(ctx, a.App, st.Default.Name), "app %s follows the default", a.App.Name)
			}
		}
	})
	t.Run("SetAppCertificatePinned", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		if h.Pinned.IsZero() {
			t.Skip("the harness seeds no pinned app")
		}
		require.NotNil(t, h.Admin, "IdPHarness.Admin is required with Pinned")
		st, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		before, ok := st.App(h.Pinned.Name)
		require.True(t, ok, "pinned app %s in SigningState", h.Pinned.Name)
		c := createCert(t, h)
		err = h.IdP.SetAppCertificate(ctx, h.Pinned, c.Name)
		require.ErrorIs(t, err, rotation.ErrManualAction)
		var mae *rotation.ManualActionError
		require.ErrorAs(t, err, &mae)
		assert.NotEmpty(t, mae.Action)
		assert.NotEmpty(t, mae.Instructions)
		assert.Equal(t, h.Pinned.Name, mae.App.Name)
		assert.Equal(t, c.Name, mae.Certificate)
		require.NotNil(t, mae.Wait, "a pinned app's change is observable")

		early, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		assert.Error(t, mae.Wait(early), "Wait must not succeed before the change is made")

		require.NoError(t, h.Admin(h.Pinned, c.Name))
		t.Cleanup(func() { _ = h.Admin(h.Pinned, before.Certificate.Name) })
		wctx, cancel := context.WithTimeout(ctx, waitTimeout(h))
		defer cancel()
		require.NoError(t, mae.Wait(wctx), "Wait sees the change")
		after, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		now, _ := after.App(h.Pinned.Name)
		assert.Equal(t, c.SHA256, now.Certificate.SHA256, "pinned app uses the new certificate")
		assert.NoError(t, h.IdP.SetAppCertificate(ctx, h.Pinned, c.Name), "nothing left to do")
	})
	t.Run("Metadata", func(t *testing.T) {
		h, ctx := newIdP(t), t.Context()
		st, err := h.IdP.SigningState(ctx)
		require.NoError(t, err)
		doc, err := h.IdP.Metadata(ctx, rotation.AppRef{})
		require.NoError(t, err)
		assertHolds(t, doc, st.Default.SHA256, "org metadata")
		for _, a := range st.Apps {
			doc, err := h.IdP.Metadata(ctx, a.App)
			require.NoError(t, err)
			assertHolds(t, doc, a.Certificate.SHA256, "metadata of "+a.App.Name)
		}
	})
}

// TestRelyingParty is the conformance suite of rotation.RelyingParty.
// newRP is called once per subtest and must return a provider in its
// seeded state.
func TestRelyingParty(t *testing.T, newRP func(t *testing.T) RPHarness) {
	t.Helper()
	t.Run("Trust", func(t *testing.T) {
		h := newRP(t)
		snap, err := h.RP.Trust(t.Context(), h.Trust)
		require.NoError(t, err)
		assert.Equal(t, h.Trust.ARN, snap.Ref.ARN)
		_, _, err = MetadataCertificates(snap.Document)
		assert.NoError(t, err, "the held document is valid metadata")
	})
	t.Run("SetTrustRoundTrip", func(t *testing.T) {
		h, ctx := newRP(t), t.Context()
		orig, err := h.RP.Trust(ctx, h.Trust)
		require.NoError(t, err)
		repl := h.Replacement(t)
		require.False(t, bytes.Equal(orig.Document, repl), "Replacement must differ from the seeded document")
		require.NoError(t, h.RP.SetTrust(ctx, h.Trust, repl))
		got, err := h.RP.Trust(ctx, h.Trust)
		require.NoError(t, err)
		assert.Equal(t, string(repl), string(got.Document), "byte-exact after SetTrust")
		require.NoError(t, h.RP.SetTrust(ctx, h.Trust, orig.Document))
		got, err = h.RP.Trust(ctx, h.Trust)
		require.NoError(t, err)
		assert.Equal(t, string(orig.Document), string(got.Document), "restored byte for byte")
	})
	t.Run("SetTrustInvalid", func(t *testing.T) {
		h, ctx := newRP(t), t.Context()
		repl := h.Replacement(t)
		invalid := map[string][]byte{
			"short":        []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`),
			"bom":          append([]byte("\xef\xbb\xbf"), repl...),
			"truncated":    repl[:len(repl)-40],
			"not metadata": []byte("<html><body>" + strings.Repeat("not metadata ", 100) + "</body></html>"),
		}
		for name, doc := range invalid {
			t.Run(name, func(t *testing.T) {
				before, err := h.RP.Trust(ctx, h.Trust)
				require.NoError(t, err)
				err = h.RP.SetTrust(ctx, h.Trust, doc)
				require.ErrorIs(t, err, rotation.ErrInvalidInput)
				after, err := h.RP.Trust(ctx, h.Trust)
				require.NoError(t, err)
				assert.Equal(t, string(before.Document), string(after.Document), "refused document changed nothing")
			})
		}
	})
	t.Run("Missing", func(t *testing.T) {
		h, ctx := newRP(t), t.Context()
		missing := h.Missing
		if missing.IsZero() {
			missing = rotation.TrustRef{Account: h.Trust.Account, ARN: h.Trust.ARN + "Missing"}
		}
		_, err := h.RP.Trust(ctx, missing)
		assert.ErrorIs(t, err, rotation.ErrNotFound)
		assert.ErrorIs(t, h.RP.SetTrust(ctx, missing, h.Replacement(t)), rotation.ErrNotFound)
	})
}

func keyBits(h IdPHarness) int {
	if h.KeyBits == 0 {
		return 2048
	}
	return h.KeyBits
}

func waitTimeout(h IdPHarness) time.Duration {
	if h.WaitTimeout == 0 {
		return 10 * time.Second
	}
	return h.WaitTimeout
}

func createCert(t *testing.T, h IdPHarness) rotation.Certificate {
	t.Helper()
	ctx := t.Context()
	spec := rotation.CertificateSpec{Name: uniqueName("vc_conf"), Label: "voicecert conformance", KeyBits: keyBits(h)}
	c, err := h.IdP.CreateCertificate(ctx, spec)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.IdP.DeleteCertificate(context.WithoutCancel(ctx), spec.Name) })
	return c
}

func assertHolds(t *testing.T, doc []byte, fingerprint, what string) {
	t.Helper()
	fps, err := MetadataFingerprints(doc)
	if assert.NoError(t, err, what) {
		assert.Contains(t, fps, fingerprint, "%s holds the effective certificate", what)
	}
}

func uniqueName(prefix string) string {
	return prefix + "_" + strings.ToLower(rand.Text()[:10])
}
