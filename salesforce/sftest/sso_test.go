package sftest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

var formField = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)
var formAction = regexp.MustCompile(`<form method="POST" action="([^"]*)">`)

// ssoLogin signs in through frontdoor with the org's token and returns the
// auto-post form's action and SAMLResponse.
func ssoLogin(t *testing.T, o *Org, loginID string) (action, samlResponse string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	u := o.URL() + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(o.AccessToken()) +
		"&retURL=" + url.QueryEscape("/idp/login?app="+loginID)
	status, body, _ := get(t, c, u)
	require.Equal(t, http.StatusOK, status, body)
	m := formAction.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	f := formField.FindStringSubmatch(body)
	require.NotNil(t, f, body)
	return html.UnescapeString(m[1]), html.UnescapeString(f[2])
}

func metadataOf(t *testing.T, u string) []byte {
	t.Helper()
	status, body, hdr := get(t, http.DefaultClient, u)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, hdr.Get("Content-Type"), "xml")
	return []byte(body)
}

func TestIdPLoginFollowsTheAppCertificate(t *testing.T) {
	o := seededOrg(t)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Beta", Telephony: TelephonyPartner,
		RoleARN:     "arn:aws:iam::210987654321:role/Beta-SAMLRole",
		ProviderARN: "arn:aws:iam::210987654321:saml-provider/SalesforceVoiceIdp_00D", Region: "eu-west-2"})
	clock := samlmeta.WithClock(func() time.Time { return fixedNow.Add(time.Minute) })

	appMD := metadataOf(t, o.MetadataURL("Beta_Connected_App"))
	orgMD := metadataOf(t, o.OrgMetadataURL())
	md, err := samlmeta.Parse(appMD)
	require.NoError(t, err)
	assert.Equal(t, o.URL(), md.EntityID())
	assert.Equal(t, []samlmeta.Endpoint{
		{Binding: samlmeta.BindingHTTPPost, Location: o.URL() + "/idp/endpoint/HttpPost"},
		{Binding: samlmeta.BindingHTTPRedirect, Location: o.URL() + "/idp/endpoint/HttpRedirect"},
	}, md.SSOServices())
	certs, err := md.SigningCertificates()
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, o.Snapshot().Certificates["IdP_Cert_2025"], certs[0].SHA256)

	action, resp := ssoLogin(t, o, loginID)
	assert.Equal(t, DefaultSignInURL, action)
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), appMD, clock)
	require.NoError(t, err)
	assert.Equal(t, o.URL(), a.Issuer)
	assert.Equal(t, "Beta", a.Audience, "the app's Entity ID")
	assert.Equal(t, DefaultSignInURL, a.Destination)
	assert.Regexp(t, "^[0-9a-f]{32}$", a.NameID, "the seeded apps' subject is PersistentId")
	assert.Equal(t, samlmeta.NameIDFormatPersistent, a.NameIDFormat)
	assert.Equal(t, []string{"arn:aws:iam::210987654321:role/Beta-SAMLRole,arn:aws:iam::210987654321:saml-provider/SalesforceVoiceIdp_00D"}, a.Roles)
	assert.Equal(t, o.Username(), a.RoleSessionName)
	assert.True(t, a.ResponseSigned && a.AssertionSigned)
	assert.Equal(t, certs[0].SHA256, a.SignedBy.SHA256)

	// The admin pins another certificate: the app's document and signature
	// change, the org's do not.
	o.AddCertificate("Beta_Own", 2048)
	require.NoError(t, o.SetAppCertificate("Beta_Connected_App", "Beta_Own"))
	_, resp2 := ssoLogin(t, o, loginID)
	_, err = samlmeta.VerifyResponseWithMetadata([]byte(resp2), appMD, clock)
	require.ErrorIs(t, err, samlmeta.ErrSignature, "the old document no longer verifies")
	appMD2 := metadataOf(t, o.MetadataURL("Beta_Connected_App"))
	a2, err := samlmeta.VerifyResponseWithMetadata([]byte(resp2), appMD2, clock)
	require.NoError(t, err)
	assert.Equal(t, o.Snapshot().Certificates["Beta_Own"], a2.SignedBy.SHA256)
	assert.Equal(t, orgMD, metadataOf(t, o.OrgMetadataURL()))
	assert.Contains(t, o.Snapshot().Pinned, "Beta_Connected_App")

	// Unpinned, it follows the default again.
	require.NoError(t, o.FollowDefault("Beta_Connected_App"))
	assert.Equal(t, appMD, metadataOf(t, o.MetadataURL("Beta_Connected_App")))
}

