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
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Start starts `temporal server start-dev --headless` on free
// loopback ports, in memory, and waits until its frontend answers a health
// check; the test's cleanup stops it. A server that exits before it is
// healthy is launched again on other ports: a port taken between choosing
// and binding, ours or one the dev server picks itself for its history and
// matching services (it then crashes with "bind: address already in use"),
// is not the test's failure.
func Start(t *testing.T) Server {
	t.Helper()
	s, stop, err := start(CLI(t), t.TempDir(), startTries, 90*time.Second)
	require.NoError(t, err)
	t.Cleanup(stop)
	return s
}

// startTries is how many times Start launches a server before it gives up.
const startTries = 3

// start launches the dev server bin up to tries times, in dir, each time
// waiting up to within for it to become healthy. It returns the server and
// the function that stops it, or an error with what the last attempt wrote.
func start(bin, dir string, tries int, within time.Duration) (Server, func(), error) {
	var lastOut string
	for try := range tries {
		ports, err := freePorts(3)
		if err != nil {
			return Server{}, nil, err
		}
		hostPort := net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
		logFile := filepath.Join(dir, fmt.Sprintf("server-%d.log", try))
		out, err := os.Create(logFile)
		if err != nil {
			return Server{}, nil, err
		}
		cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
			"--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]), "--metrics-port", strconv.Itoa(ports[2]),
			"--log-level", "error", "--db-filename", filepath.Join(dir, fmt.Sprintf("temporal-%d.db", try)))
		cmd.Stdout, cmd.Stderr = out, out
		cmd.WaitDelay = 10 * time.Second
		err = cmd.Start()
		out.Close()
		if err != nil {
			return Server{}, nil, err
		}
		// exited is closed once the process has exited, so that both the
		// health check and the stop below may wait for it.
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		if waitHealthy(hostPort, exited, within) {
			return Server{HostPort: hostPort}, stop, nil
		}
		stop()
		b, _ := os.ReadFile(logFile)
		lastOut = string(b)
	}
	return Server{}, nil, fmt.Errorf("the Temporal dev server did not become healthy in %d tries; the last wrote:\n%s", tries, lastOut)
}

// waitHealthy polls the frontend until it is healthy, the process exits or
// the deadline passes.
func waitHealthy(hostPort string, exited <-chan struct{}, within time.Duration) bool {
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
