package evidence

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// burn does n SHA-256 hashes.
func burn(n int) {
	sum := sha256.Sum256(nil)
	for range n {
		sum = sha256.Sum256(sum[:])
	}
	sink = sum[0]
}

var sink byte

// The profile split gives a server's CPU to the fakes and the caller's to
// the product: a handler that does three times the caller's work is told
// apart from it. It runs without the race detector (see .ci/run).
func TestProfileSplitsProductFromFakes(t *testing.T) {
	if raceSlowdown > 1 {
		t.Skip("the race detector's own work blurs the split; CI runs this test without it")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { burn(3_000_000) }))
	defer srv.Close()
	split, err := profileCPU(func() error {
		resp, err := http.Get(srv.URL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		burn(1_000_000)
		return nil
	})
	require.NoError(t, err)
	t.Logf("product %s, fakes %s, rest %s", split.product, split.fakes, split.rest)
	require.Positive(t, split.product)
	assert.Greater(t, float64(split.fakes)/float64(split.product), 1.5, "the handler did three times the caller's work")
}
