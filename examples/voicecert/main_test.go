package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestMain gives the tests a home and cache directory of their own, so
// that no test reads a journal, lock or credential another run (or the
// person running the tests) left in the real ones, and removes the
// binary built for the process tests.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "voicecert-test-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, k := range []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"} {
		os.Setenv(k, home)
	}
	code := m.Run()
	os.RemoveAll(home)
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
