package salesforce_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

func TestTransientFaultsAreRetriedAgainstSftest(t *testing.T) {
	cases := []struct {
		op    string
		fault sftest.Fault
		call  func(ctx context.Context, sb *sandbox) error
	}{
		{"readMetadata", sftest.Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, func(ctx context.Context, sb *sandbox) error {
			_, err := sb.provider.SigningState(ctx)
			return err
		}},
		{"listMetadata", sftest.Fault{Code: "SERVER_UNAVAILABLE", Status: http.StatusServiceUnavailable}, func(ctx context.Context, sb *sandbox) error {
			_, err := sb.provider.ContactCenters(ctx)
			return err
		}},
		{"updateMetadata", sftest.Fault{Status: http.StatusServiceUnavailable, Code: "SERVER_UNAVAILABLE"}, func(ctx context.Context, sb *sandbox) error {
			return sb.provider.SetDefaultCertificate(ctx, pinnedCert)
		}},
		{"query", sftest.Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, func(ctx context.Context, sb *sandbox) error {
			_, err := sb.client.Query(ctx, "SELECT Id, Name, InternalName FROM CallCenter")
			return err
		}},
		{"metadata", sftest.Fault{Code: "SERVER_UNAVAILABLE", Status: http.StatusServiceUnavailable}, func(ctx context.Context, sb *sandbox) error {
			_, err := sb.provider.Metadata(ctx, rotation.AppRef{})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.op, func(t *testing.T) {
			sb := newSandbox(t)
			sb.org.InjectFault(tc.op, tc.fault, 2)
			require.NoError(t, tc.call(ctxT(t), sb))
			assert.Contains(t, sb.logs.String(), "transient failure; retrying")
			sb.org.SetDefaultCertificate(defaultCert) // undo the update case

			// More faults than all the attempts of the calls made at once.
			sb.org.InjectFault(tc.op, tc.fault, 100)
			err := tc.call(ctxT(t), sb)
			require.Error(t, err, "retries are bounded")
			assert.True(t, rotation.IsTransient(err), "%v", err)
		})
	}
}

func TestInvalidSessionReauthAgainstSftest(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	_, err := sb.provider.ContactCenters(ctx)
	require.NoError(t, err)
	old := sb.org.AccessToken()
	sb.org.RevokeSessions()
	require.NotEqual(t, old, sb.org.AccessToken())

	lists := func(typ string) int {
		n := 0
		for _, c := range sb.org.Calls() {
			if c.Op == "listMetadata" && c.Target == typ {
				n++
			}
		}
		return n
	}
	beforeCC, beforeApps := lists("CallCenter"), lists("ConnectedApp")
	_, err = sb.provider.ContactCenters(ctx)
	require.NoError(t, err, "one re-authentication, then success")
	// The call centers and the apps are listed at the same time: each is
	// rejected and repeated, or sent after the new token arrived; at least
	// one of them was rejected first.
	cc, apps := lists("CallCenter")-beforeCC, lists("ConnectedApp")-beforeApps
	assert.Contains(t, []int{1, 2}, cc)
	assert.Contains(t, []int{1, 2}, apps)
	assert.Equal(t, 2, max(cc, apps), "a rejected call and its repeat")

	// A source that cannot give a fresh token: the error after one re-auth.
	c, err := salesforce.NewClient(sb.org.URL(), salesforce.StaticToken(sb.org.URL(), old), fastRetry, func(o *salesforce.Options) { o.HTTPClient = sb.org.Client() })
	require.NoError(t, err)
	before := countOps(sb.org, "listMetadata")
	_, err = c.ListMetadata(ctx, salesforce.TypeCallCenter)
	var f *salesforce.SOAPFault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, salesforce.CodeInvalidSession, f.Code)
	assert.Equal(t, before+2, countOps(sb.org, "listMetadata"))
}

func TestQueryPagingAgainstSftest(t *testing.T) {
	sb := newSandbox(t, sftest.WithPageSize(2))
	recs, err := sb.client.Query(ctxT(t), "SELECT Id, Name, InternalName FROM CallCenter ORDER BY InternalName")
	require.NoError(t, err)
	assert.Equal(t, []string{"Billing_Voice", "Legacy_Voice", "Sales_Voice", "Support_Voice", "Twilio_CC"}, recordField(t, recs, "InternalName"))
	assert.Equal(t, 3, countOps(sb.org, "query"), "three pages of two")

	_, err = sb.client.ToolingQuery(ctxT(t), "SELECT Bogus FROM Certificate")
	var ae *salesforce.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "INVALID_FIELD", ae.ErrorCode)

	certs, err := sb.client.ToolingQuery(ctxT(t), "SELECT DeveloperName, KeySize FROM Certificate WHERE DeveloperName = '"+pinnedCert+"'")
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Contains(t, string(certs[0]), pinnedCert)
}
