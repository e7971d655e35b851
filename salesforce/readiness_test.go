package salesforce_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// providerWith is a provider of org using the token source ts.
func providerOf(t *testing.T, org *sftest.Org, ts oauth2.TokenSource) *salesforce.Provider {
	t.Helper()
	instance := org.URL()
	if _, ok := ts.(*salesforce.JWTBearer); ok {
		instance = ""
	}
	c, err := salesforce.NewClient(instance, ts, fastRetry, func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	require.NoError(t, err)
	return salesforce.NewProvider(c)
}

func staticProvider(t *testing.T, org *sftest.Org, username string, scopes ...string) *salesforce.Provider {
	t.Helper()
	tok, err := org.SessionToken(username, scopes...)
	require.NoError(t, err)
	return providerOf(t, org, salesforce.StaticToken(org.URL(), tok))
}

func TestIdentityOfStaticToken(t *testing.T) {
	org := seededOrg(t)
	id, err := staticProvider(t, org, org.Username()).Identity(t.Context())
	require.NoError(t, err)
	assert.Equal(t, org.Username(), id.Username)
	assert.Equal(t, org.OrgID(), id.OrgID)
	assert.True(t, strings.HasPrefix(id.UserID, "005"), id.UserID)
	assert.Equal(t, salesforce.TokenStatic, id.TokenKind)
	assert.Empty(t, id.Scopes, "a static token's scopes are unknown")
	assert.True(t, id.UISession, "frontdoor.jsp accepts a session with the web scope")
	assert.Empty(t, id.Why)

	t.Run("api scope only", func(t *testing.T) {
		id, err := staticProvider(t, org, org.Username(), "api").Identity(t.Context())
		require.NoError(t, err)
		assert.False(t, id.UISession)
		assert.Contains(t, id.Why, "web or full scope")
	})
}

func TestIdentityOfJWTBearerScopes(t *testing.T) {
	org := seededOrg(t)
	key := testKey(t, 2048)
	org.RegisterJWTClient("3MVG9jwt", org.Username(), selfSigned(t, key, "jwt", time.Hour))
	src := &salesforce.JWTBearer{ClientID: "3MVG9jwt", Username: org.Username(), PrivateKey: key, LoginURL: org.URL(), HTTPClient: org.Client()}

	id, err := providerOf(t, org, src).Identity(t.Context())
	require.NoError(t, err)
	assert.Equal(t, salesforce.TokenJWTBearer, id.TokenKind)
	assert.Equal(t, salesforce.ScopesFromTokenResponse, id.ScopesFrom)
	assert.ElementsMatch(t, sftest.DefaultScopes, id.Scopes)
	assert.True(t, id.UISession)

	org.SetClientScopes("3MVG9jwt", "api", "refresh_token")
	id, err = providerOf(t, org, src).Identity(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"api", "refresh_token"}, id.Scopes)
	assert.False(t, id.UISession)
	assert.Contains(t, id.Why, "(api refresh_token) have neither web nor full")
}

func TestIdentityOfJWTFormatTokenReadsItsClaims(t *testing.T) {
	org := seededOrg(t, sftest.WithJWTAccessTokens())
	org.RegisterClientCredentials("3MVG9cc", "s3cret")
	org.SetClientScopes("3MVG9cc", "api")
	src := &salesforce.ClientCredentials{InstanceURL: org.URL(), ClientID: "3MVG9cc", ClientSecret: "s3cret", HTTPClient: org.Client()}
	tok, err := src.Token()
	require.NoError(t, err)
	// The same token without the token response: the scopes come from its claims.
	id, err := providerOf(t, org, salesforce.StaticToken(org.URL(), tok.AccessToken)).Identity(t.Context())
	require.NoError(t, err)
	assert.True(t, id.JWTFormat)
	assert.Equal(t, salesforce.ScopesFromTokenClaims, id.ScopesFrom)
	assert.Equal(t, []string{"api"}, id.Scopes)
	assert.False(t, id.UISession)
}

