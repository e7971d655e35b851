package sftest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type restAnswer struct {
	status int
	body   []byte
}

func restGet(t *testing.T, o *Org, path, token string) restAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, o.URL()+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return restAnswer{status: resp.StatusCode, body: b}
}

func query(t *testing.T, o *Org, api, soql string) restAnswer {
	t.Helper()
	path := "/services/data/v66.0/query?q="
	if api == "tooling" {
		path = "/services/data/v66.0/tooling/query?q="
	}
	return restGet(t, o, path+url.QueryEscape(soql), o.AccessToken())
}

type wireQuery struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func (a restAnswer) result(t *testing.T) wireQuery {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, string(a.body))
	var q wireQuery
	require.NoError(t, json.Unmarshal(a.body, &q))
	return q
}

func (a restAnswer) restError(t *testing.T, status int) restError {
	t.Helper()
	require.Equal(t, status, a.status, string(a.body))
	var errs []restError
	require.NoError(t, json.Unmarshal(a.body, &errs), string(a.body))
	require.Len(t, errs, 1)
	return errs[0]
}

func TestToolingCertificateQuery(t *testing.T) {
	o := seededOrg(t)
	o.AddCertificate("Another", 2048)
	q := query(t, o, "tooling", "select developername, MasterLabel, ExpirationDate, KeySize, Id FROM Certificate "+
		"WHERE DeveloperName = 'idp_cert_2025' LIMIT 1").result(t)
	assert.Equal(t, 1, q.TotalSize)
	assert.True(t, q.Done)
	require.Len(t, q.Records, 1)
	r := q.Records[0]
	assert.Equal(t, "IdP_Cert_2025", r["DeveloperName"], "canonical field names, case-insensitive match")
	assert.Equal(t, "2027-06-05", r["ExpirationDate"])
	assert.InDelta(t, 2048, r["KeySize"], 0)
	assert.True(t, strings.HasPrefix(r["Id"].(string), "0P1"))
	attrs := r["attributes"].(map[string]any)
	assert.Equal(t, "Certificate", attrs["type"])
	assert.Equal(t, "/services/data/v66.0/tooling/sobjects/Certificate/"+r["Id"].(string), attrs["url"])

	// Field order in the JSON follows the SELECT list.
	raw := string(query(t, o, "tooling", "SELECT KeySize, DeveloperName FROM Certificate ORDER BY DeveloperName").body)
	assert.Less(t, strings.Index(raw, `"KeySize"`), strings.Index(raw, `"DeveloperName"`), raw)
	q = query(t, o, "tooling", "SELECT DeveloperName FROM Certificate ORDER BY DeveloperName DESC").result(t)
	require.Len(t, q.Records, 2)
	assert.Equal(t, "IdP_Cert_2025", q.Records[0]["DeveloperName"])
}

func TestDataQueries(t *testing.T) {
	o := seededOrg(t)
	o.AddContactCenter(ContactCenterSeed{InternalName: "Other_CTI", DisplayName: "Other CTI", Telephony: "open-cti"})
	q := query(t, o, "data", "SELECT Id, Name, InternalName FROM CallCenter ORDER BY InternalName").result(t)
	require.Len(t, q.Records, 2)
	assert.Equal(t, "ACME_Voice", q.Records[0]["InternalName"])
	assert.Equal(t, "ACME Voice", q.Records[0]["Name"])
	assert.Equal(t, "Other_CTI", q.Records[1]["InternalName"])

	q = query(t, o, "data", "SELECT Id, Name FROM ConnectedApplication WHERE Name LIKE '%voice connected%'").result(t)
	require.Len(t, q.Records, 1)
	assert.Equal(t, "ACME Voice Connected App", q.Records[0]["Name"])
	assert.True(t, strings.HasPrefix(q.Records[0]["Id"].(string), "0H4"))
}

