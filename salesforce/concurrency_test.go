package salesforce_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// inFlight measures, per operation and in all ("*"), the most requests the
// org was handling at once: its hook holds every request, as a slow network
// would, until no other request has arrived for the hold, so that requests
// sent together overlap however late the scheduler starts some of them.
type inFlight struct {
	mu    sync.Mutex
	now   map[string]int
	peak  map[string]int
	order []string
	last  time.Time // when the latest request arrived
}

func watchInFlight(org *sftest.Org, hold time.Duration) *inFlight {
	f := &inFlight{now: map[string]int{}, peak: map[string]int{}}
	org.SetHook(func(c sftest.Call) *sftest.Fault {
		f.mu.Lock()
		for _, k := range []string{c.Op, "*"} {
			f.now[k]++
			f.peak[k] = max(f.peak[k], f.now[k])
		}
		f.order = append(f.order, c.Op+" "+c.Target)
		f.last = time.Now()
		f.mu.Unlock()
		for {
			f.mu.Lock()
			quiet := time.Until(f.last.Add(hold))
			f.mu.Unlock()
			if quiet <= 0 {
				break
			}
			time.Sleep(quiet)
		}
		f.mu.Lock()
		f.now[c.Op]--
		f.now["*"]--
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

func rotationSpec(name string) rotation.CertificateSpec {
	return rotation.CertificateSpec{Name: name, Label: name, KeyBits: 2048}
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
	assert.Equal(t, 4, par.max("listMetadata"), "call centers, connected apps, external client apps and their SAML policies are listed at once")
	assert.GreaterOrEqual(t, par.max("readMetadata"), 3, "3 chunks of 30 call centers, 3 of the apps, read at once")
	assert.Len(t, par.calls(), len(seq.calls()), "the same requests")
	assert.Equal(t, one, many)
	assert.Len(t, many, len(sb.centers)+25)
}

// SigningState reads every app's metadata at once, alongside the default
// certificate and, read ahead, the org's certificates; with a concurrency
// of 1 one request at a time. Both name the pinned app's certificate.
func TestSigningStateReadsAppsConcurrently(t *testing.T) {
	sb := newSandbox(t)
	manyCenters(sb.org, 12)

	seq := watchInFlight(sb.org, 20*time.Millisecond)
	one, err := providerWith(t, sb, 1).SigningState(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, 1, seq.max("*"))

	par := watchInFlight(sb.org, 20*time.Millisecond)
	many, err := providerWith(t, sb, 8).SigningState(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, 8, par.max("metadata"), "the apps' metadata is read 8 at a time")
	assert.Equal(t, one, many)
	pinned, ok := many.App(sb.pinned.Name)
	require.True(t, ok)
	assert.Equal(t, pinnedCert, pinned.Certificate.Name)
}

// The org's certificates are read ahead, but a failure to read them
// matters only when an app is pinned and its certificate must be named.
func TestSigningStateReadAheadFailsOnlyForAPinnedApp(t *testing.T) {
	sb := newSandbox(t)
	sb.org.SetHook(func(c sftest.Call) *sftest.Fault {
		if c.Op == "listMetadata" && c.Target == "Certificate" {
			return &sftest.Fault{Code: "INSUFFICIENT_ACCESS"}
		}
		return nil
	})
	p := providerWith(t, sb, 8)
	_, err := p.SigningState(ctxT(t))
	require.Error(t, err, "the pinned app's certificate cannot be named")
	assert.Contains(t, err.Error(), "INSUFFICIENT_ACCESS")

	require.NoError(t, sb.org.FollowDefault(sb.pinned.Name))
	st, err := p.SigningState(ctxT(t))
	require.NoError(t, err, "no app is pinned: the failed read-ahead does not matter")
	for _, a := range st.Apps {
		assert.False(t, a.Pinned)
	}
}

// Before a change, the independent reads go out together: the IdP setting
// and the new certificate (SetDefaultCertificate), the certificate, the
// app's metadata and the setting (SetAppCertificate); an app whose target
// is the org default needs no second read of that certificate.
func TestChangesReadAtOnce(t *testing.T) {
	for _, c := range []int{1, 8} {
		t.Run(fmt.Sprintf("concurrency_%d", c), func(t *testing.T) {
			sb := newSandbox(t)
			p := providerWith(t, sb, c)
			ctx := ctxT(t)
			newCert, err := p.CreateCertificate(ctx, rotationSpec("SCV_IdP_Next"))
			require.NoError(t, err)

			f := watchInFlight(sb.org, 20*time.Millisecond)
			require.NoError(t, p.SetDefaultCertificate(ctx, newCert.Name))
			assert.Equal(t, min(c, 2), f.max("readMetadata"), "the setting and the certificate")
			assert.Equal(t, newCert.Name, sb.org.Snapshot().DefaultCertificate)

			f = watchInFlight(sb.org, 20*time.Millisecond)
			require.NoError(t, p.SetAppCertificate(ctx, sb.centers[0].App, newCert.Name), "a following app needs nothing")
			err = p.SetAppCertificate(ctx, sb.pinned, newCert.Name)
			var mae *rotation.ManualActionError
			require.ErrorAs(t, err, &mae, "the pinned app needs a person")
			assert.Contains(t, mae.Instructions, "is now the org's default IdP certificate")
			if c > 1 {
				assert.Equal(t, 3, f.max("*"), "certificate, app metadata and setting at once")
			} else {
				assert.Equal(t, 1, f.max("*"))
			}
			reads := 0
			for _, call := range f.calls() {
				if call == "readMetadata Certificate/"+newCert.Name {
					reads++
				}
			}
			assert.Equal(t, 2, reads, "one read of the target per app: the default is the target")
		})
	}
}

// A metadata endpoint that answers something else than metadata (a login
// page) is refused, whether the document is read for the caller or parsed
// by the provider itself, and the refusal is not worth a retry.
func TestAppMetadataThatIsNotMetadataIsRefused(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			_, _ = io.WriteString(w, "<html><body>Please log in</body></html>")
			return
		}
		soapOK(w, `<readMetadataResponse><result><records xsi:type="Certificate"><fullName>C</fullName>`+
			`<content>`+testCertPEMBase64(t)+`</content><caSigned>false</caSigned><masterLabel>C</masterLabel></records></result></readMetadataResponse>`)
	})
	// One request at a time: the stub answers every SOAP read with the
	// certificate, so the IdP setting must not be read first.
	c := stubClient(t, s, func(o *salesforce.Options) { o.Concurrency = 1 })
	_, err := c.AppMetadata(ctxT(t), "Some_App")
	require.Error(t, err)
	assert.False(t, rotation.IsTransient(err), "%v", err)

	err = salesforce.NewProvider(c).SetAppCertificate(ctxT(t), rotation.AppRef{Name: "Some_App"}, "C")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `metadata of app "Some_App"`)
	assert.False(t, rotation.IsTransient(err), "%v", err)
}
