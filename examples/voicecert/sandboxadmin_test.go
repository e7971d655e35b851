package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/internal/syncbuf"
	"github.com/voicecert/voicecert/rotation"
)

// `voicecert sandbox` and its admin control: a full `rotate --yes`, whose
// pinned app's manual gate is answered by a watcher of the rotation's
// waiting events calling `voicecert sandbox admin pin-app`, exits 0, and
// `verify` passes for every contact center.
func TestSandboxRotateWithAdminControl(t *testing.T) {
	_, exports, code := startSandboxCmd(t, "--contact-centers", "4", "--accounts", "2", "--pinned", "2")
	require.NotEmpty(t, exports, "exit %d", code)
	require.Contains(t, exports, "export VOICECERT_SANDBOX_ADMIN_URL='http://127.0.0.1:")
	require.Contains(t, exports, "export VOICECERT_SANDBOX_ADMIN_TOKEN=")
	setExports(t, exports)

	out, errOut, code := cli(t, "", "sandbox", "admin", "apps")
	require.Equal(t, exitOK, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "(pinned)"), out)

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	var (
		mu       sync.Mutex
		answered []string
		wg       sync.WaitGroup
	)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		seen := map[string]bool{}
		for sc.Scan() {
			var ev struct {
				Event   string               `json:"event"`
				Changes []rotation.AppChange `json:"changes"`
			}
			if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Event != "step.waiting" {
				continue
			}
			for _, c := range ev.Changes {
				key := c.App.Name + "=" + c.Certificate
				if seen[key] {
					continue
				}
				seen[key] = true
				wg.Add(1)
				go func() {
					defer wg.Done()
					out, errOut, code := cli(t, "", "sandbox", "admin", "pin-app", c.App.Name, c.Certificate)
					assert.Equal(t, exitOK, code, "%s%s", out, errOut)
					mu.Lock()
					answered = append(answered, key)
					mu.Unlock()
				}()
			}
		}
	}()
	var rotOut syncbuf.Buffer
	code = run(ctx, []string{"rotate", "--yes", "--key-bits", "2048", "--journal-dir", t.TempDir(),
		"--log-format", "json", "--manual-timeout", "2m"}, strings.NewReader(""), &rotOut, pw)
	pw.Close()
	wg.Wait()
	require.Equal(t, exitOK, code, rotOut.String())
	assert.Len(t, answered, 2, "each pinned app's gate answered once through the admin control")

	out, errOut, code = cli(t, "", "verify")
	require.Equal(t, exitOK, code, "%s%s", out, errOut)
	for i := 1; i <= 4; i++ {
		assert.Regexp(t, `(?m)^ContactCenter0`+string(rune('0'+i))+`\s+OK`, out)
	}
}

func TestSandboxAdminCommandErrors(t *testing.T) {
	t.Setenv("VOICECERT_SANDBOX_ADMIN_URL", "")
	t.Setenv("VOICECERT_SANDBOX_ADMIN_TOKEN", "")
	_, errOut, code := cli(t, "", "sandbox", "admin", "pin-app", "A", "C")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "no sandbox admin endpoint")
	_, errOut, code = cli(t, "", "sandbox", "admin", "pin-app", "A")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "want 2 argument(s)")

	_, exports, _ := startSandboxCmd(t, "--pinned", "0")
	require.NotEmpty(t, exports)
	setExports(t, exports)
	out, errOut, code := cli(t, "", "sandbox", "admin", "apps")
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "(pinned)", "--pinned 0: none")
	_, errOut, code = cli(t, "", "sandbox", "admin", "pin-app", "ContactCenter01_Connected_App", "NoSuchCert")
	assert.Equal(t, exitNo, code)
	assert.Contains(t, errOut, `no certificate "NoSuchCert"`)
	_, errOut, code = cli(t, "", "sandbox", "admin", "pin-app", "A", "C", "--admin-token", "wrong")
	assert.Equal(t, exitNo, code)
	assert.Contains(t, errOut, "401")
}
