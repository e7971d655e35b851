// Package devserver starts a Temporal dev server for tests: the CLI's
// `temporal server start-dev --headless`, in memory, on free loopback ports.
// The CLI is $VOICECERT_TEMPORAL_CLI, else temporal on PATH; without it a
// test skips, or fails when VOICECERT_REQUIRE_TEMPORAL=1.
package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
)

// Server is a Temporal dev server a test started.
type Server struct {
	HostPort string
}

// CLI finds the Temporal CLI: $VOICECERT_TEMPORAL_CLI, else
// temporal on PATH. It skips the test when there is none, and fails it when
// VOICECERT_REQUIRE_TEMPORAL=1.
func CLI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VOICECERT_TEMPORAL_CLI"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("VOICECERT_TEMPORAL_CLI=%s: %v", p, err)
		}
		return p
	}
	p, err := exec.LookPath("temporal")
	if err == nil {
		return p
	}
	if os.Getenv("VOICECERT_REQUIRE_TEMPORAL") == "1" {
		t.Fatal("VOICECERT_REQUIRE_TEMPORAL=1 but no Temporal CLI: set VOICECERT_TEMPORAL_CLI or put temporal on PATH")
	}
	t.Skip("no Temporal CLI (set VOICECERT_TEMPORAL_CLI or put temporal on PATH)")
	return ""
}

// freePorts returns n ports free on loopback now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		require.NoError(t, l.Close())
	}
	return ports
}

// Start starts `temporal server start-dev --headless` on free
// loopback ports, in memory, and waits until its frontend answers a health
// check. A port taken between choosing and binding makes it try again with
// others.
func Start(t *testing.T) Server {
	t.Helper()
	bin := CLI(t)
	var lastOut string
	for range 3 {
		ports := freePorts(t, 3)
		hostPort := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		logFile := filepath.Join(t.TempDir(), "server.log")
		out, err := os.Create(logFile)
		require.NoError(t, err)
		cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
			"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
			"--log-level", "error", "--db-filename", filepath.Join(t.TempDir(), "temporal.db"))
		cmd.Stdout, cmd.Stderr = out, out
		cmd.WaitDelay = 10 * time.Second
		require.NoError(t, cmd.Start())
		require.NoError(t, out.Close())
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if waitHealthy(hostPort, exited, 90*time.Second) {
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
			})
			return Server{HostPort: hostPort}
		}
		_ = cmd.Process.Kill()
		<-exited
		b, _ := os.ReadFile(logFile)
		lastOut = string(b)
	}
	t.Fatalf("the Temporal dev server did not become healthy:\n%s", lastOut)
	return Server{}
}

// waitHealthy polls the frontend until it is healthy, the process exits or
// the deadline passes.
func waitHealthy(hostPort string, exited <-chan error, within time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Logger: Quiet()})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-ctx.Done():
			return false
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Client dials the server's default namespace.
func (s Server) Client(t *testing.T) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.HostPort, Namespace: "default", Identity: "voicecert-test", Logger: Quiet()})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// Quiet is an SDK logger that discards.
func Quiet() log.Logger { return log.NewStructuredLogger(slog.New(slog.DiscardHandler)) }

// Eventually polls cond every 50ms until it holds or within passes.
func Eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TaskQueue is a task queue of the test's own.
func TaskQueue(t *testing.T) string {
	return fmt.Sprintf("voicecert-%s-%d", t.Name(), time.Now().UnixNano())
}
