package devserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStartGivesUpOnAServerThatExits: a server that exits at once (a port
// taken between choosing and binding, say) is tried again, and after the
// last try Start fails with what it wrote, instead of waiting forever for
// an exit the health check has already seen.
func TestStartGivesUpOnAServerThatExits(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "temporal")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\necho 'listen tcp: bind: address already in use'\nexit 1\n"), 0o755))

	type result struct {
		stop func()
		err  error
	}
	done := make(chan result, 1)
	go func() {
		_, stop, err := start(bin, dir, startTries, time.Minute)
		done <- result{stop, err}
	}()
	select {
	case r := <-done:
		require.Error(t, r.err)
		assert.Nil(t, r.stop)
		assert.Contains(t, r.err.Error(), "in 3 tries")
		assert.Contains(t, r.err.Error(), "address already in use")
		for try := range startTries {
			assert.FileExists(t, filepath.Join(dir, fmt.Sprintf("server-%d.log", try)), "each try is launched")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("start still waits for a server that exited")
	}
}
