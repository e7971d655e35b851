package salesforce_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

func TestNewClientValidatesInstanceURL(t *testing.T) {
	src := salesforce.StaticToken("https://example.my.salesforce.com", testToken)
	cases := []struct {
		url string
		ok  bool
	}{
		{"https://example.my.salesforce.com", true},
		{"https://example.my.salesforce.com/", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://example.my.salesforce.com", false}, // a session id must not cross a network in clear
		{"https://example.my.salesforce.com/services", false},
		{"example.my.salesforce.com", false},
		{"ftp://example.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			_, err := salesforce.NewClient(tc.url, src)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
	_, err := salesforce.NewClient("https://example.my.salesforce.com", src, func(o *salesforce.Options) { o.APIVersion = "v66" })
	assert.Error(t, err, "API version must be numeric")
	_, err = salesforce.NewClient("https://example.my.salesforce.com", nil)
	assert.Error(t, err)
}

func TestNewFromEnv(t *testing.T) {
	s := newStub(t, goldenHandler(t))
	t.Setenv("SALESFORCE_INSTANCE_URL", s.srv.URL)
	t.Setenv("SALESFORCE_ACCESS_TOKEN", testToken)
	t.Setenv("SALESFORCE_API_VERSION", "64.0")
	c, err := salesforce.NewFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "64.0", c.APIVersion())
	_, err = c.ListMetadata(ctxT(t), salesforce.TypeConnectedApp)
	require.NoError(t, err)
	reqs := s.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/services/Soap/m/64.0", reqs[0].Path)
	assert.Contains(t, string(reqs[0].Body), "<sessionId>"+testToken+"</sessionId>")

	t.Setenv("SALESFORCE_ACCESS_TOKEN", "")
	_, err = salesforce.NewFromEnv()
	assert.Error(t, err)
}

func TestReadMetadataNilAndEmptyRecordsAreNotFound(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		soapOK(w, `<readMetadataResponse><result><records xsi:nil="true"/><records xsi:type="Certificate"/></result></readMetadataResponse>`)
	})
	c := stubClient(t, s)
	got, err := salesforce.ReadMetadata[salesforce.Certificate](ctxT(t), c, "A", "B")
	require.NoError(t, err)
	assert.Equal(t, []*salesforce.Certificate{nil, nil}, got)
	_, err = salesforce.ReadOne[salesforce.Certificate](ctxT(t), c, "A")
	assert.ErrorIs(t, err, rotation.ErrNotFound)
}

func TestReadMetadataDecodesComponents(t *testing.T) {
	s := newStub(t, goldenHandler(t))
	c := stubClient(t, s)
	ctx := ctxT(t)

	apps, err := salesforce.ReadMetadata[salesforce.ConnectedApp](ctx, c, "Support_Voice_Connected_App", "Missing_App")
	require.NoError(t, err)
	require.Len(t, apps, 2)
	assert.Nil(t, apps[1])
	app := apps[0]
	assert.Equal(t, "Support Voice Connected App", app.Label)
	formula, ok := app.Attribute("https://aws.amazon.com/SAML/Attributes/Role")
	assert.True(t, ok)
	assert.Contains(t, formula, "saml-provider/SalesforceServiceVoiceIdp")
	require.NotNil(t, app.OauthConfig)
	assert.Contains(t, app.OauthConfig.Inner, "<consumerKey>3MVG9.example</consumerKey>", "prefixed elements are normalised")
	assert.NotContains(t, fmt.Sprint(app.OauthConfig), "3MVG9", "printing a raw element hides its content")
	require.Len(t, app.IPRanges, 2)
	require.Len(t, app.Unknown, 1)
	assert.Equal(t, "futureElement", app.Unknown[0].XMLName.Local)
	require.NotNil(t, app.SamlConfig)
	assert.Equal(t, "PersistentId", app.SamlConfig.SamlSubjectType)

	cert, err := salesforce.ReadOne[salesforce.Certificate](ctx, c, "SCV_IdP_20260315_083000")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(cert.Content), "-----BEGIN CERTIFICATE-----"), "content is base64 of the PEM")
	assert.Equal(t, 4096, cert.KeySize)
	assert.Equal(t, 2027, cert.Expiration().Year())

	cc, err := salesforce.ReadOne[salesforce.CallCenter](ctx, c, "Support_Voice")
	require.NoError(t, err)
	assert.Equal(t, "AMAZON_CONNECT", cc.Item("reqTelephonyProvider"))
	assert.Empty(t, cc.Item("reqVendorInfoApiName"))
}

func TestSOAPFaultIsTypedAndClassified(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		soapFault(w, "INVALID_TYPE", "This type of object is not available")
	})
	_, err := stubClient(t, s).ListMetadata(ctxT(t), "Nope")
	var f *salesforce.SOAPFault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, "INVALID_TYPE", f.Code)
	assert.Contains(t, f.Message, "not available")
	assert.Equal(t, http.StatusInternalServerError, f.HTTPStatus)
	assert.False(t, rotation.IsTransient(err))
	assert.Len(t, s.requests(), 1, "a permanent fault is not retried")
}

