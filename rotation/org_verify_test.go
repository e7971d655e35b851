package rotation_test

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/samlmeta"
)

// loginIdP adds IdP-initiated login to the fake identity provider: it signs
// a Response with the key of the app's effective certificate (what its
// metadata publishes), or misbehaves as the test says.
type loginIdP struct {
	*rotationtest.IdentityProvider
	keys        *keyRing
	issuer      string
	foreign     *rsa.PrivateKey // sign with this key and foreignCert instead
	foreignCert *samlmeta.Cert
	fail        error // fail every login
	// reshape, when set, replaces the Response signed for app.
	reshape  func(app rotation.AppRef, key *rsa.PrivateKey, cert *samlmeta.Cert, resp []byte) ([]byte, error)
	logins   atomic.Int64
	inFlight atomic.Int64
	peak     atomic.Int64
	// allIn is closed once as many sign-ins as the world has apps are in
	// flight together: each waits for it (or a deadline), as a network
	// round trip would, so sign-ins sent at once overlap however late the
	// scheduler starts one.
	allIn     chan struct{}
	allInOnce sync.Once
}

// keyRing remembers every key the fake generates, by modulus.
type keyRing struct {
	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey
}

func (k *keyRing) generate(bits int) (*rsa.PrivateKey, error) {
	key, err := rotationtest.CachedKey(bits)
	if err == nil {
		k.mu.Lock()
		k.keys[key.N.String()] = key
		k.mu.Unlock()
	}
	return key, err
}

func (k *keyRing) of(c *samlmeta.Cert) *rsa.PrivateKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[c.X509.PublicKey.(*rsa.PublicKey).N.String()]
}

func (p *loginIdP) SAMLResponse(ctx context.Context, app rotation.AppRef) (string, error) {
	p.logins.Add(1)
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		peak := p.peak.Load()
		if n <= peak || p.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	if n >= loginApps {
		p.allInOnce.Do(func() { close(p.allIn) })
	}
	select {
	case <-p.allIn:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
	if p.fail != nil {
		return "", p.fail
	}
	doc, err := p.Metadata(ctx, app)
	if err != nil {
		return "", err
	}
	md, err := samlmeta.Parse(doc)
	if err != nil {
		return "", err
	}
	certs, err := md.SigningCertificates()
	if err != nil {
		return "", err
	}
	key, cert := p.keys.of(certs[0]), certs[0]
	if p.foreign != nil {
		key, cert = p.foreign, p.foreignCert
	}
	resp, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{Issuer: p.issuer, NameID: "agent@example.com",
		Destination: "https://signin.aws.amazon.com/saml", Audience: "https://signin.aws.amazon.com/saml"}, key, cert)
	if err == nil && p.reshape != nil {
		resp, err = p.reshape(app, key, cert, resp)
	}
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(resp), nil
}

// loginApps is how many apps the org world has.
const loginApps = 3

func newLoginWorld(t *testing.T) (*orgWorld, *loginIdP) {
	t.Helper()
	keys := &keyRing{keys: map[string]*rsa.PrivateKey{}}
	w := newOrgWorldWithKeys(t, keys.generate)
	return w, &loginIdP{IdentityProvider: w.idp, keys: keys, issuer: entityID, allIn: make(chan struct{})}
}

// Verification signs in to every app, at once, and checks each Response
// against the document its trust holds: signed by the new certificate,
// issued by the trust's entityID. A Response that fails either check, or a
// sign-in that fails, fails verification and the rotation rolls back.
func TestOrgPlanVerifiesASignInPerApp(t *testing.T) {
	foreign, err := rotationtest.FreshKey(2048)
	require.NoError(t, err)
	fc, err := rotationtest.NewCertificate("Foreign", "Foreign", foreign, time.Now())
	require.NoError(t, err)
	foreignCert, err := samlmeta.ParseCertDER(fc.DER)
	require.NoError(t, err)
	cases := []struct {
		name  string
		spoil func(*loginIdP)
		want  string
	}{
		{"good", func(*loginIdP) {}, ""},
		{"signed with another key", func(p *loginIdP) { p.foreign, p.foreignCert = foreign, foreignCert }, "does not verify against trust"},
		{"issued by another entity", func(p *loginIdP) { p.issuer = "https://evil.example.com" }, "is not the metadata's entityID"},
		{"sign-in fails", func(p *loginIdP) { p.fail = rotation.Permanent(errors.New("login refused")) }, "login refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, idp := newLoginWorld(t)
			tc.spoil(idp)
			initial := w.snapshot()
			plan, err := rotation.NewOrgPlan(idp, w.rp, rotation.WithKeyBits(2048))
			require.NoError(t, err)
			st := plan.NewState("login")
			err = w.rotator(t, plan).Run(context.Background(), st)
			if tc.want == "" {
				require.NoError(t, err)
				requireRotated(t, w, initial, st)
				assert.EqualValues(t, 3, idp.logins.Load(), "three apps signed in to once: retirement checks the same Responses against the final documents")
				assert.EqualValues(t, 3, idp.peak.Load(), "the three sign-ins at once")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var re *rotation.RotationError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, rotation.StepVerify, re.Step)
			assert.True(t, re.RolledBack)
			assert.Equal(t, initial, w.snapshot())
		})
	}
}

// Retirement confirms what the verification's Responses proved (journaled
// in State.Verified) against the final documents, however long the soak:
// the signing state it reads shows every app still signing with the
// certificate that verified its Response, so no app signs in again.
func TestOrgPlanRetireConfirmsWhatVerificationProved(t *testing.T) {
	for _, tc := range []struct {
		soak   time.Duration
		logins int64
	}{{0, 3}, {30 * time.Second, 3}, {2 * time.Hour, 3}} {
		t.Run(tc.soak.String(), func(t *testing.T) {
			w, idp := newLoginWorld(t)
			initial := w.snapshot()
			var mu sync.Mutex
			now := time.Now()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			sleep := func(_ context.Context, d time.Duration) error {
				mu.Lock()
				defer mu.Unlock()
				now = now.Add(d)
				return nil
			}
			plan, err := rotation.NewOrgPlan(idp, w.rp, rotation.WithKeyBits(2048), rotation.WithSoak(tc.soak), rotation.WithOrgClock(clock, sleep))
			require.NoError(t, err)
			st := plan.NewState("soak")
			require.NoError(t, w.rotator(t, plan).Run(context.Background(), st))
			requireRotated(t, w, initial, st)
			assert.Equal(t, tc.logins, idp.logins.Load())
			require.Len(t, st.Verified, 3)
			for _, p := range st.Verified {
				assert.Equal(t, st.New.SHA256, p.SignedBy, "app %s", p.App)
			}
		})
	}
}
