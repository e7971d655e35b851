package sftest

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const readCertBody = `<readMetadata><type>Certificate</type><fullNames>IdP_Cert_2025</fullNames></readMetadata>`

func TestInjectedFaultsUseEachWireFormat(t *testing.T) {
	o := seededOrg(t)
	o.RegisterClientCredentials("cc", "secret")

	t.Run("SOAP", func(t *testing.T) {
		o.InjectFault("readMetadata", Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, 2)
		for range 2 {
			f := soap(t, o, readCertBody).fault(t)
			assert.Equal(t, "sf:REQUEST_LIMIT_EXCEEDED", f.Code)
			assert.Equal(t, "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.", f.String)
		}
		assert.Equal(t, http.StatusOK, soap(t, o, readCertBody).status, "count exhausted")
	})
	t.Run("SOAP unavailable", func(t *testing.T) {
		o.InjectFault("updateMetadata", Fault{Code: "SERVER_UNAVAILABLE", Message: "down"}, 1)
		a := soap(t, o, `<updateMetadata>`+appUpdate("ACME_Voice_Connected_App", "")+`</updateMetadata>`)
		assert.Equal(t, http.StatusServiceUnavailable, a.status)
		assert.Contains(t, a.body, "<faultcode>sf:SERVER_UNAVAILABLE</faultcode><faultstring>SERVER_UNAVAILABLE: down</faultstring>")
		recs := soap(t, o, `<readMetadata><type>ConnectedApp</type><fullNames>ACME_Voice_Connected_App</fullNames>`+
			`</readMetadata>`).records(t)
		assert.Contains(t, recs[0].names(), "oauthConfig", "the faulted update changed nothing")
	})
	t.Run("REST", func(t *testing.T) {
		for code, status := range map[string]int{"REQUEST_LIMIT_EXCEEDED": 403, "INVALID_SESSION_ID": 401,
			"SERVER_UNAVAILABLE": 503, "UNKNOWN_EXCEPTION": 500} {
			o.InjectFault("tooling/query", Fault{Code: code}, 1)
			e := query(t, o, "tooling", "SELECT Id FROM Certificate").restError(t, status)
			assert.Equal(t, code, e.ErrorCode)
			assert.NotEmpty(t, e.Message)
		}
		o.InjectFault("query", Fault{Code: "UNKNOWN_EXCEPTION", Status: 502, Message: "bad gateway"}, 1)
		e := query(t, o, "data", "SELECT Id FROM CallCenter").restError(t, 502)
		assert.Equal(t, restError{Message: "bad gateway", ErrorCode: "UNKNOWN_EXCEPTION"}, e)
	})
	t.Run("token", func(t *testing.T) {
		o.InjectFault("token", Fault{Code: "invalid_grant", Message: "authentication failure"}, 1)
		a := postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "cc", "secret")
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Equal(t, map[string]string{"error": "invalid_grant", "error_description": "authentication failure"}, a.err)
		assert.Equal(t, http.StatusOK, postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "cc", "secret").status)
	})
	t.Run("metadata", func(t *testing.T) {
		o.InjectFault("metadata", Fault{Code: "SERVER_UNAVAILABLE"}, 1)
		status, body, _ := get(t, http.DefaultClient, o.OrgMetadataURL())
		assert.Equal(t, http.StatusServiceUnavailable, status)
		assert.Contains(t, body, "SERVER_UNAVAILABLE")
		metadataOf(t, o.OrgMetadataURL())
	})
}

