package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/internal/syncbuf"
)

// sandboxStartTimeout bounds how long a test waits for `voicecert sandbox`
// to print its exports or to stop: a sandbox that fails fails the test in
// seconds instead of hanging it.
const sandboxStartTimeout = 20 * time.Second

// sandboxCmd is a `voicecert sandbox` running in a goroutine.
type sandboxCmd struct {
	cancel context.CancelFunc
	done   chan int // buffered: the command never blocks on reporting its exit
	stderr *syncbuf.Buffer
}

// startSandboxCmd runs `voicecert sandbox args...` and returns its export
// lines once it has printed them all. If the command exits first, or
// prints nothing within sandboxStartTimeout, exports is empty and code is
// the exit status (-1 on timeout); the caller decides whether that fails.
func startSandboxCmd(t *testing.T, args ...string) (s *sandboxCmd, exports string, code int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s = &sandboxCmd{cancel: cancel, done: make(chan int, 1), stderr: &syncbuf.Buffer{}}
	pr, pw := io.Pipe()
	go func() {
		// The pipe is closed on every return, so the reader below always ends.
		defer pw.Close()
		s.done <- run(ctx, append([]string{"sandbox"}, args...), strings.NewReader(""), pw, s.stderr)
	}()
	lines := make(chan string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			got = append(got, sc.Text())
			if strings.HasPrefix(sc.Text(), "export VOICECERT_AWS_PROFILES=") {
				lines <- strings.Join(got, "\n")
				_, _ = io.Copy(io.Discard, pr)
				return
			}
		}
		lines <- ""
	}()
	t.Cleanup(func() { s.stop(t) })
	select {
	case exports = <-lines:
		if exports != "" {
			return s, exports, 0
		}
		// The output ended without the exports: the command has returned.
		select {
		case code = <-s.done:
			s.done <- code
			return s, "", code
		case <-time.After(sandboxStartTimeout):
			return s, "", -1
		}
	case <-time.After(sandboxStartTimeout):
		return s, "", -1
	}
}

// stop cancels the command and returns its exit status, failing the test
// if it does not stop in time.
func (s *sandboxCmd) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(sandboxStartTimeout):
		t.Fatal("sandbox did not stop")
		return -1
	}
}

// exportedURL returns the URL an export line sets name to.
func exportedURL(t *testing.T, exports, name string) *url.URL {
	t.Helper()
	for _, line := range strings.Split(exports, "\n") {
		if v, ok := strings.CutPrefix(line, "export "+name+"="); ok {
			u, err := url.Parse(strings.Trim(v, "'"))
			require.NoError(t, err, line)
			return u
		}
	}
	t.Fatalf("no export of %s in %q", name, exports)
	return nil
}

// `voicecert sandbox` prints lines that point other clients at it; check
// then works against it.
func TestSandboxCommandServesUntilCancelled(t *testing.T) {
	s, exports, code := startSandboxCmd(t)
	require.NotEmpty(t, exports, "exit %d, stderr: %s", code, s.stderr.String())
	for _, k := range []string{"SALESFORCE_INSTANCE_URL", "SALESFORCE_ACCESS_TOKEN", "SALESFORCE_API_VERSION",
		"AWS_ENDPOINT_URL_IAM", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		assert.Contains(t, exports, "export "+k+"=")
	}
	org, iam := exportedURL(t, exports, "SALESFORCE_INSTANCE_URL"), exportedURL(t, exports, "AWS_ENDPOINT_URL_IAM")
	assert.Equal(t, iam.String(), exportedURL(t, exports, "AWS_ENDPOINT_URL_STS").String(), "STS on the IAM listener")
	assert.Contains(t, s.stderr.String(), "fake Salesforce org at "+org.String()+", fake IAM at "+iam.String())
	setExports(t, exports)
	out, stderr, code := cli(t, "", "check")
	assert.Equal(t, 1, code, "the seeded org has a pinned app: %s %s", out, stderr)
	assert.Contains(t, out, "ContactCenter03")
	assert.Equal(t, 0, s.stop(t))
}

// occupiedPair returns a free port p whose next port p+1 is held by a
// listener of the test until it ends.
func occupiedPair(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		p := l.Addr().(*net.TCPAddr).Port
		next, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1)))
		l.Close()
		if err != nil {
			continue // p+1 is someone else's; try another pair
		}
		t.Cleanup(func() { next.Close() })
		return p
	}
	t.Fatal("found no free port followed by one the test can hold")
	return 0
}

// With the port after --addr's taken, the fake IAM binds elsewhere and the
// command says where; it never assumes the next port is free.
func TestSandboxCommandWithNextPortTaken(t *testing.T) {
	for attempt := 0; ; attempt++ {
		p := occupiedPair(t)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
		s, exports, code := startSandboxCmd(t, "--addr", addr)
		if exports == "" && code == exitUsage && strings.Contains(s.stderr.String(), "address already in use") && attempt < 5 {
			continue // p itself was taken by another process in the meantime
		}
		require.NotEmpty(t, exports, "exit %d, stderr: %s", code, s.stderr.String())
		org, iam := exportedURL(t, exports, "SALESFORCE_INSTANCE_URL"), exportedURL(t, exports, "AWS_ENDPOINT_URL_IAM")
		assert.Equal(t, addr, org.Host)
		assert.NotEqual(t, strconv.Itoa(p+1), iam.Port(), "the held port is not the fake IAM's")
		assert.Contains(t, s.stderr.String(), "fake IAM at "+iam.String())
		assert.Equal(t, 0, s.stop(t))
		return
	}
}

// An address that is taken is a clear usage error, reported in seconds,
// and the harness sees the exit instead of waiting for exports forever.
func TestSandboxCommandAddressTaken(t *testing.T) {
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	for _, flag := range []string{"--addr", "--iam-addr"} {
		t.Run(flag, func(t *testing.T) {
			start := time.Now()
			s, exports, code := startSandboxCmd(t, flag, held.Addr().String())
			assert.Empty(t, exports)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, s.stderr.String(), flag+" \""+held.Addr().String()+"\"")
			assert.Contains(t, s.stderr.String(), "address already in use")
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
	_, _, code := startSandboxCmd(t, "--iam-addr", "no-port")
	assert.Equal(t, exitUsage, code)
}