func TestSaveErrorsAreTypedAndJoined(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		soapOK(w, `<createMetadataResponse><result><errors><fields>keySize</fields><message>bad size</message><statusCode>FIELD_INTEGRITY_EXCEPTION</statusCode></errors>`+
			`<fullName>A</fullName><success>false</success></result><result><errors><message>busy</message><statusCode>UNABLE_TO_LOCK_ROW</statusCode></errors>`+
			`<fullName>B</fullName><success>false</success></result><result><fullName>C</fullName><success>true</success></result></createMetadataResponse>`)
	})
	err := stubClient(t, s).CreateMetadata(ctxT(t),
		&salesforce.Certificate{FullName: "A", MasterLabel: "A"},
		&salesforce.Certificate{FullName: "B", MasterLabel: "B"},
		&salesforce.Certificate{FullName: "C", MasterLabel: "C"})
	require.Error(t, err)
	var se *salesforce.SaveError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "A", se.FullName)
	assert.Equal(t, "FIELD_INTEGRITY_EXCEPTION", se.StatusCode)
	assert.Equal(t, []string{"keySize"}, se.Fields)
	assert.Contains(t, err.Error(), "B: UNABLE_TO_LOCK_ROW")
	assert.NotContains(t, err.Error(), "C:")
}

func TestSaveRefusesMixedTypesAndSplitsIntoTens(t *testing.T) {
	var calls atomic.Int32
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls.Add(1)
		n := strings.Count(string(body), "<metadata ")
		assert.LessOrEqual(t, n, 10)
		soapOK(w, `<updateMetadataResponse>`+strings.Repeat(`<result><fullName>x</fullName><success>true</success></result>`, n)+`</updateMetadataResponse>`)
	})
	c := stubClient(t, s)
	err := c.UpdateMetadata(ctxT(t), &salesforce.Certificate{FullName: "A"}, &salesforce.IdentityProviderSettings{FullName: "IdentityProvider"})
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
	assert.Zero(t, calls.Load())

	var comps []salesforce.Component
	for i := range 23 {
		comps = append(comps, &salesforce.Certificate{FullName: fmt.Sprintf("C%d", i), MasterLabel: "x"})
	}
	require.NoError(t, c.UpdateMetadata(ctxT(t), comps...))
	assert.EqualValues(t, 3, calls.Load())
}

func TestTransientFailuresAreRetried(t *testing.T) {
	cases := []struct {
		name  string
		fail  func(w http.ResponseWriter)
		calls int
	}{
		{"503", func(w http.ResponseWriter) { http.Error(w, "Service Unavailable", http.StatusServiceUnavailable) }, 3},
		{"REQUEST_LIMIT_EXCEEDED", func(w http.ResponseWriter) { soapFault(w, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.") }, 3},
		{"SERVER_UNAVAILABLE", func(w http.ResponseWriter) { soapFault(w, "SERVER_UNAVAILABLE", "try later") }, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				if n.Add(1) < 3 {
					tc.fail(w)
					return
				}
				goldenHandler(t)(w, r, body)
			})
			logs := &logBuffer{}
			_, err := stubClient(t, s, func(o *salesforce.Options) { o.Logger = logs.logger() }).ListMetadata(ctxT(t), salesforce.TypeConnectedApp)
			require.NoError(t, err)
			assert.Len(t, s.requests(), tc.calls)
			assert.Contains(t, logs.String(), "retrying")
		})
	}
}

func TestRetriesAreBoundedAndResultIsTransient(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	_, err := stubClient(t, s, func(o *salesforce.Options) { o.Retry.MaxAttempts = 2 }).ListMetadata(ctxT(t), salesforce.TypeCallCenter)
	require.Error(t, err)
	assert.Len(t, s.requests(), 2)
	assert.True(t, rotation.IsTransient(err))
	var te *rotation.TransientError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "7s", te.RetryAfter.String())
	var ae *salesforce.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
}

