package sftest

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode[T any](t *testing.T, a restAnswer) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(a.body, &v), string(a.body))
	return v
}

// The UserInfo endpoint names the session's user and org, and refuses a
// bad token with 403 Bad_OAuth_Token.
func TestUserInfo(t *testing.T) {
	o := newOrg(t)
	a := restGet(t, o, "/services/oauth2/userinfo", o.AccessToken())
	require.Equal(t, 200, a.status, string(a.body))
	info := decode[map[string]any](t, a)
	assert.Equal(t, o.OrgID(), info["organization_id"])
	assert.Equal(t, o.Username(), info["preferred_username"])
	userID, _ := info["user_id"].(string)
	require.Len(t, userID, 18)
	assert.Equal(t, o.URL()+"/id/"+o.OrgID()+"/"+userID, info["sub"])

	user := restGet(t, o, "/services/data/v51.0/sobjects/User/"+userID, o.AccessToken())
	require.Equal(t, 200, user.status, string(user.body))
	assert.Equal(t, o.Username(), decode[map[string]any](t, user)["Username"])
	assert.Equal(t, 404, restGet(t, o, "/services/data/v51.0/sobjects/User/005000000000000AAA", o.AccessToken()).status)
	assert.Equal(t, 401, restGet(t, o, "/services/data/v51.0/sobjects/User/"+userID, "bad").status)

	for _, token := range []string{"", "00Dbad!token"} {
		bad := restGet(t, o, "/services/oauth2/userinfo", token)
		assert.Equal(t, 403, bad.status)
		assert.Equal(t, "Bad_OAuth_Token", string(bad.body))
	}
}

// /services/data lists the served versions without a session; a version's
// resources need one; retired versions are gone and unknown ones not found.
func TestVersionsAndResources(t *testing.T) {
	o := newOrg(t)
	for _, path := range []string{"/services/data", "/services/data/"} {
		a := restGet(t, o, path, "")
		require.Equal(t, 200, a.status, path)
		vs := decode[[]restAPIVersion](t, a)
		require.NotEmpty(t, vs)
		assert.Equal(t, "31.0", vs[0].Version)
		assert.Equal(t, restAPIVersion{Label: "API 66.0", URL: "/services/data/v66.0", Version: "66.0"}, vs[len(vs)-1])
	}
	res := restGet(t, o, "/services/data/v66.0", o.AccessToken())
	require.Equal(t, 200, res.status, string(res.body))
	assert.Equal(t, "/services/data/v66.0/query", decode[map[string]string](t, res)["query"])
	assert.Equal(t, 401, restGet(t, o, "/services/data/v66.0/", "").status)
	assert.Equal(t, 410, restGet(t, o, "/services/data/v30.0", o.AccessToken()).status)
	assert.Equal(t, 404, restGet(t, o, "/services/data/v67.0", o.AccessToken()).status)
	assert.Equal(t, 404, restGet(t, o, "/services/data/v66.1", o.AccessToken()).status)

	lim := restGet(t, o, "/services/data/v66.0/limits", o.AccessToken())
	require.Equal(t, 200, lim.status)
	daily := decode[map[string]limit](t, lim)["DailyApiRequests"]
	assert.Equal(t, dailyAPIRequests, daily.Max)
	assert.Less(t, daily.Remaining, daily.Max, "the calls served count")
}

// The Salesforce CLI asks for //services/... when its instance URL ends in
// a slash; the org serves the path, with no redirect.
func TestRepeatedSlashesAreServed(t *testing.T) {
	o := newOrg(t)
	a := restGet(t, o, "//services/data/v66.0//query?q="+url.QueryEscape("SELECT Id FROM CallCenter"), o.AccessToken())
	assert.Equal(t, 200, a.status, string(a.body))
}

// columns=true describes the selected columns instead of the rows, with the
// query's own errors.
func TestQueryColumns(t *testing.T) {
	o := newOrg(t)
	a := restGet(t, o, "/services/data/v66.0/query?columns=true&q="+url.QueryEscape("SELECT Id, Name FROM CallCenter"), o.AccessToken())
	require.Equal(t, 200, a.status, string(a.body))
	cols := decode[queryColumns](t, a)
	assert.Equal(t, "CallCenter", cols.EntityName)
	assert.True(t, cols.IDSelected)
	require.Len(t, cols.ColumnMetadata, 2)
	assert.Equal(t, "Id", cols.ColumnMetadata[0].ColumnName)
	assert.Equal(t, "Name", cols.ColumnMetadata[1].ColumnName)
	assert.Equal(t, "String", cols.ColumnMetadata[1].ApexType)

	bad := restGet(t, o, "/services/data/v66.0/query?columns=true&q="+url.QueryEscape("SELECT Nope FROM CallCenter"), o.AccessToken())
	assert.Equal(t, 400, bad.status)
	assert.Contains(t, string(bad.body), codeInvalidField)
}

// The Organization and User objects answer the queries the Salesforce CLI
// makes to describe an org.
func TestOrganizationAndUserQueries(t *testing.T) {
	o := newOrg(t)
	a := query(t, o, "data", "SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization")
	require.Equal(t, 200, a.status, string(a.body))
	res := decode[struct {
		TotalSize int              `json:"totalSize"`
		Records   []map[string]any `json:"records"`
	}](t, a)
	require.Equal(t, 1, res.TotalSize)
	assert.Equal(t, false, res.Records[0]["IsSandbox"])
	assert.Nil(t, res.Records[0]["TrialExpirationDate"])
	assert.Equal(t, "Enterprise Edition", res.Records[0]["OrganizationType"])

	u := query(t, o, "data", "SELECT Id FROM User WHERE Username = '"+o.Username()+"'")
	require.Equal(t, 200, u.status, string(u.body))
	assert.Contains(t, string(u.body), `"totalSize":1`)
	assert.Equal(t, 400, query(t, o, "data", "SELECT Id FROM ScratchOrgInfo").status, "not a Dev Hub")
}
