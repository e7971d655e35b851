package syncbuf_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/voicecert/voicecert/internal/syncbuf"
)

// TestBufferKeepsConcurrentWrites: every write of several goroutines is
// kept whole while another goroutine reads (run with -race, as CI does).
func TestBufferKeepsConcurrentWrites(t *testing.T) {
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("line\n"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("line\n", 800), b.String())
}