func TestQueryErrors(t *testing.T) {
	o := seededOrg(t)
	cases := map[string]struct {
		api, soql, code, contains string
	}{
		"unknown field":      {"tooling", "SELECT Id, Bogus FROM Certificate", "INVALID_FIELD", "No such column 'Bogus' on entity 'Certificate'"},
		"unknown where":      {"data", "SELECT Id FROM CallCenter WHERE Foo = 'x'", "INVALID_FIELD", "ERROR at Row:1:Column:33"},
		"unknown object":     {"data", "SELECT Id FROM Gadget__x", "INVALID_TYPE", "sObject type 'Gadget__x' is not supported"},
		"data certificate":   {"data", "SELECT Id FROM Certificate", "INVALID_TYPE", "Certificate"},
		"tooling callcenter": {"tooling", "SELECT Id FROM CallCenter", "INVALID_TYPE", "CallCenter"},
		"no from":            {"data", "SELECT Id CallCenter", "MALFORMED_QUERY", "unexpected token: 'CallCenter'"},
		"trailing junk":      {"data", "SELECT Id FROM CallCenter LIMIT 1 2", "MALFORMED_QUERY", "unexpected token: '2'"},
		"function":           {"data", "SELECT COUNT() FROM CallCenter", "MALFORMED_QUERY", "unexpected token: '('"},
		"unterminated":       {"data", "SELECT Id FROM CallCenter WHERE Name = 'x", "MALFORMED_QUERY", "unterminated"},
		"empty":              {"data", "", "MALFORMED_QUERY", "query string"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := query(t, o, tc.api, tc.soql).restError(t, http.StatusBadRequest)
			assert.Equal(t, tc.code, e.ErrorCode)
			assert.Contains(t, e.Message, tc.contains)
		})
	}
}

func TestQueryPaging(t *testing.T) {
	o := seededOrg(t, WithPageSize(2))
	for _, n := range []string{"B", "C", "D", "E"} {
		o.AddCertificate(n, 2048)
	}
	var names []string
	a := query(t, o, "tooling", "SELECT DeveloperName FROM Certificate ORDER BY DeveloperName")
	pages := 0
	for {
		q := a.result(t)
		pages++
		assert.Equal(t, 5, q.TotalSize)
		for _, r := range q.Records {
			names = append(names, r["DeveloperName"].(string))
		}
		if q.Done {
			assert.Empty(t, q.NextRecordsURL)
			break
		}
		require.Regexp(t, `^/services/data/v66\.0/tooling/query/01g[0-9A-Za-z]{15}-\d+$`, q.NextRecordsURL)
		require.Less(t, pages, 5)
		a = restGet(t, o, q.NextRecordsURL, o.AccessToken())
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, []string{"B", "C", "D", "E", "IdP_Cert_2025"}, names)

	e := restGet(t, o, "/services/data/v66.0/tooling/query/01g000000000999AAA-2", o.AccessToken()).
		restError(t, http.StatusBadRequest)
	assert.Equal(t, "INVALID_QUERY_LOCATOR", e.ErrorCode)
}

func TestQueryNeedsAValidBearerToken(t *testing.T) {
	o := seededOrg(t)
	for name, tok := range map[string]string{"none": "", "unknown": "00D000000000001!bogus"} {
		t.Run(name, func(t *testing.T) {
			e := restGet(t, o, "/services/data/v66.0/query?q=SELECT+Id+FROM+CallCenter", tok).
				restError(t, http.StatusUnauthorized)
			assert.Equal(t, restError{Message: "Session expired or invalid", ErrorCode: "INVALID_SESSION_ID"}, e)
		})
	}
	tok := o.AccessToken()
	o.RevokeSessions()
	e := restGet(t, o, "/services/data/v66.0/query?q=SELECT+Id+FROM+CallCenter", tok).restError(t, http.StatusUnauthorized)
	assert.Equal(t, "INVALID_SESSION_ID", e.ErrorCode)
	assert.NotEqual(t, tok, o.AccessToken(), "a new token after revocation")
	query(t, o, "data", "SELECT Id FROM CallCenter").result(t)
}
