package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// Each way of giving Salesforce credentials reaches the sandbox org; the AWS
// side comes from the per-account profiles of the standard configuration.
func TestCheckWithEachSalesforceCredential(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "voicecert-ci"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	for name, setup := range map[string]func(t *testing.T, w *sandbox.World) []string{
		"sf CLI alias": func(t *testing.T, w *sandbox.World) []string {
			dir := t.TempDir()
			script := "#!/bin/sh\ncase \"$1 $2\" in\n" +
				"\"org display\") echo '{\"status\":0,\"result\":{\"id\":\"" + sandbox.OrgID + "\",\"username\":\"admin@example.com\"," +
				"\"accessToken\":\"[REDACTED] Use sf org auth show-access-token\",\"instanceUrl\":\"" + w.Org.URL() + "\",\"clientId\":\"PlatformCLI\",\"apiVersion\":\"66.0\"}}' ;;\n" +
				"\"org auth\") echo '{\"status\":0,\"result\":{\"accessToken\":\"" + w.Org.AccessToken() + "\"}}' ;;\n" +
				"*) exit 1 ;;\nesac\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sf"), []byte(script), 0o755))
			t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			return []string{"--sf-target-org", "voice-prod"}
		},
		"JWT bearer": func(t *testing.T, w *sandbox.World) []string {
			w.Org.RegisterJWTClient("3MVG9-ci", w.Org.Username(), cert)
			keyFile := filepath.Join(t.TempDir(), "server.key")
			require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600))
			return []string{"--sf-client-id", "3MVG9-ci", "--sf-jwt-key-file", keyFile, "--sf-username", w.Org.Username(), "--sf-login-url", w.Org.URL()}
		},
		"client credentials": func(t *testing.T, w *sandbox.World) []string {
			w.Org.RegisterClientCredentials("3MVG9-cc", "s3cret-value")
			t.Setenv("SALESFORCE_CLIENT_SECRET", "s3cret-value")
			return []string{"--sf-client-id", "3MVG9-cc", "--sf-instance-url", w.Org.URL()}
		},
	} {
		t.Run(name, func(t *testing.T) {
			w := sandboxEnv(t, sandbox.Options{Pinned: -1})
			// Only the flags may carry the Salesforce credentials.
			t.Setenv("SALESFORCE_ACCESS_TOKEN", "")
			args := setup(t, w)
			out, stderr, code := cli(t, "", append([]string{"check", "--log-level", "debug"}, args...)...)
			require.Equal(t, 0, code, "stdout %s\nstderr %s", out, stderr)
			assert.Contains(t, out, "ContactCenter02")
			assert.NotContains(t, stderr, w.Org.AccessToken())
			assert.NotContains(t, stderr, "s3cret-value")
		})
	}
}
