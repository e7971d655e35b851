package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The aws CLI lists the sandbox's SAML providers with nothing but the
// printed exports in its environment.
func TestSandboxServesTheAWSCLI(t *testing.T) {
	aws := awsCLI(t)
	s, exports, code := startSandboxCmd(t)
	require.NotEmpty(t, exports, "exit %d, stderr: %s", code, s.stderr.String())
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, line := range strings.Split(exports, "\n") {
		kv := strings.TrimPrefix(line, "export ")
		k, v, _ := strings.Cut(kv, "=")
		env = append(env, k+"="+strings.ReplaceAll(strings.Trim(v, "'"), `'\''`, "'"))
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, aws, "iam", "list-saml-providers", "--output", "json")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var list struct {
		SAMLProviderList []struct{ Arn string } `json:"SAMLProviderList"`
	}
	require.NoError(t, json.Unmarshal(out, &list), "%s", out)
	require.NotEmpty(t, list.SAMLProviderList)
	for _, p := range list.SAMLProviderList {
		assert.Contains(t, p.Arn, ":saml-provider/SalesforceServiceVoiceIdp")
	}
}
