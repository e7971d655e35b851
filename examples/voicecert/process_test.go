package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the voicecert command once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "voicecert-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "voicecert")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &exec.Error{Name: string(out), Err: err}
		}
	})
	require.NoError(t, buildErr)
	return binPath
}