func TestPermissions(t *testing.T) {
	org := seededOrg(t)
	perms, err := staticProvider(t, org, org.Username()).Permissions(t.Context())
	require.NoError(t, err)
	require.Len(t, perms, 4)
	for _, p := range perms {
		assert.True(t, p.Granted, p.Name)
	}

	org.AddUser("agent@example.com", sftest.ProfileStandardUser)
	perms, err = staticProvider(t, org, "agent@example.com").Permissions(t.Context())
	require.NoError(t, err)
	granted := map[string]bool{}
	for _, p := range perms {
		granted[p.Name] = p.Granted
	}
	assert.Equal(t, map[string]bool{"API Enabled": false, "Customize Application": false,
		"Modify Metadata Through Metadata API Functions": false, "View Setup and Configuration": false}, granted)
	assert.True(t, perms[1].Unknown, "without View Setup the other permissions cannot be read")
	assert.False(t, perms[3].Unknown)

	r, err := staticProvider(t, org, "agent@example.com").CheckSignIn(t.Context(), []rotation.AppRef{{ID: "0H4000000000001AAA", Name: "Support_Voice_Connected_App"}})
	require.NoError(t, err)
	assert.False(t, r.Apps[0].Access)
	assert.Contains(t, r.Apps[0].Why, "needs View Setup and Configuration")

	org.SetProfilePermission(sftest.ProfileStandardUser, sftest.PermissionViewSetup, true)
	perms, err = staticProvider(t, org, "agent@example.com").Permissions(t.Context())
	require.NoError(t, err)
	for _, p := range perms {
		granted[p.Name] = p.Granted
		assert.False(t, p.Unknown)
	}
	assert.Equal(t, map[string]bool{"API Enabled": true, "Customize Application": false,
		"Modify Metadata Through Metadata API Functions": false, "View Setup and Configuration": true}, granted)

	t.Run("Modify All Data grants Modify Metadata", func(t *testing.T) {
		org.SetProfilePermission("Voice Admins", sftest.PermissionModifyAllData, true)
		org.SetProfilePermission("Voice Admins", sftest.PermissionViewSetup, true)
		require.NoError(t, org.SetUserProfile("agent@example.com", "Voice Admins"))
		perms, err := staticProvider(t, org, "agent@example.com").Permissions(t.Context())
		require.NoError(t, err)
		assert.True(t, perms[2].Granted, "Modify All Data grants Modify Metadata")
		assert.False(t, perms[1].Granted)
	})
}

func TestCheckSignIn(t *testing.T) {
	sb := newSandbox(t)
	var apps []rotation.AppRef
	for _, c := range sb.centers {
		apps = append(apps, c.App)
	}
	p := staticProvider(t, sb.org, sb.org.Username())
	var _ rotation.SignInChecker = p
	r, err := p.CheckSignIn(t.Context(), apps)
	require.NoError(t, err)
	assert.True(t, r.UISession)
	require.Len(t, r.Apps, len(apps))
	for i, a := range r.Apps {
		assert.Equal(t, apps[i], a.App)
		assert.True(t, a.Access, "%s: %s", a.App, a.Why)
	}

	require.NoError(t, sb.org.UnassignPermissionSet(sb.org.Username(), sftest.PermissionSetContactCenterAdmin))
	r, err = p.CheckSignIn(t.Context(), apps)
	require.NoError(t, err)
	for _, a := range r.Apps {
		assert.False(t, a.Access, a.App.String())
		assert.Contains(t, a.Why, "permission set Contact Center Admin (Amazon Connect) (ContactCenterAdminAmazonConnect)")
		assert.Contains(t, a.Why, sb.org.Username())
	}
	// What the readiness says is what the sign-in does.
	_, err = p.SAMLResponse(t.Context(), apps[0])
	require.Error(t, err)

	require.NoError(t, sb.org.AssignPermissionSet(sb.org.Username(), sftest.PermissionSetContactCenterAdmin))
	_, err = p.SAMLResponse(t.Context(), apps[0])
	require.NoError(t, err)

	t.Run("no UI session", func(t *testing.T) {
		r, err := staticProvider(t, sb.org, sb.org.Username(), "api").CheckSignIn(t.Context(), apps[:1])
		require.NoError(t, err)
		assert.False(t, r.UISession)
		assert.NotEmpty(t, r.Why)
		assert.True(t, r.Apps[0].Access)
	})
}