func TestInvalidSessionReauthenticatesOnce(t *testing.T) {
	good := "00D000000000001!fresh"
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if !strings.Contains(string(body), "<sessionId>"+good+"</sessionId>") {
			soapFault(w, "INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
			return
		}
		goldenHandler(t)(w, r, body)
	})
	src := &countingSource{tokens: []string{"00D000000000001!stale", good}, inst: s.srv.URL}
	c, err := salesforce.NewClient("", src, fastRetry)
	require.NoError(t, err)
	_, err = c.ListMetadata(ctxT(t), salesforce.TypeConnectedApp)
	require.NoError(t, err)
	assert.Equal(t, 2, src.count())
	assert.Len(t, s.requests(), 2)
	inst, err := c.InstanceURL(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, s.srv.URL, inst, "the instance URL comes from the token")

	// A source that keeps returning a rejected token: one re-auth, then the error.
	bad := &countingSource{tokens: []string{"00D000000000001!stale"}, inst: s.srv.URL}
	c, err = salesforce.NewClient(s.srv.URL, bad, fastRetry)
	require.NoError(t, err)
	_, err = c.ListMetadata(ctxT(t), salesforce.TypeConnectedApp)
	var f *salesforce.SOAPFault
	require.ErrorAs(t, err, &f)
	assert.Equal(t, salesforce.CodeInvalidSession, f.Code)
	assert.Equal(t, 2, bad.count())
	assert.False(t, rotation.IsTransient(err))
}

func TestJWTFormatTokenRefusedBeforeSOAP(t *testing.T) {
	s := newStub(t, goldenHandler(t))
	jwtTok := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
	require.True(t, salesforce.IsJWTFormat(jwtTok))
	c, err := salesforce.NewClient(s.srv.URL, salesforce.StaticToken(s.srv.URL, jwtTok))
	require.NoError(t, err)
	_, err = c.ListMetadata(ctxT(t), salesforce.TypeConnectedApp)
	require.ErrorIs(t, err, salesforce.ErrJWTAccessToken)
	assert.Contains(t, err.Error(), "Issue JSON Web Token (JWT)-based access tokens")
	assert.NotContains(t, err.Error(), jwtTok)
	assert.Empty(t, s.requests(), "no SOAP call was made")

	for _, tok := range []string{testToken, "a.b.c", "", "x.y", "00D!abc.def.ghi"} {
		assert.False(t, salesforce.IsJWTFormat(tok), tok)
	}
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		assert.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/services/data/v66.0/tooling/query":
			assert.Equal(t, "SELECT DeveloperName FROM Certificate", r.URL.Query().Get("q"))
			_, _ = io.WriteString(w, `{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v66.0/tooling/query/01gX-2","records":[{"DeveloperName":"A"},{"DeveloperName":"B"}]}`)
		case "/services/data/v66.0/tooling/query/01gX-2":
			_, _ = io.WriteString(w, `{"totalSize":3,"done":true,"records":[{"DeveloperName":"C"}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]`)
		}
	})
	recs, err := stubClient(t, s).ToolingQuery(ctxT(t), "SELECT DeveloperName FROM Certificate")
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B", "C"}, recordField(t, recs, "DeveloperName"))
}

// recordField returns one string field of every query record.
func recordField(t *testing.T, recs []json.RawMessage, field string) []string {
	t.Helper()
	var out []string
	for _, r := range recs {
		var v map[string]any
		require.NoError(t, json.Unmarshal(r, &v))
		s, _ := v[field].(string)
		out = append(out, s)
	}
	return out
}

func TestQueryErrors(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch {
		case strings.Contains(r.URL.RawQuery, "Bogus"):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `[{"message":"No such column 'Bogus' on entity 'CallCenter'","errorCode":"INVALID_FIELD"}]`)
		case strings.Contains(r.URL.RawQuery, "Busy"):
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`)
		default:
			_, _ = io.WriteString(w, `{"totalSize":3,"done":false,"nextRecordsUrl":"https://evil.example.com/services/data/v66.0/query/01g-2","records":[]}`)
		}
	})
	c := stubClient(t, s, func(o *salesforce.Options) { o.Retry.MaxAttempts = 2 })
	_, err := c.Query(ctxT(t), "SELECT Bogus FROM CallCenter")
	var ae *salesforce.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "INVALID_FIELD", ae.ErrorCode)
	assert.Equal(t, http.StatusBadRequest, ae.StatusCode)
	assert.False(t, rotation.IsTransient(err))

	_, err = c.Query(ctxT(t), "SELECT Busy FROM CallCenter")
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, salesforce.CodeRequestLimitExceeded, ae.ErrorCode)
	assert.True(t, rotation.IsTransient(err))

	before := len(s.requests())
	_, err = c.Query(ctxT(t), "SELECT Id FROM CallCenter")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected nextRecordsUrl")
	assert.Len(t, s.requests(), before+1, "the token is never sent to another host")
}

func TestTransportErrorIsTransient(t *testing.T) {
	s := newStub(t, goldenHandler(t))
	url := s.srv.URL
	s.srv.Close()
	c, err := salesforce.NewClient(url, salesforce.StaticToken(url, testToken), fastRetry)
	require.NoError(t, err)
	_, err = c.ListMetadata(ctxT(t), salesforce.TypeCertificate)
	require.Error(t, err)
	assert.True(t, rotation.IsTransient(err), "%v", err)
	assert.False(t, errors.Is(err, rotation.ErrNotFound))
}
