package sandbox_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// verifications collects the Verification of every EventVerified.
type verifications struct {
	mu  sync.Mutex
	all []*rotation.Verification
}

func (v *verifications) Observe(_ context.Context, e rotation.Event) {
	if e.Type == rotation.EventVerified && e.Verification != nil {
		v.mu.Lock()
		defer v.mu.Unlock()
		v.all = append(v.all, e.Verification)
	}
}

func (v *verifications) list() []*rotation.Verification {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]*rotation.Verification(nil), v.all...)
}

// rotateWith rotates the world with the overlap strategy through idp,
// observing every verification.
func rotateWith(t *testing.T, w *sandbox.World, idp rotation.IdentityProvider, obs *verifications, orgOpts []rotation.OrgOption, opts ...rotation.Option) error {
	t.Helper()
	orgOpts = append([]rotation.OrgOption{rotation.WithStrategy(rotation.StrategyOverlap), rotation.WithKeyBits(2048)}, orgOpts...)
	plan, err := rotation.NewOrgPlan(idp, w.RP, orgOpts...)
	require.NoError(t, err)
	opts = append([]rotation.Option{rotation.WithConfirm(w.PlayAdmin), rotation.WithRetry(4, time.Millisecond, 10*time.Millisecond),
		rotation.WithObserver(obs)}, opts...)
	r, err := rotation.New(plan.Steps(), opts...)
	require.NoError(t, err)
	return r.Run(t.Context(), plan.NewState("sandbox-verification"))
}

// mutatingCalls lists the calls since the marks that would change either
// fake: a metadata write to the org, any IAM call but a read or an STS
// sign-in.
func mutatingCalls(w *sandbox.World, orgMark, iamMark int) []string {
	var out []string
	for _, c := range w.Org.Calls()[orgMark:] {
		switch c.Op {
		case "createMetadata", "updateMetadata", "upsertMetadata", "deleteMetadata", "soap":
			out = append(out, "org "+c.Op+" "+c.Target)
		}
	}
	for _, c := range w.IAM.Calls()[iamMark:] {
		if !strings.HasPrefix(c.Op, "Get") && !strings.HasPrefix(c.Op, "List") {
			out = append(out, "IAM "+c.Op+" "+c.Target)
		}
	}
	return out
}

// TestSHA1OrgRotates: an org whose contact centers' apps are all set to
// SHA1 rotates end to end with the overlap strategy; every verification
// accepts each app's SHA-1 Response with a warning that says how to switch
// it to SHA256, AWS's verdict is accepted, and no sign-in fails.
func TestSHA1OrgRotates(t *testing.T) {
	w := start(t, sandbox.Options{Latency: time.Millisecond})
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Org.SetAppSigningAlgorithm(cc.App, "SHA1"))
	}
	probe := w.StartProbe(t.Context(), 2*time.Millisecond)
	var obs verifications
	err := rotateWith(t, w, w.IdP, &obs, nil)
	attempts, failures, first := probe.Stop()
	require.NoError(t, err)
	require.Positive(t, attempts)
	assert.Zero(t, failures, "first failure: %s", first)

	vs := obs.list()
	require.Len(t, vs, 2, "after trust (old certificate) and after activate (new)")
	for _, v := range vs {
		require.True(t, v.OK(), "%v", v.Problems)
		require.Len(t, v.ContactCenters, len(w.ContactCenters))
		for _, c := range v.ContactCenters {
			assert.Equal(t, rotation.LocalVerified, c.Local.Result, c.ContactCenter.Name)
			assert.True(t, c.Local.SHA1, "%s: a SHA-1 Response accepted as its app is configured", c.ContactCenter.Name)
			assert.Equal(t, rotation.VerdictAccepted, c.Verdict.Outcome, "%s: %s", c.ContactCenter.Name, c.Verdict.Detail)
		}
		warnings := strings.Join(v.Warnings, "\n")
		for _, cc := range w.ContactCenters {
			assert.Contains(t, warnings, "app "+cc.App+" signs its SAML Responses with SHA-1")
		}
		assert.Contains(t, warnings, "set Signing Algorithm to SHA256")
	}
}

// TestTokenWithoutWebScopeIsRefusedInPreflight: a session that cannot
// open a UI session is refused before any change, with a message naming
// the missing scope and structural verification; with structural
// verification the same rotation completes.
func TestTokenWithoutWebScopeIsRefusedInPreflight(t *testing.T) {
	w := start(t, sandbox.Options{})
	tok, err := w.Org.SessionToken(w.Org.Username(), "api", "refresh_token")
	require.NoError(t, err)
	idp, err := w.IdPWithToken(tok)
	require.NoError(t, err)
	before, orgMark, iamMark := w.Snapshot(), len(w.Org.Calls()), len(w.IAM.Calls())

	err = rotateWith(t, w, idp, &verifications{}, nil)
	require.ErrorIs(t, err, rotation.ErrRefused)
	var re *rotation.ReadinessError
	require.ErrorAs(t, err, &re)
	// A bare access token does not tell its scopes; frontdoor.jsp's refusal
	// does, and the message names the scope it needs.
	assert.Contains(t, err.Error(), "the session cannot open a UI session")
	assert.Contains(t, err.Error(), "web or full scope")
	assert.Contains(t, err.Error(), "--verify=structural")
	assert.Empty(t, mutatingCalls(w, orgMark, iamMark))
	assert.Equal(t, before, w.Snapshot())

	var obs verifications
	require.NoError(t, rotateWith(t, w, idp, &obs, []rotation.OrgOption{rotation.WithStructuralVerification()}))
	assert.NotEqual(t, before.Org.DefaultCertificate, w.Snapshot().Org.DefaultCertificate, "rotated")
	assert.NotEmpty(t, mutatingCalls(w, orgMark, iamMark), "a rotation's writes are counted")
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
}