func TestIdPLoginOptionsAndRefusals(t *testing.T) {
	o := seededOrg(t, WithSignInURL("http://127.0.0.1:9/saml"), WithAudience("urn:amazon:webservices"))
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "NoRole", Telephony: TelephonyNative})
	action, resp := ssoLogin(t, o, loginID)
	assert.Equal(t, "http://127.0.0.1:9/saml", action)
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), metadataOf(t, o.MetadataURL("NoRole_Connected_App")),
		samlmeta.WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	assert.Equal(t, "urn:amazon:webservices", a.Audience)
	assert.Equal(t, DefaultSignInURL, a.Destination, "the form posts elsewhere; the Response names the app's ACS")
	assert.Equal(t, DefaultSignInURL, a.Recipient)
	assert.Empty(t, a.Roles, "no Role attribute seeded")

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, _, hdr := get(t, noRedirect, o.URL()+"/idp/login?app="+loginID)
	assert.Equal(t, http.StatusFound, status, "no browser session: to the login page")
	assert.Contains(t, hdr.Get("Location"), "startURL=")

	status, _, hdr = get(t, noRedirect, o.URL()+"/secur/frontdoor.jsp?sid=bogus&retURL=%2Fidp%2Flogin")
	assert.Equal(t, http.StatusFound, status)
	assert.Empty(t, hdr.Values("Set-Cookie"), "no session for a bad sid")
	assert.Contains(t, hdr.Get("Location"), "ec=302")

	status, _, _ = get(t, http.DefaultClient, o.MetadataURL("No_Such_App"))
	assert.Equal(t, http.StatusNotFound, status)
}

func TestSSOFaultsAndRevocation(t *testing.T) {
	o := seededOrg(t)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "S", Telephony: TelephonyNative})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	front := o.URL() + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(o.AccessToken()) + "&retURL=%2F"
	login := o.URL() + "/idp/login?app=" + loginID

	o.InjectFault("frontdoor", Fault{Code: "SERVER_UNAVAILABLE"}, 1)
	status, body, _ := get(t, c, front)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, body, "SERVER_UNAVAILABLE")

	status, _, _ = get(t, c, front)
	require.Equal(t, http.StatusOK, status)
	o.InjectFault("idp/login", Fault{Code: "UNKNOWN_EXCEPTION", Message: "boom"}, 1)
	status, body, _ = get(t, c, login)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "UNKNOWN_EXCEPTION: boom\n", body)
	status, body, _ = get(t, c, login)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `name="SAMLResponse"`)

	o.RevokeSessions()
	status, body, _ = get(t, c, login)
	assert.Equal(t, http.StatusOK, status, "redirected to the login page")
	assert.NotContains(t, body, "SAMLResponse", "the browser session died with the revocation")
}

func TestAppWithoutSAMLConfigHasNoMetadata(t *testing.T) {
	o := seededOrg(t)
	metadataOf(t, o.MetadataURL("ACME_Voice_Connected_App"))
	noSAML := `<updateMetadata><metadata xsi:type="ConnectedApp"><fullName>ACME_Voice_Connected_App</fullName>` +
		`<contactEmail>a@example.com</contactEmail><label>ACME Voice Connected App</label></metadata></updateMetadata>`
	res := soap(t, o, noSAML).results(t, "updateMetadata")
	require.True(t, res[0].Success, "%+v", res)
	status, _, _ := get(t, http.DefaultClient, o.MetadataURL("ACME_Voice_Connected_App"))
	assert.Equal(t, http.StatusNotFound, status, "dropping samlConfig in an update switches SAML off")
}