func TestHookSeesCallsFirstAndItsFaultChangesNothing(t *testing.T) {
	o := seededOrg(t)
	var mu sync.Mutex
	var seen []Call
	o.SetHook(func(c Call) *Fault {
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
		// The hook may use the org: the lock is not held.
		_ = o.Snapshot()
		if c.Op == "createMetadata" {
			return &Fault{Code: "UNKNOWN_EXCEPTION"}
		}
		return nil
	})
	o.InjectFault("createMetadata", Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, 1)
	f := soap(t, o, `<createMetadata>`+createCert("Hooked", "2048")+`</createMetadata>`).fault(t)
	assert.Equal(t, "sf:UNKNOWN_EXCEPTION", f.Code, "the hook's fault wins over the injected one")
	assert.NotContains(t, o.Snapshot().Certificates, "Hooked")

	soap(t, o, readCertBody)
	want := []Call{
		{Op: "createMetadata", Target: "Certificate/Hooked"},
		{Op: "readMetadata", Target: "Certificate/IdP_Cert_2025"},
	}
	mu.Lock()
	assert.Equal(t, want, seen)
	mu.Unlock()
	assert.Equal(t, want, o.Calls())

	o.SetHook(nil)
	// The injected fault was not consumed while the hook answered.
	assert.Equal(t, "sf:REQUEST_LIMIT_EXCEEDED",
		soap(t, o, `<createMetadata>`+createCert("Hooked", "2048")+`</createMetadata>`).fault(t).Code)
}

func TestCallTargets(t *testing.T) {
	o := seededOrg(t)
	query(t, o, "tooling", "SELECT Id FROM Certificate")
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "T", Telephony: TelephonyNative})
	ssoLogin(t, o, loginID)
	metadataOf(t, o.MetadataURL("T_Connected_App"))
	soap(t, o, `<listMetadata><queries><type>ConnectedApp</type></queries></listMetadata>`)
	assert.Equal(t, []Call{
		{Op: "tooling/query", Target: "Certificate"},
		{Op: "frontdoor"},
		{Op: "idp/login", Target: loginID},
		{Op: "metadata", Target: "T_Connected_App"},
		{Op: "listMetadata", Target: "ConnectedApp"},
	}, o.Calls())
}

func TestLatency(t *testing.T) {
	o := seededOrg(t)
	o.SetLatency(30 * time.Millisecond)
	start := time.Now()
	soap(t, o, readCertBody)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	o.SetLatency(0)
	o.InjectFault("readMetadata", Fault{Latency: 40 * time.Millisecond}, 1)
	start = time.Now()
	a := soap(t, o, readCertBody)
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
	require.Equal(t, http.StatusOK, a.status, "a Fault without Code only delays")
}

func TestLogsCarryNoSecrets(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	o := seededOrg(t, WithLogger(slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))))
	o.RegisterClientCredentials("cc", "very-secret-value")
	a := postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "cc", "very-secret-value")
	require.Equal(t, http.StatusOK, a.status)
	soap(t, o, readCertBody)
	postSOAP(t, o, envelope("00D000000000001!stolen", readCertBody))
	query(t, o, "data", "SELECT Id FROM CallCenter")
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "L", Telephony: TelephonyNative})
	ssoLogin(t, o, loginID)

	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	require.Contains(t, logs, "readMetadata", "the logger was used")
	for _, secret := range []string{"very-secret-value", a.ok.AccessToken, o.AccessToken(), "stolen"} {
		assert.NotContains(t, logs, secret)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestConcurrentUse runs reads, updates, queries and logins while the admin
// pins and unpins, for the race detector.
func TestConcurrentUse(t *testing.T) {
	o := seededOrg(t)
	o.AddCertificate("Alt", 2048)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "C", Telephony: TelephonyNative})
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				var status int
				switch i {
				case 0:
					status = postSOAP(t, o, envelope(o.AccessToken(), readCertBody)).status
				case 1:
					status = postSOAP(t, o, envelope(o.AccessToken(), `<updateMetadata>`+
						appUpdate("ACME_Voice_Connected_App", "")+`</updateMetadata>`)).status
				case 2:
					status = restGet(t, o, "/services/data/v66.0/tooling/query?q=SELECT+Id+FROM+Certificate",
						o.AccessToken()).status
				default:
					status, _, _ = get(t, http.DefaultClient, o.MetadataURL("C_Connected_App"))
				}
				if status != http.StatusOK {
					errs <- http.StatusText(status)
				}
			}
		}()
	}
	for range 5 {
		require.NoError(t, o.SetAppCertificate("C_Connected_App", "Alt"))
		ssoLogin(t, o, loginID)
		require.NoError(t, o.FollowDefault("C_Connected_App"))
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	assert.Equal(t, "IdP_Cert_2025", o.Snapshot().AppCertificates["C_Connected_App"])
}