// TestUserWithoutAppAccessIsRefusedInPreflight: a user whom no profile or
// permission set gives access to the contact centers' apps is refused
// before any change, with a message naming each app and the permission
// set that grants it.
func TestUserWithoutAppAccessIsRefusedInPreflight(t *testing.T) {
	w := start(t, sandbox.Options{})
	require.NoError(t, w.Org.UnassignPermissionSet(w.Org.Username(), sftest.PermissionSetContactCenterAdmin))
	before, orgMark, iamMark := w.Snapshot(), len(w.Org.Calls()), len(w.IAM.Calls())

	err := rotateWith(t, w, w.IdP, &verifications{}, nil)
	require.ErrorIs(t, err, rotation.ErrRefused)
	var re *rotation.ReadinessError
	require.ErrorAs(t, err, &re)
	for _, cc := range w.ContactCenters {
		assert.Contains(t, err.Error(), "may not sign in to app "+cc.App)
	}
	assert.Contains(t, err.Error(), sftest.PermissionSetContactCenterAdmin)
	assert.Contains(t, err.Error(), "--verify=structural")
	assert.Empty(t, mutatingCalls(w, orgMark, iamMark))
	assert.Equal(t, before, w.Snapshot())
}

// encryptionKey is a key and a self-signed certificate (PEM) for it: the
// pair an administrator makes for an IAM provider's assertion decryption.
func encryptionKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "assertion-decryption"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// encryptedWorld is a world of two contact centers in two accounts whose
// first provider requires encrypted assertions, its app encrypting to the
// provider's key; it returns the provider and its key ids.
func encryptedWorld(t *testing.T) (*sandbox.World, rotation.TrustRef, []string) {
	t.Helper()
	w := start(t, sandbox.Options{ContactCenters: 2, Accounts: 2})
	cc := w.ContactCenters[0]
	key, certPEM := encryptionKey(t)
	keyIDs := w.IAM.SetAssertionEncryption(cc.ProviderARN, "Required", key)
	require.NoError(t, w.Org.SetAppAssertionEncryption(cc.App, certPEM, "AES_256"))
	ref := rotation.TrustRef{Account: cc.Account, ARN: cc.ProviderARN}
	require.NoError(t, w.Login(t.Context(), cc), "the encrypted assertion signs in before the rotation")
	return w, ref, keyIDs
}

// assertEncryptionKept checks, through the AWS backend, that the
// provider's mode is still Required with the same decryption keys.
func assertEncryptionKept(t *testing.T, w *sandbox.World, ref rotation.TrustRef, keyIDs []string) {
	t.Helper()
	snap, err := w.RP.Trust(t.Context(), ref)
	require.NoError(t, err)
	assert.Equal(t, "Required", snap.EncryptionMode)
	assert.Equal(t, keyIDs, snap.DecryptionKeyIDs)
}

// TestRequiredEncryptionRotatesAndVerifies: a provider that requires
// encrypted assertions rotates with the overlap strategy; each
// verification's local check of its app says the assertion was encrypted
// (outer signature verified) and AWS accepts it; its mode and keys are
// unchanged after the rotation.
func TestRequiredEncryptionRotatesAndVerifies(t *testing.T) {
	w, ref, keyIDs := encryptedWorld(t)
	probe := w.StartProbe(t.Context(), 2*time.Millisecond)
	var obs verifications
	err := rotateWith(t, w, w.IdP, &obs, nil)
	_, failures, first := probe.Stop()
	require.NoError(t, err)
	assert.Zero(t, failures, "first failure: %s", first)

	vs := obs.list()
	require.Len(t, vs, 2)
	for _, v := range vs {
		require.True(t, v.OK(), "%v", v.Problems)
		for _, c := range v.ContactCenters {
			encrypted := c.ContactCenter.App.Name == w.ContactCenters[0].App
			assert.Equal(t, rotation.LocalVerified, c.Local.Result, c.ContactCenter.Name)
			assert.Equal(t, encrypted, c.Local.Encrypted, c.ContactCenter.Name)
			assert.Equal(t, rotation.VerdictAccepted, c.Verdict.Outcome, "%s: %s", c.ContactCenter.Name, c.Verdict.Detail)
		}
	}
	assertEncryptionKept(t, w, ref, keyIDs)
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
}

// TestRequiredEncryptionRollsBack: a rotation of such a provider that
// fails after verification rolls back to the world as it was, its mode and
// keys unchanged.
func TestRequiredEncryptionRollsBack(t *testing.T) {
	w, ref, keyIDs := encryptedWorld(t)
	before := w.Snapshot()
	fail := rotation.StepFunc("fail", "", func(context.Context, *rotation.State) error {
		return rotation.Permanent(errors.New("injected after verify"))
	}, nil)
	err := rotateWith(t, w, w.IdP, &verifications{}, nil, rotation.WithStepAfter(rotation.StepVerify, fail))
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.True(t, re.RolledBack, "%v", err)
	assert.Equal(t, before, w.Snapshot())
	assertEncryptionKept(t, w, ref, keyIDs)
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
}
