package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// A wrong token says how to get a valid one for each credential kind.
func TestInvalidSessionHasAHint(t *testing.T) {
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	t.Setenv("SALESFORCE_ACCESS_TOKEN", "00Dwrong!token")
	_, stderr, code := cli(t, "", "check")
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "INVALID_SESSION_ID")
	assert.Contains(t, stderr, "hint: Salesforce refused the session")
	assert.Contains(t, stderr, "sf org auth show-access-token")
	assert.Contains(t, stderr, "JWT bearer")
	assert.NotContains(t, stderr, "00Dwrong!token", "no token is printed")
}

// A refused connection names the host it tried.
func TestRefusedConnectionNamesTheHost(t *testing.T) {
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	addr := closedAddr(t)
	t.Setenv("SALESFORCE_INSTANCE_URL", "http://"+addr)
	_, stderr, code := cli(t, "", "check")
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "Salesforce at "+addr)
	assert.Contains(t, stderr, "connection refused")
	assert.Contains(t, stderr, "hint: nothing listens at that address")
}

// AccessDenied names the account, the caller identity and the
// --aws-profile mapping.
func TestAccessDeniedNamesAccountIdentityAndProfile(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	// Account 1 is mapped to account 2's profile: the wrong credentials.
	t.Setenv("VOICECERT_AWS_PROFILES", w.Accounts[0]+"=sandbox-"+w.Accounts[1]+","+w.Accounts[1]+"=sandbox-"+w.Accounts[1])
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://"+closedAddr(t))
	_, stderr, code := cli(t, "", "check")
	assert.Equal(t, exitError, code, stderr)
	assert.Contains(t, stderr, "AccessDenied")
	assert.Contains(t, stderr, "AWS account "+w.Accounts[0]+" refused")
	assert.Contains(t, stderr, "--aws-profile "+w.Accounts[0]+"=sandbox-"+w.Accounts[1])
	assert.Contains(t, stderr, "The credentials used for it are unknown (STS GetCallerIdentity")
}
