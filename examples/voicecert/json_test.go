package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// The --json document of check, plan, rotate, verify, resume and rollback
// validates against its schema, on success and on failure.
func TestEveryCommandJSONMatchesItsSchema(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	dir := t.TempDir()
	jsonOf := func(command string, wantCode int, args ...string) testEnvelope {
		t.Helper()
		out, stderr, code := cli(t, "", append(strings.Fields(command), append([]string{"--json"}, args...)...)...)
		require.Equal(t, wantCode, code, "%s\n%s", out, stderr)
		env := envelopeOf(t, out, command, nil)
		assert.Equal(t, code, env.ExitStatus)
		assert.Equal(t, schemaVersion, env.SchemaVersion)
		assert.Equal(t, code == 0, env.Error == nil, "an error exactly when the status is not 0")
		return env
	}
	jsonOf("check", exitOK)
	jsonOf("plan", exitOK)
	jsonOf("verify", exitOK)
	var res runResult
	env := jsonOf("rotate", exitOK, "--yes", "--journal-dir", dir, "--key-bits", "2048")
	require.NoError(t, jsonUnmarshal(env.Result, &res))
	assert.Equal(t, "rotated", res.Outcome)
	require.NotNil(t, res.New)
	assert.Equal(t, w.Snapshot().Org.DefaultCertificate, res.New.Name)
	journal := res.Journal
	assert.Equal(t, filepath.Dir(journal), dir)
	jsonOf("resume", exitOK, "--journal", journal)
	env = jsonOf("rollback", exitOK, "--journal", journal)
	require.NoError(t, jsonUnmarshal(env.Result, &res))
	assert.Equal(t, "undone", res.Outcome)

	env = jsonOf("rotate", exitUsage, "--yes", "--journal-dir", dir, "--contact-center", "Typo")
	assert.Contains(t, env.Error.Message, `"Typo"`)
	env = jsonOf("check", exitUsage, "--contact-center", "Typo")
	assert.Contains(t, env.Error.Message, `"Typo"`)
	env = jsonOf("resume", exitUsage, "--journal", filepath.Join(dir, "missing.json"))
	assert.NotEmpty(t, env.Error.Message)
}

// --log-format json makes stderr JSON lines only: progress becomes events,
// the final error one more.
func TestLogFormatJSONIsPureJSONLines(t *testing.T) {
	sandboxEnv(t, sandbox.Options{})
	dir := t.TempDir()
	out, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--manual-timeout", "1s",
		"--log-format", "json", "--log-level", "info")
	require.Equal(t, exitNo, code, "%s\n%s", out, stderr)
	events := map[string]int{}
	for _, l := range jsonLines(t, stderr) {
		if e, ok := l["event"].(string); ok {
			events[e]++
		}
	}
	for _, e := range []string{"journal", "step.started", "step.succeeded", "step.waiting", "step.failed", "step.rolledback", "command.failed"} {
		assert.Positive(t, events[e], "event %s in %v", e, events)
	}
	// A usage error cobra finds is a JSON line too.
	_, stderr, code = cli(t, "", "check", "--log-format", "json", "--nope")
	require.Equal(t, exitUsage, code)
	lines := jsonLines(t, stderr)
	require.Len(t, lines, 1, stderr)
	assert.Equal(t, "command.failed", lines[0]["event"])
}

// The manual action's instructions are printed once, the final error is
// one sentence, and a requested rollback says it rolled back and logs no
// error.
func TestMessagesAreSaidOnce(t *testing.T) {
	sandboxEnv(t, sandbox.Options{})
	dir := t.TempDir()
	out, stderr, code := cli(t, "", "rotate", "--yes", "--journal-dir", dir, "--key-bits", "2048", "--manual-timeout", "2s", "--progress-interval", "500ms")
	require.Equal(t, exitNo, code, "%s\n%s", out, stderr)
	assert.Regexp(t, `activate +waiting for a person: set the IdP certificate .*, \ds left`, stderr, "a countdown follows the instructions")
	i := strings.Index(stderr, "waiting for a person")
	require.GreaterOrEqual(t, i, 0, stderr)
	lines := strings.Split(stderr[i:], "\n")
	require.Greater(t, len(lines), 1)
	instruction := strings.TrimSpace(lines[1])
	require.NotEmpty(t, instruction)
	assert.Equal(t, 1, strings.Count(stderr+out, instruction), "the instructions once:\n%s", stderr)
	assert.Equal(t, 1, strings.Count(stderr, "voicecert: "), "one final error:\n%s", stderr)
	assert.NotContains(t, stderr, `failed: step "activate"`)
}

// rollback reports a rollback, not a rotation, and logs it at INFO.
func TestRollbackReportsARollback(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	dir := t.TempDir()
	var res runResult
	out, stderr, code := cli(t, "", "rotate", "--yes", "--json", "--journal-dir", dir, "--key-bits", "2048")
	require.Equal(t, exitOK, code, stderr)
	envelopeOf(t, out, "rotate", &res)
	out, stderr, code = cli(t, "", "rollback", "--journal", res.Journal, "--log-format", "json", "--log-level", "info")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Rolled back in")
	assert.NotContains(t, out, "Rotated in")
	for _, l := range jsonLines(t, stderr) {
		assert.NotEqual(t, "ERROR", l["level"], "a requested rollback is no error: %v", l)
	}
	assert.Equal(t, before, w.Snapshot())
}

// Duration flags take days, refuse negatives and print their defaults as
// written.
func TestDurationFlags(t *testing.T) {
	for in, want := range map[string]string{"30d": "30d", "36h": "36h", "90s": "1m30s", "2d": "2d", "0s": "0s", "90m": "1h30m"} {
		d, err := parseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, formatDuration(d), in)
	}
	for _, bad := range []string{"-5d", "-1h", "d", "5x", "1.5d"} {
		_, err := parseDuration(bad)
		assert.Error(t, err, bad)
	}
	out, _, code := cli(t, "", "check", "--help")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "(default 30d)")
	assert.NotContains(t, out, "720h0m0s")
	out, _, code = cli(t, "", "rotate", "--help")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "--soak duration")
	assert.Contains(t, out, "Exit status (every command)")
	for _, args := range [][]string{{"rotate", "--soak", "-1s"}, {"rotate", "--manual-timeout", "-5m"}, {"check", "--timeout", "0s"}} {
		_, stderr, code := cli(t, "", args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
	}
}
