package iamtest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireBotocore returns python3's path, skipping the test when python3
// or botocore is missing (failing it when VOICECERT_REQUIRE_INTEROP=1).
func requireBotocore(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import botocore").Run()
	}
	if err != nil {
		if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
			t.Fatalf("python3 with botocore is not available (VOICECERT_REQUIRE_INTEROP=1): %v", err)
		}
		t.Skipf("python3 with botocore is not available: %v", err)
	}
	return py
}

// TestBotocoreAssumeRoleWithSAML presents Responses to the fake STS through
// botocore (AWS's service model, unsigned, no credentials configured): a
// genuine one is accepted and parsed; each broken one is refused with the
// code AWS documents for it.
func TestBotocoreAssumeRoleWithSAML(t *testing.T) {
	py := requireBotocore(t)
	srv := stsWorld(t)
	now := time.Now()
	genuine := respSpec{signResponse: true}.build(t)
	cases := []struct {
		name, assertion, code string
		status                int
	}{
		{"genuine", genuine, "OK", http.StatusOK},
		{"replay of the genuine one", genuine, "InvalidIdentityToken", http.StatusBadRequest},
		{"tampered", respSpec{tamper: true}.build(t), "InvalidIdentityToken", http.StatusBadRequest},
		{"expired NotOnOrAfter", respSpec{notOnOrAfter: ptr(now.Add(-time.Minute))}.build(t), "ExpiredTokenException", http.StatusBadRequest},
		{"wrong Recipient", respSpec{recipient: ptr("https://evil.example/saml")}.build(t), "AccessDenied", http.StatusForbidden},
		{"missing RoleSessionName", respSpec{noSessionName: true}.build(t), "InvalidIdentityToken", http.StatusBadRequest},
		{"invalid RoleSessionName", respSpec{sessionNames: []string{"agent one"}}.build(t), "InvalidIdentityToken", http.StatusBadRequest},
		{"two SubjectConfirmations", respSpec{confirmations: 2}.build(t), "InvalidIdentityToken", http.StatusBadRequest},
		{"IdP reported a failure", respSpec{status: "urn:oasis:names:tc:SAML:2.0:status:Requester"}.build(t), "IDPRejectedClaim", http.StatusForbidden},
	}
	type input struct {
		Name      string `json:"name"`
		Role      string `json:"role"`
		Principal string `json:"principal"`
		Assertion string `json:"assertion"`
	}
	var in []input
	for _, c := range cases {
		in = append(in, input{Name: c.name, Role: roleOf(acct), Principal: providerOf(acct), Assertion: c.assertion})
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "cases.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	cmd := exec.CommandContext(t.Context(), py, filepath.Join("testdata", "botocore_sts.py"), srv.STSURL(), path)
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true",
		"PYENV_VERSION=" + os.Getenv("PYENV_VERSION"), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "stderr: %s", stderr.String())

	type result struct {
		Name, Code, Botocore, AccessKeyPrefix, Audience, SubjectType, AssumedRoleArn string
		Status                                                                       int
		HasSecret, ExpirationParsed                                                  bool
	}
	var got []result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		got = append(got, r)
	}
	require.Len(t, got, len(cases), "output: %s stderr: %s", out, stderr.String())
	t.Logf("botocore %s", got[0].Botocore)
	for i, c := range cases {
		assert.Equal(t, c.name, got[i].Name)
		assert.Equal(t, c.code, got[i].Code, c.name)
		assert.Equal(t, c.status, got[i].Status, c.name)
	}
	ok := got[0]
	assert.Equal(t, "ASIA", ok.AccessKeyPrefix)
	assert.True(t, ok.HasSecret)
	assert.True(t, ok.ExpirationParsed, "botocore parsed Expiration as a timestamp")
	assert.Equal(t, signInAWS, ok.Audience)
	assert.Equal(t, "persistent", ok.SubjectType)
	assert.True(t, strings.HasPrefix(ok.AssumedRoleArn, "arn:aws:sts::"+acct+":assumed-role/"+roleName+"/"))
	assert.Len(t, srv.Issued(), 1)
	assert.Equal(t, len(cases), srv.CallCount("AssumeRoleWithSAML"))
}
