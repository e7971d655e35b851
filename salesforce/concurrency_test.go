package salesforce_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// inFlight measures, per operation, the most requests the org was handling
// at once: its hook holds every request for a while, as a slow network
// would, so that requests sent together overlap.
type inFlight struct {
	mu    sync.Mutex
	now   map[string]int
	peak  map[string]int
	order []string
}

func watchInFlight(org *sftest.Org, hold time.Duration) *inFlight {
	f := &inFlight{now: map[string]int{}, peak: map[string]int{}}
	org.SetHook(func(c sftest.Call) *sftest.Fault {
		f.mu.Lock()
		f.now[c.Op]++
		f.peak[c.Op] = max(f.peak[c.Op], f.now[c.Op])
		f.order = append(f.order, c.Op+" "+c.Target)
		f.mu.Unlock()
		time.Sleep(hold)
		f.mu.Lock()
		f.now[c.Op]--
		f.mu.Unlock()
		return nil
	})
	return f
}

func (f *inFlight) max(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak[op]
}

func (f *inFlight) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.order...)
}

// manyCenters seeds n following contact centers more, so that reading them
// takes several readMetadata calls of 10.
func manyCenters(org *sftest.Org, n int) {
	for i := range n {
		org.AddContactCenter(sftest.ContactCenterSeed{InternalName: fmt.Sprintf("Extra_%02d", i), Telephony: sftest.TelephonyNative,
			RoleARN: roleARN, ProviderARN: providerARN})
	}
}

// providerWith returns a provider of sb's org whose client has concurrency c.
func providerWith(t *testing.T, sb *sandbox, c int) *salesforce.Provider {
	t.Helper()
	client, err := salesforce.NewClient(sb.org.URL(), orgSource{sb.org}, fastRetry, func(o *salesforce.Options) {
		o.HTTPClient = sb.org.Client()
		o.Concurrency = c
	})
	require.NoError(t, err)
	return salesforce.NewProvider(client, func(o *salesforce.ProviderOptions) { o.PollInterval = 10 * time.Millisecond })
}

// Discovery reads the call centers' and the apps' chunks of 10 at once, and
// lists both types at once; with a concurrency of 1 it sends one request at
// a time in a fixed order. Both find the same contact centers.
func TestDiscoveryReadsChunksConcurrently(t *testing.T) {
	sb := newSandbox(t)
	manyCenters(sb.org, 25)

	seq := watchInFlight(sb.org, 20*time.Millisecond)
	one, err := providerWith(t, sb, 1).ContactCenters(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, 1, seq.max("readMetadata"))
	assert.Equal(t, 1, seq.max("listMetadata"))
	assert.Equal(t, []string{"listMetadata CallCenter"}, seq.calls()[:1], "in order: call centers first")

	par := watchInFlight(sb.org, 20*time.Millisecond)
	many, err := providerWith(t, sb, 8).ContactCenters(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, 2, par.max("listMetadata"), "call centers and apps are listed at once")
	assert.GreaterOrEqual(t, par.max("readMetadata"), 3, "3 chunks of 30 call centers, 3 of the apps, read at once")
	assert.Len(t, par.calls(), len(seq.calls()), "the same requests")
	assert.Equal(t, one, many)
	assert.Len(t, many, len(sb.centers)+25)
}
