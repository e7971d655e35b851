package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/internal/syncbuf"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/temporal/internal/devserver"
)

func TestWorkerStartStatusAgainstTheDevServer(t *testing.T) {
	srv := devserver.Start(t)
	conn := []string{"--address", srv.HostPort, "--task-queue", devserver.TaskQueue(t)}
	ctx, cancel := context.WithCancel(context.Background())
	var wout syncbuf.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"worker", "--sandbox", "1"}, conn...), &wout, io.Discard, "") }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Error("the worker did not stop")
		}
	}()
	devserver.Eventually(t, time.Minute, "the worker runs", func() bool { return strings.Contains(wout.String(), "worker on task queue") })

	var out, errs bytes.Buffer
	code := run(context.Background(), append([]string{"start", "--org", "sandbox-1", "--soak", "1s", "--wait"}, conn...), &out, &errs, "")
	require.Equal(t, 0, code, errs.String())
	assert.Contains(t, out.String(), "rotated and verified")
	assert.Contains(t, wout.String(), "rotation.succeeded", "the worker's observer")

	journal := filepath.Join(t.TempDir(), "rotation.json")
	out.Reset()
	code = run(context.Background(), append([]string{"status", "--org", "sandbox-1", "--journal", journal}, conn...), &out, &errs, "")
	require.Equal(t, 0, code, errs.String())
	assert.Contains(t, out.String(), `"status": "succeeded"`)
	rec, err := rotation.LoadJournal(journal)
	require.NoError(t, err, "the CLI reads the status as a journal")
	assert.Equal(t, rotation.StatusSucceeded, rec.Status)
	require.NotNil(t, rec.State)
	assert.NotEmpty(t, rec.State.New.Name)
	for _, s := range rec.Steps {
		assert.Equal(t, rotation.StepDone, s.Status, s.Name)
	}

	assert.Equal(t, 2, run(context.Background(), append([]string{"answer"}, conn...), io.Discard, io.Discard, ""), "--org is required")
	assert.Equal(t, 1, run(context.Background(), append([]string{"status", "--org", "no-such-org"}, conn...), io.Discard, io.Discard, ""))
}
