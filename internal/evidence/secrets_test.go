package evidence

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// Every world of every evidence test scans what it captured when the test
// ends (see newWorld): the fault matrix, the crash matrix, the storm and the
// lock tests all fail on a leaked secret. The tests here prove that the
// scanner finds what it looks for, and drive the failure paths most likely
// to leak (errors that quote a request, re-authentication, time-outs).

// TestSecretScannerFindsPlantedSecrets plants each kind of secret in a
// capture and expects the scanner to name it, and checks that what a
// rotation legitimately writes (certificates, fingerprints, documents) is
// not taken for a secret.
func TestSecretScannerFindsPlantedSecrets(t *testing.T) {
	w := newWorld(t, worldOptions())
	_, err := w.rotate("clean", nil)
	require.NoError(t, err)
	secrets := w.secrets()
	require.Empty(t, w.capture.scan(secrets), "a clean rotation leaks nothing")

	key, err := poolKey(2048, 0)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	acct := w.Accounts[0]
	for _, tc := range []struct {
		name, text, want string
	}{
		{"token in a log line", `{"level":"INFO","msg":"call","sid":"` + w.Org.AccessToken() + `"}`, "Salesforce access token"},
		{"AWS secret in an error", "aws: signing with " + w.Credentials[acct][1] + " failed", "AWS secret access key of " + acct},
		{"PEM private key", pemKey(key), `"PRIVATE KEY"`},
		{"PKCS #8 key as bare base64", "key=" + base64.StdEncoding.EncodeToString(pkcs8), "private key"},
		{"PKCS #1 PEM body without its header", strings.Join(strings.Split(pemKey(key), "\n")[1:], "\n"), "private key"},
		{"key printed with %v", fmt.Sprintf("%v", key), "(exponent, decimal)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCapture()
			c.add("slog", "an innocent line")
			c.add("planted", tc.text)
			leaks := c.scan(secrets)
			require.NotEmpty(t, leaks, "the scanner must find the planted secret")
			assert.True(t, strings.Contains(strings.Join(leaks, "; "), tc.want), "leaks %v should name %q", leaks, tc.want)
			for _, l := range leaks {
				assert.Contains(t, l, "in planted", "only the planted text leaks")
				assert.NotContains(t, l, tc.text, "a report never repeats the secret")
			}
		})
	}

	// A certificate of the same key carries its public modulus; the
	// scanner must not mistake it for the private key.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "scan"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c := newCapture()
	c.add("certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	c.add("certificate", base64.StdEncoding.EncodeToString(der))
	assert.Empty(t, c.scan(secrets))
}

// TestNoSecretOnFailurePaths drives the failures most likely to leak a
// secret and checks that every log line, event, journal record and error
// they produce was captured and holds none: a time-out of the frontdoor
// request (whose URL carries the session id), a session that stops being
// valid, refusals by both services, and a transient storm on the SSO
// endpoints.
func TestNoSecretOnFailurePaths(t *testing.T) {
	cases := []struct {
		name   string
		inject func(i int, c apiCall) *fault
		fails  bool
	}{
		{"frontdoor times out", nil, true},
		// A static token cannot be renewed: every later call fails and even
		// the rollback cannot finish. What matters here is what the
		// INVALID_SESSION_ID path writes.
		{"session revoked mid-rotation", nil, true},
		{"IAM refuses the update", func(_ int, c apiCall) *fault {
			if c.Op == "UpdateSAMLProvider" {
				return &fault{Code: "AccessDenied"}
			}
			return nil
		}, true},
		{"Salesforce refuses the IdP setting", func(_ int, c apiCall) *fault {
			if c.Op == "updateMetadata" {
				return &fault{Code: "INSUFFICIENT_ACCESS"}
			}
			return nil
		}, true},
		{"SSO endpoints fail transiently", func(i int, c apiCall) *fault {
			if (c.Op == "frontdoor" || c.Op == "idp/login") && i%3 == 0 {
				return &fault{Code: "SERVER_UNAVAILABLE"}
			}
			return nil
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, worldOptions())
			secrets := w.secrets()
			ctx := context.Background()
			var opts []rotation.Option
			switch tc.name {
			case "frontdoor times out":
				w.setInject(func(_ int, c apiCall) *fault {
					if c.Op == "frontdoor" {
						return &fault{Latency: 5 * time.Second}
					}
					return nil
				})
				short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
				defer cancel()
				_, err := w.IdP.SAMLResponse(short, rotation.AppRef{Name: w.ContactCenters[0].App, LoginID: w.ContactCenters[0].LoginID})
				require.Error(t, err)
				w.capture.err(err)
				// And a whole rotation whose deadline ends during the
				// verification's first sign-in.
				var cancelRun context.CancelFunc
				ctx, cancelRun = context.WithTimeout(ctx, time.Second)
				defer cancelRun()
			case "session revoked mid-rotation":
				opts = append(opts, rotation.WithStepAfter(rotation.StepTrust, rotation.StepFunc("revoke", "", func(context.Context, *rotation.State) error {
					w.Org.RevokeSessions()
					return nil
				}, nil)))
			default:
				w.setInject(tc.inject)
			}
			_, err := w.rotateCtx(ctx, "paths", nil, opts...)
			if tc.fails {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			sizes := w.capture.size()
			for _, kind := range []string{"slog", "event", "journal"} {
				assert.Positive(t, sizes[kind], "%s captured", kind)
			}
			if tc.fails {
				assert.Positive(t, sizes["error"], "error captured")
			}
			assert.Empty(t, w.capture.scan(secrets))
		})
	}
}
