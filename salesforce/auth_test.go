package salesforce_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// countOps counts the org's calls of op.
func countOps(org *sftest.Org, op string) int {
	n := 0
	for _, c := range org.Calls() {
		if c.Op == op {
			n++
		}
	}
	return n
}

// useSource builds a client from src, without an instance URL (it comes from
// the token), and lists call centers through the Metadata API.
func useSource(t *testing.T, org *sftest.Org, src oauth2.TokenSource, logs *logBuffer) error {
	t.Helper()
	c, err := salesforce.NewClient("", src, fastRetry, func(o *salesforce.Options) {
		o.HTTPClient = org.Client()
		if logs != nil {
			o.Logger = logs.logger()
		}
	})
	require.NoError(t, err)
	files, err := c.ListMetadata(ctxT(t), salesforce.TypeCallCenter)
	if err == nil {
		assert.NotEmpty(t, files)
	}
	return err
}

// requireOAuthError checks that err is the token endpoint's error code.
func requireOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, code, re.ErrorCode)
}

func seededOrg(t *testing.T, opts ...sftest.Option) *sftest.Org {
	t.Helper()
	org := sftest.New(opts...)
	t.Cleanup(org.Close)
	org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Support_Voice", Telephony: sftest.TelephonyNative})
	return org
}

func TestStaticTokenAgainstSftest(t *testing.T) {
	org := seededOrg(t)
	require.NoError(t, useSource(t, org, salesforce.StaticToken(org.URL(), org.AccessToken()), nil))
	err := useSource(t, org, salesforce.StaticToken(org.URL(), "00D000000000001!forged"), nil)
	var f *salesforce.SOAPFault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, salesforce.CodeInvalidSession, f.Code)
}

func TestJWTBearerAgainstSftest(t *testing.T) {
	org := seededOrg(t)
	key := testKey(t, 2048)
	org.RegisterJWTClient("3MVG9jwt", org.Username(), selfSigned(t, key, "jwt", time.Hour))
	src := &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: org.Username(), PrivateKey: key, LoginURL: org.URL(), HTTPClient: org.Client()}
	require.NoError(t, useSource(t, org, src, nil))
	assert.Equal(t, 1, countOps(org, "token"))

	t.Run("wrong key", func(t *testing.T) {
		bad := *src
		bad.PrivateKey = testKey(t, 2048)
		for bad.PrivateKey.Equal(key) {
			bad.PrivateKey = testKey(t, 2048)
		}
		err := useSource(t, org, &bad, nil)
		requireOAuthError(t, err, "invalid_grant")
		assert.False(t, rotation.IsTransient(err))
	})
	t.Run("expired assertion", func(t *testing.T) {
		old := *src
		old.Now = func() time.Time { return time.Now().Add(-time.Hour) }
		requireOAuthError(t, useSource(t, org, &old, nil), "invalid_grant")
	})
	t.Run("wrong audience", func(t *testing.T) {
		aud := *src
		aud.Audience = "https://elsewhere.example.com"
		requireOAuthError(t, useSource(t, org, &aud, nil), "invalid_grant")
	})
	t.Run("token endpoint unavailable is transient", func(t *testing.T) {
		org.InjectFault("token", sftest.Fault{Code: "SERVER_UNAVAILABLE", Status: 503}, 10)
		t.Cleanup(func() { org.InjectFault("token", sftest.Fault{}, 0) })
		err := useSource(t, org, src, nil)
		require.Error(t, err)
		assert.True(t, rotation.IsTransient(err), "%v", err)
	})
	assert.Contains(t, fmt.Sprint(src), "3MVG9jwt")
	assert.NotContains(t, fmt.Sprintf("%+v", src), "PRIVATE", "printing the source hides the key")
}

