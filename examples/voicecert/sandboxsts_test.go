package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// awsCLI returns the path of the aws CLI, skipping the test when it is not
// on PATH (failing it under VOICECERT_REQUIRE_INTEROP=1).
func awsCLI(t *testing.T) string {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
			t.Fatal("the aws CLI is not on PATH (VOICECERT_REQUIRE_INTEROP=1)")
		}
		t.Skip("the aws CLI is not on PATH")
	}
	return aws
}

// The aws CLI, pointed at the sandbox by its exports alone
// (AWS_ENDPOINT_URL_STS), assumes a contact center's role with a Response
// the fake org issued, and gets STS's refusal, with its error code, for the
// same Response again and for a tampered one. The credentials are checked
// by shape and never printed.
func TestSandboxSTSServesTheAWSCLI(t *testing.T) {
	aws := awsCLI(t)
	w := sandboxEnv(t, sandbox.Options{})
	cc := w.ContactCenters[0]
	resp, err := w.IdP.SAMLResponse(t.Context(), rotation.AppRef{Name: cc.App, LoginID: cc.LoginID})
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(resp)
	require.NoError(t, err)
	tampered := base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), cc.RoleARN, cc.RoleARN+"x", 1)))
	require.NotEqual(t, resp, tampered, "the Response names the contact center's role")

	assume := func(assertion string) (string, error) {
		file := filepath.Join(t.TempDir(), "assertion.b64")
		require.NoError(t, os.WriteFile(file, []byte(assertion), 0o600))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, aws, "sts", "assume-role-with-saml", "--output", "json",
			"--role-arn", cc.RoleARN, "--principal-arn", cc.ProviderARN, "--saml-assertion", "file://"+file)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := assume(resp)
	require.NoError(t, err, "the aws CLI refused a genuine Response")
	var got struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		Issuer      string
		Audience    string
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), "the aws CLI's output is not JSON")
	assert.True(t, strings.HasPrefix(got.Credentials.AccessKeyId, "ASIA"), "temporary credentials")
	assert.NotEmpty(t, got.Credentials.SecretAccessKey)
	assert.NotEmpty(t, got.Credentials.SessionToken)
	_, err = time.Parse(time.RFC3339, got.Credentials.Expiration)
	assert.NoError(t, err, "Expiration %q", got.Credentials.Expiration)
	assert.Equal(t, w.Org.URL(), got.Issuer)
	assert.Equal(t, "https://signin.aws.amazon.com/saml", got.Audience)

	for name, assertion := range map[string]string{"the same Response again": resp, "a tampered Response": tampered} {
		out, err := assume(assertion)
		require.Error(t, err, "%s was accepted", name)
		assert.Contains(t, out, "(InvalidIdentityToken)", "%s: %s", name, out)
	}
}
