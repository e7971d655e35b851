package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// readmeCommands returns the voicecert lines of the README's command-line
// section, without their comments.
func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	s := string(b)
	i := strings.Index(s, "## The command-line tool")
	require.GreaterOrEqual(t, i, 0)
	block := s[i:]
	block = block[strings.Index(block, "```sh")+5:]
	block = block[:strings.Index(block, "```")]
	var cmds []string
	for _, line := range strings.Split(block, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.Join(strings.Fields(line), " ")
		if strings.HasPrefix(line, "voicecert ") {
			cmds = append(cmds, line)
		}
	}
	return cmds
}

// Every command of the README runs, in order, against the sandbox, and
// exits with the status the README documents.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every README command, a demo among them")
	}
	want := map[string]int{
		"voicecert check":                                  exitOK,
		"voicecert check --json --within 60d":              exitOK,
		"voicecert check --format openmetrics":             exitOK,
		"voicecert doctor":                                 exitOK,
		"voicecert plan":                                   exitOK,
		"voicecert rotate":                                 exitOK,
		"voicecert rotate --yes --if-expiring-within auto": exitOK,
		"voicecert rotate --yes --if-expiring-within 30d --soak 24h --canary 1 --concurrency 4": exitOK,
		"voicecert verify":                                                 exitOK,
		"voicecert rotate --yes":                                           exitNo,
		"voicecert rotate --yes --force --soak 2s":                         exitOK,
		"voicecert resume --journal ~/.cache/voicecert/rotation-ID.json":   exitOK,
		"voicecert rollback --journal ~/.cache/voicecert/rotation-ID.json": exitOK,
		"voicecert metadata inspect --json metadata.xml":                   exitOK,
		"voicecert demo --strategy direct --contact-centers 2 --json":      exitOK,
		"voicecert sandbox":                                                exitOK,
	}
	cmds := readmeCommands(t)
	var listed []string
	for k := range want {
		listed = append(listed, k)
	}
	slices.Sort(listed)
	sorted := slices.Clone(cmds)
	slices.Sort(sorted)
	require.Equal(t, listed, sorted, "the README's commands are the ones this test runs")

	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	sandboxEnv(t, sandbox.Options{Pinned: -1})
	journalDir := defaultJournalDir()
	for _, line := range cmds {
		args := strings.Fields(line)[1:]
		if strings.Contains(line, "rotation-ID.json") {
			files, err := filepath.Glob(filepath.Join(journalDir, "rotation-*.json"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			// The newest journal is the one whose rotation started last:
			// ids made in one second sort in no particular order.
			newest, started := "", time.Time{}
			for _, f := range files {
				rec, err := rotation.LoadJournal(f)
				require.NoError(t, err, f)
				if rec.State != nil && !rec.State.StartedAt.Before(started) {
					newest, started = f, rec.State.StartedAt
				}
			}
			for i, a := range args {
				if strings.Contains(a, "rotation-ID.json") {
					args[i] = newest
				}
			}
		}
		for i, a := range args {
			if a == "metadata.xml" {
				args[i] = filepath.Join("testdata", "salesforce-idp.xml")
			}
		}
		var stdout, stderr string
		var code int
		switch {
		case line == "voicecert sandbox":
			out := &signalWriter{match: "VOICECERT_AWS_PROFILES", seen: make(chan struct{})}
			ctx, cancel := context.WithCancel(t.Context())
			go func() { <-out.seen; cancel() }()
			var errOut strings.Builder
			code = run(ctx, args, strings.NewReader(""), out, &errOut)
			cancel()
			stdout, stderr = out.String(), errOut.String()
		case line == "voicecert rotate":
			stdout, stderr, code = cli(t, "y\n", args...)
		default:
			stdout, stderr, code = cli(t, "", args...)
		}
		require.Equal(t, want[line], code, "%s\nstdout:\n%s\nstderr:\n%s", line, stdout, stderr)
		if strings.Contains(line, "--force") {
			assert.Contains(t, stdout, "add --delete-old to a rotation", "certificates accumulate: the summary says so")
		}
		if strings.Contains(line, "--soak 2s") {
			assert.Regexp(t, regexp.MustCompile(`soak +IAM trusts both certificates until the soak ends, \ds left`), stderr,
				"a long wait says what it waits for and how long is left")
		}
	}
}