// The signed assertion is a bearer credential: it is never sent in clear
// text, except to a loopback test server.
func TestJWTBearerLoginURLMustBeHTTPS(t *testing.T) {
	key := testKey(t, 2048)
	sent := 0
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		sent++
		return nil, errors.New("no network in this test")
	})}
	for _, login := range []string{"http://192.0.2.2:18080", "http://example.my.salesforce.com", "ftp://login.salesforce.com", "login.salesforce.com", "http://[::ffff:192.0.2.2]"} {
		src := &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: "u@example.com", PrivateKey: key, LoginURL: login, HTTPClient: client}
		_, err := src.TokenContext(t.Context())
		require.ErrorIs(t, err, salesforce.ErrInsecureLoginURL, login)
	}
	assert.Zero(t, sent, "no request leaves for an insecure login URL")
	for _, login := range []string{"https://login.salesforce.com", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"} {
		src := &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: "u@example.com", PrivateKey: key, LoginURL: login, HTTPClient: client}
		_, err := src.TokenContext(t.Context())
		require.Error(t, err)
		assert.NotErrorIs(t, err, salesforce.ErrInsecureLoginURL, login)
	}
	assert.Equal(t, 4, sent)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClientCredentialsAgainstSftest(t *testing.T) {
	org := seededOrg(t)
	const secret = "s3cr3t-client-secret"
	org.RegisterClientCredentials("3MVG9cc", secret)
	src := &salesforce.ClientCredentials{InstanceURL: org.URL(), ClientID: "3MVG9cc", ClientSecret: secret, HTTPClient: org.Client()}
	require.NoError(t, useSource(t, org, src, nil))

	bad := *src
	bad.ClientSecret = "wrong"
	err := useSource(t, org, &bad, nil)
	requireOAuthError(t, err, "invalid_client")
	assert.NotContains(t, err.Error(), "wrong")
	assert.NotContains(t, fmt.Sprintf("%v %+v", src, src), secret, "printing the source hides the secret")
	logs := &logBuffer{}
	logs.logger().Info("source", "cc", src, "jwt", &salesforce.JWTBearer{ClientID: "3MVG9jwt", PrivateKey: testKey(t, 2048)})
	assert.Contains(t, logs.String(), `"client_id":"3MVG9cc"`)
	assert.Contains(t, logs.String(), `"client_id":"3MVG9jwt"`)
	assert.NotContains(t, logs.String(), secret, "logging the source hides the secret")
	assert.NotContains(t, logs.String(), "PrivateKey")
}

func TestJWTFormatAccessTokensRefusedAgainstSftest(t *testing.T) {
	org := seededOrg(t, sftest.WithJWTAccessTokens())
	org.RegisterClientCredentials("3MVG9cc", "secret")
	src := &salesforce.ClientCredentials{InstanceURL: org.URL(), ClientID: "3MVG9cc", ClientSecret: "secret", HTTPClient: org.Client()}
	err := useSource(t, org, src, nil)
	require.ErrorIs(t, err, salesforce.ErrJWTAccessToken)
	assert.Equal(t, 1, countOps(org, "token"))
	for _, c := range org.Calls() {
		assert.Equal(t, "token", c.Op, "no call but the token request was made")
	}
}

