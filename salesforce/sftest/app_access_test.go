package sftest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An External Client App is used by the profiles and permission sets it
// was granted, each a SetupEntityAccess of type ExternalClientApplication;
// a user with none of them gets "Insufficient Privileges" from its
// IdP-initiated login.
func TestIdPLoginNeedsAccessToTheExternalClientApp(t *testing.T) {
	o := seededOrg(t)
	ecaID, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Alpha", Telephony: TelephonyNative, External: true})
	grants := func() []map[string]any {
		return query(t, o, "data", "SELECT Id, ParentId, SetupEntityType FROM SetupEntityAccess WHERE SetupEntityType = 'ExternalClientApplication' AND SetupEntityId IN ('"+ecaID+"')").result(t).Records
	}
	cc := query(t, o, "data", "SELECT Id FROM PermissionSet WHERE Name = '"+PermissionSetContactCenterAdmin+"'").result(t).Records
	require.Len(t, cc, 1)
	require.Len(t, grants(), 1, "the contact center's permission set")
	assert.Equal(t, cc[0]["Id"], grants()[0]["ParentId"])
	assert.Empty(t, query(t, o, "data", "SELECT Id FROM SetupEntityAccess WHERE SetupEntityType = 'ConnectedApplication' AND SetupEntityId IN ('"+ecaID+"')").result(t).Records,
		"an ECA's grants are not a connected app's")
	_, body, _ := frontdoorLogin(t, o, o.AccessToken(), loginID)
	require.Contains(t, body, `name="SAMLResponse"`, "the seeded user has the contact center permission set")

	require.NoError(t, o.RevokeExternalClientApp("Alpha_Connected_App", PermissionSetContactCenterAdmin))
	assert.Empty(t, grants())
	status, body, path := frontdoorLogin(t, o, o.AccessToken(), loginID)
	assert.Equal(t, "/idp/login", path)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Insufficient Privileges")
	assert.NotContains(t, body, "SAMLResponse")

	require.NoError(t, o.GrantExternalClientApp("Alpha_Connected_App", ProfileSystemAdministrator))
	require.Len(t, grants(), 1, "the profile's own permission set")
	_, body, _ = frontdoorLogin(t, o, o.AccessToken(), loginID)
	assert.Contains(t, body, `name="SAMLResponse"`, "the seeded user has the profile")
	assert.Error(t, o.GrantExternalClientApp("No_Such_App", ProfileSystemAdministrator))
}
