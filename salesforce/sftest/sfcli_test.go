package sftest

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

// sfCLI returns the Salesforce CLI's path, skipping the test when it is not
// installed, or failing it when VOICECERT_REQUIRE_INTEROP=1.
func sfCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("sf")
	if err != nil {
		if os.Getenv("VOICECERT_REQUIRE_INTEROP") == "1" {
			t.Fatal("the Salesforce CLI (sf) is not on PATH (VOICECERT_REQUIRE_INTEROP=1)")
		}
		t.Skip("the Salesforce CLI (sf) is not on PATH")
	}
	return path
}

type sfResult struct {
	Status int             `json:"status"`
	Result json.RawMessage `json:"result"`
	Name   string          `json:"name"`
	Msg    string          `json:"message"`
}

// The Salesforce CLI logs in to the fake org with an access token, then
// describes it and queries the call centers, as a person would.
func TestSalesforceCLI(t *testing.T) {
	sf := sfCLI(t)
	o := newOrg(t)
	o.AddContactCenter(ContactCenterSeed{InternalName: "CLI_Center", Telephony: TelephonyNative,
		RoleARN: "arn:aws:iam::111111111111:role/CLI-SAMLRole", ProviderARN: "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"})
	home := t.TempDir()
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "SF_ACCESS_TOKEN=" + o.AccessToken(),
		"SF_AUTOUPDATE_DISABLE=true", "SF_DISABLE_TELEMETRY=true", "SF_SKIP_NEW_VERSION_CHECK=true",
		"SF_DISABLE_AUTOUPDATE=true", "SF_USE_GENERIC_UNIX_KEYCHAIN=true"}
	run := func(args ...string) json.RawMessage {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, sf, append(args, "--json")...)
		cmd.Env, cmd.Dir = env, home
		out, err := cmd.Output()
		assert.NotContains(t, string(out), o.AccessToken(), "the CLI redacts the token")
		var r sfResult
		require.NoError(t, json.Unmarshal(out, &r), "sf %s: %v\n%s", strings.Join(args, " "), err, out)
		require.Equal(t, 0, r.Status, "sf %s: %s %s", strings.Join(args, " "), r.Name, r.Msg)
		return r.Result
	}

	var login map[string]any
	require.NoError(t, json.Unmarshal(run("org", "login", "access-token", "--instance-url", o.URL(), "--no-prompt", "--alias", "sandbox"), &login))
	assert.Equal(t, o.OrgID(), login["orgId"])
	assert.Equal(t, o.Username(), login["username"])

	var display map[string]any
	require.NoError(t, json.Unmarshal(run("org", "display", "--target-org", "sandbox"), &display))
	assert.Equal(t, o.OrgID(), display["id"])
	assert.Equal(t, "Connected", display["connectedStatus"])
	assert.Equal(t, "66.0", display["apiVersion"])

	var q struct {
		TotalSize int              `json:"totalSize"`
		Records   []map[string]any `json:"records"`
	}
	require.NoError(t, json.Unmarshal(run("data", "query", "-q", "SELECT Id, Name FROM CallCenter", "--target-org", "sandbox"), &q))
	want := decode[struct {
		TotalSize int `json:"totalSize"`
	}](t, query(t, o, "data", "SELECT Id FROM CallCenter"))
	require.Positive(t, want.TotalSize)
	assert.Equal(t, want.TotalSize, q.TotalSize)
	assert.Len(t, q.Records, q.TotalSize)
	for _, r := range q.Records {
		assert.NotEmpty(t, r["Name"])
	}
}