// fakeCLI writes a stand-in `sf` executable into a temporary directory put
// first on PATH. displayToken is the accessToken org display prints;
// showToken, when not empty, is what org auth show-access-token prints,
// else that command fails as on CLIs that lack it. Every invocation's
// arguments are appended to the returned file.
func fakeCLI(t *testing.T, org *sftest.Org, displayToken, showToken string) (argsFile string) {
	t.Helper()
	dir := t.TempDir()
	argsFile = filepath.Join(dir, "args")
	show := `echo '{"status":1,"name":"CommandNotFoundError","message":"org auth show-access-token is not a sf command."}'; exit 1`
	if showToken != "" {
		show = `echo '{"status":0,"result":{"accessToken":"` + showToken + `"},"warnings":[]}'`
	}
	script := `#!/bin/sh
echo "$@" >> "` + argsFile + `"
case "$1 $2" in
"org display")
  echo '{"status":0,"result":{"id":"00D000000000001AAA","username":"admin@example.com","accessToken":"` + displayToken + `","instanceUrl":"` + org.URL() + `","clientId":"PlatformCLI","apiVersion":"66.0","connectedStatus":"Connected"},"warnings":[]}'
  ;;
"org auth")
  ` + show + `
  ;;
*)
  echo '{"status":1,"name":"Unknown","message":"unexpected"}'; exit 1
  ;;
esac
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sf"), []byte(script), 0o755))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return argsFile
}

func TestCLIAgainstSftest(t *testing.T) {
	const redacted = "[REDACTED] Use 'sf org auth show-access-token' to view"
	t.Run("newer CLI redacts; show-access-token gives the token", func(t *testing.T) {
		org := seededOrg(t)
		args := fakeCLI(t, org, redacted, org.AccessToken())
		require.NoError(t, useSource(t, org, &salesforce.CLI{TargetOrg: "voice-prod"}, nil))
		got, err := os.ReadFile(args)
		require.NoError(t, err)
		assert.Equal(t, "org display --target-org voice-prod --json\norg auth show-access-token --target-org voice-prod --json\n", string(got))
	})
	t.Run("older CLI: org display's token", func(t *testing.T) {
		org := seededOrg(t)
		fakeCLI(t, org, org.AccessToken(), "")
		require.NoError(t, useSource(t, org, &salesforce.CLI{TargetOrg: "voice-prod"}, nil))
	})
	t.Run("redacted and no show-access-token", func(t *testing.T) {
		org := seededOrg(t)
		fakeCLI(t, org, redacted, "")
		err := useSource(t, org, &salesforce.CLI{TargetOrg: "voice-prod"}, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "update the Salesforce CLI")
		assert.Contains(t, err.Error(), "CommandNotFoundError")
		assert.Empty(t, org.Calls(), "nothing was sent to the org")
	})
	t.Run("executable missing", func(t *testing.T) {
		org := seededOrg(t)
		err := useSource(t, org, &salesforce.CLI{Executable: filepath.Join(t.TempDir(), "no-such-sf")}, nil)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no-such-sf")
	})
	t.Run("token extras", func(t *testing.T) {
		org := seededOrg(t)
		fakeCLI(t, org, redacted, org.AccessToken())
		tok, err := (&salesforce.CLI{}).Token()
		require.NoError(t, err)
		assert.Equal(t, org.URL(), tok.Extra("instance_url"))
		assert.Equal(t, "66.0", tok.Extra("api_version"))
	})
}

// TestNoSecretInLogsOrErrors drives every token source and the provider,
// with failures, while capturing debug logs and every error, and scans them
// for tokens, the client secret and the private key.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	sb := newSandbox(t)
	org, ctx := sb.org, ctxT(t)
	const secret = "cc-secret-value-0123456789"
	org.RegisterClientCredentials("3MVG9cc", secret)
	key := testKey(t, 2048)
	org.RegisterJWTClient("3MVG9jwt", org.Username(), selfSigned(t, key, "jwt", time.Hour))

	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	tokens := []string{org.AccessToken()}

	// Provider work, including the frontdoor login whose URL carries the session id.
	_, err := sb.provider.SigningState(ctx)
	require.NoError(t, err)
	app := sb.centers[0].App
	_, err = sb.provider.SAMLResponse(ctx, app)
	require.NoError(t, err, "the frontdoor login, whose URL carries the session id, ran")
	org.InjectFault("readMetadata", sftest.Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, 1)
	_, err = sb.provider.ContactCenters(ctx)
	note(err)
	org.RevokeSessions()
	_, err = sb.provider.SigningState(ctx)
	note(err)
	tokens = append(tokens, org.AccessToken())
	note(sb.provider.SetAppCertificate(ctx, sb.pinned, defaultCert))
	org.InjectFault("frontdoor", sftest.Fault{Code: "UNKNOWN_EXCEPTION"}, 10)
	_, err = sb.provider.SAMLResponse(ctx, app)
	require.Error(t, err)
	note(err)
	require.Len(t, errs, 2, "the manual action and the failed login")

	// Token sources, good and bad, logging at debug level.
	logs := sb.logs
	note(useSource(t, org, &salesforce.ClientCredentials{InstanceURL: org.URL(), ClientID: "3MVG9cc", ClientSecret: secret, HTTPClient: org.Client()}, logs))
	note(useSource(t, org, &salesforce.ClientCredentials{InstanceURL: org.URL(), ClientID: "3MVG9cc", ClientSecret: secret + "x", HTTPClient: org.Client()}, logs))
	note(useSource(t, org, &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: org.Username(), PrivateKey: key, LoginURL: org.URL(), HTTPClient: org.Client()}, logs))
	note(useSource(t, org, &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: "nobody@example.com", PrivateKey: key, LoginURL: org.URL(), HTTPClient: org.Client()}, logs))
	note(useSource(t, org, salesforce.StaticToken(org.URL(), tokens[0]), logs)) // revoked
	fakeCLI(t, org, tokens[1], "")
	note(useSource(t, org, &salesforce.CLI{}, logs))
	fakeCLI(t, org, "[REDACTED] "+tokens[1], "")
	note(useSource(t, org, &salesforce.CLI{}, logs))

	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	secrets := append(tokens, secret, keyPEM[40:120], strings.SplitN(tokens[0], "!", 2)[1])
	text := logs.String()
	for _, err := range errs {
		text += "\n" + err.Error() + fmt.Sprintf(" %+v %#v", err, err)
		var ue interface{ Unwrap() error }
		for e := err; e != nil; {
			text += " " + e.Error()
			if !errors.As(e, &ue) {
				break
			}
			e = ue.Unwrap()
		}
	}
	require.Contains(t, text, "salesforce: call", "debug records were captured")
	for _, s := range secrets {
		assert.NotContains(t, text, s)
	}
}
