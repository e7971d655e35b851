package sftest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frontdoorLogin opens /idp/login?app=loginID through frontdoor.jsp with
// the session id and returns the final status, body and path.
func frontdoorLogin(t *testing.T, o *Org, sid, loginID string) (int, string, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(o.URL() + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(sid) + "&retURL=" + url.QueryEscape("/idp/login?app="+loginID))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Request.URL.Path
}

func TestFrontdoorNeedsWebOrFullScope(t *testing.T) {
	o := seededOrg(t)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Alpha", Telephony: TelephonyNative})
	for _, tc := range []struct {
		scopes []string
		ok     bool
	}{
		{[]string{"api"}, false},
		{[]string{"api", "refresh_token"}, false},
		{[]string{"api", "web"}, true},
		{[]string{"full"}, true},
	} {
		sid, err := o.SessionToken(o.Username(), tc.scopes...)
		require.NoError(t, err)
		// The REST API takes every one of them.
		assert.Equal(t, http.StatusOK, restGet(t, o, "/services/oauth2/userinfo", sid).status)
		status, body, path := frontdoorLogin(t, o, sid, loginID)
		if tc.ok {
			assert.Equal(t, "/idp/login", path, "%v", tc.scopes)
			assert.Contains(t, body, `name="SAMLResponse"`)
		} else {
			assert.Equal(t, "/", path, "%v: sent to the login page", tc.scopes)
			assert.NotContains(t, body, "SAMLResponse")
		}
		assert.Equal(t, http.StatusOK, status)
	}
}

func TestTokenEndpointGrantsTheClientScopes(t *testing.T) {
	o := seededOrg(t)
	o.RegisterClientCredentials("3MVG9cc", "s3cret")
	token := func() map[string]string {
		resp, err := http.PostForm(o.URL()+"/services/oauth2/token", url.Values{"grant_type": {"client_credentials"},
			"client_id": {"3MVG9cc"}, "client_secret": {"s3cret"}})
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]string
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	assert.Equal(t, "api web refresh_token", token()["scope"])
	o.SetClientScopes("3MVG9cc", "api")
	tok := token()
	assert.Equal(t, "api", tok["scope"])
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Alpha", Telephony: TelephonyNative})
	_, _, path := frontdoorLogin(t, o, tok["access_token"], loginID)
	assert.Equal(t, "/", path)
}

func TestIdPLoginNeedsAccessToTheApp(t *testing.T) {
	o := seededOrg(t)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Alpha", Telephony: TelephonyNative})
	_, body, _ := frontdoorLogin(t, o, o.AccessToken(), loginID)
	require.Contains(t, body, `name="SAMLResponse"`, "the seeded user has the contact center permission set")

	require.NoError(t, o.UnassignPermissionSet(o.Username(), PermissionSetContactCenterAdmin))
	status, body, path := frontdoorLogin(t, o, o.AccessToken(), loginID)
	assert.Equal(t, "/idp/login", path)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Insufficient Privileges")
	assert.NotContains(t, body, "SAMLResponse")

	t.Run("another user gains access by the permission set", func(t *testing.T) {
		o.AddUser("agent@example.com", ProfileStandardUser)
		sid, err := o.SessionToken("agent@example.com")
		require.NoError(t, err)
		_, body, _ := frontdoorLogin(t, o, sid, loginID)
		assert.Contains(t, body, "Insufficient Privileges")
		require.NoError(t, o.AssignPermissionSet("agent@example.com", PermissionSetContactCenterAdmin))
		_, body, _ = frontdoorLogin(t, o, sid, loginID)
		assert.Contains(t, body, `name="SAMLResponse"`)
	})
	require.Error(t, o.AssignPermissionSet("nobody@example.com", PermissionSetContactCenterAdmin))
}

func TestAccessObjectsQueries(t *testing.T) {
	o := seededOrg(t)
	appID, _ := o.AddContactCenter(ContactCenterSeed{InternalName: "Alpha", Telephony: TelephonyNative})
	o.AddUser("agent@example.com", ProfileStandardUser)

	users := query(t, o, "data", "SELECT Id, Username FROM User WHERE Username = '"+o.Username()+"'").result(t)
	require.Len(t, users.Records, 1)
	uid := users.Records[0]["Id"].(string)

	psa := query(t, o, "data", "SELECT Id, PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '"+uid+"'").result(t)
	require.Len(t, psa.Records, 2, "the profile's permission set and the contact center one")
	var ids []string
	for _, r := range psa.Records {
		ids = append(ids, "'"+r["PermissionSetId"].(string)+"'")
	}
	sets := query(t, o, "data", "SELECT Id, Name, Label, IsOwnedByProfile, ProfileId, PermissionsCustomizeApplication FROM PermissionSet WHERE Id IN ("+
		strings.Join(ids, ", ")+")").result(t)
	require.Len(t, sets.Records, 2)
	byName := map[string]map[string]any{}
	for _, r := range sets.Records {
		byName[r["Label"].(string)] = r
	}
	admin := byName[ProfileSystemAdministrator]
	require.NotNil(t, admin, "%v", sets.Records)
	assert.Equal(t, true, admin["IsOwnedByProfile"])
	assert.Equal(t, true, admin["PermissionsCustomizeApplication"])
	scv := byName["Contact Center Admin (Amazon Connect)"]
	require.NotNil(t, scv)
	assert.Equal(t, false, scv["IsOwnedByProfile"])
	assert.Nil(t, scv["ProfileId"])

	sea := query(t, o, "data", "SELECT Id, ParentId FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication' AND SetupEntityId IN ('"+appID+"')").result(t)
	require.Len(t, sea.Records, 1)
	assert.Equal(t, scv["Id"], sea.Records[0]["ParentId"])

	profiles := query(t, o, "data", "SELECT Id, Name FROM Profile WHERE Id IN ('"+admin["ProfileId"].(string)+"')").result(t)
	require.Len(t, profiles.Records, 1)
	assert.Equal(t, ProfileSystemAdministrator, profiles.Records[0]["Name"])

	bad := query(t, o, "data", "SELECT Id FROM Profile WHERE Id IN 'x'")
	assert.Equal(t, codeMalformedQuery, bad.restError(t, http.StatusBadRequest).ErrorCode)
}

func TestSetupObjectsNeedViewSetup(t *testing.T) {
	o := seededOrg(t)
	o.AddUser("agent@example.com", ProfileStandardUser)
	sid, err := o.SessionToken("agent@example.com")
	require.NoError(t, err)
	for _, q := range []string{"SELECT Id FROM SetupEntityAccess", "SELECT Id FROM PermissionSetAssignment"} {
		e := restGet(t, o, "/services/data/v66.0/query?q="+url.QueryEscape(q), sid).restError(t, http.StatusBadRequest)
		assert.Equal(t, codeInvalidType, e.ErrorCode, q)
		assert.Equal(t, http.StatusOK, restGet(t, o, "/services/data/v66.0/query?q="+url.QueryEscape(q), o.AccessToken()).status, q)
	}
	assert.Equal(t, http.StatusOK, restGet(t, o, "/services/data/v66.0/query?q="+url.QueryEscape("SELECT Id FROM Profile"), sid).status)
	o.SetProfilePermission(ProfileStandardUser, PermissionViewSetup, true)
	assert.Equal(t, http.StatusOK, restGet(t, o, "/services/data/v66.0/query?q="+url.QueryEscape("SELECT Id FROM SetupEntityAccess"), sid).status)
}
