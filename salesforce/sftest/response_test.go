package sftest

import (
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

const (
	shapeRole     = "arn:aws:iam::210987654321:role/Gamma-SAMLRole"
	shapeProvider = "arn:aws:iam::210987654321:saml-provider/SalesforceVoiceIdp_00D"
)

// shapeOrg is an org with one contact center, Gamma, whose app carries the
// Role and RoleSessionName attributes SCV configures.
func shapeOrg(t *testing.T) (*Org, string) {
	t.Helper()
	o := seededOrg(t)
	_, loginID := o.AddContactCenter(ContactCenterSeed{InternalName: "Gamma", Telephony: TelephonyNative,
		RoleARN: shapeRole, ProviderARN: shapeProvider, Region: "eu-west-2"})
	return o, loginID
}

// setSAMLField sets (or, with "", removes) a samlConfig field of the app,
// keeping the WSDL order, as an updateMetadata would.
func setSAMLField(t *testing.T, o *Org, app, field, value string) {
	t.Helper()
	require.NoError(t, o.setSAMLConfig(app, field, value))
}

func decoded(t *testing.T, resp string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(resp)
	require.NoError(t, err)
	return string(raw)
}

func TestResponseLikeARealOrg(t *testing.T) {
	o, loginID := shapeOrg(t)
	md := metadataOf(t, o.MetadataURL("Gamma_Connected_App"))
	_, resp := ssoLogin(t, o, loginID)
	clock := samlmeta.WithClock(func() time.Time { return fixedNow.Add(time.Minute) })

	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock, samlmeta.RequireAWSSignIn(shapeProvider, shapeRole))
	require.NoError(t, err, "every AWS rule holds")
	assert.True(t, a.ResponseSigned && a.AssertionSigned, "both signed")
	assert.Equal(t, samlmeta.AWSSignInURL, a.Recipient, "the app's ACS")
	assert.Equal(t, "Gamma", a.Audience, "the app's Entity ID")
	assert.False(t, a.HasAWSAudience())
	assert.Equal(t, 30*time.Second, fixedNow.Sub(a.NotBefore).Round(time.Millisecond), "NotBefore 30 s before IssueInstant")
	assert.Equal(t, 5*time.Minute, a.NotOnOrAfter.Sub(fixedNow))
	o.mu.Lock()
	u := o.auth.users[o.Username()]
	o.mu.Unlock()
	for name, want := range map[string]string{"userId": u.id[:15], "username": u.username, "email": u.username, "is_portal_user": "false"} {
		assert.Equal(t, []string{want}, a.Attributes[name], name)
	}
	assert.Equal(t, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", a.SignatureMethod)

	x := decoded(t, resp)
	assert.Equal(t, 2, strings.Count(x, "<ds:Signature "))
	assert.Contains(t, x, `PrefixList="ds saml samlp xs xsi"`)
	assert.Contains(t, x, `PrefixList="ds saml xs xsi"`)
	assert.Equal(t, 6, strings.Count(x, `xsi:type="xs:anyType"`), "4 default and 2 custom attributes")
	for _, m := range regexp.MustCompile(`(?s)<ds:(?:SignatureValue|X509Certificate)>(.*?)</ds:`).FindAllStringSubmatch(x, -1) {
		lines := strings.Split(strings.Trim(m[1], "\n"), "\n")
		assert.Len(t, lines[0], 76, "wrapped at 76")
	}
}

func TestResponseSigningAlgorithm(t *testing.T) {
	o, loginID := shapeOrg(t)
	md := metadataOf(t, o.MetadataURL("Gamma_Connected_App"))
	clock := samlmeta.WithClock(func() time.Time { return fixedNow })
	setSAMLField(t, o, "Gamma_Connected_App", "samlSigningAlgoType", "SHA1")
	_, resp := ssoLogin(t, o, loginID)
	x := decoded(t, resp)
	assert.Equal(t, 2, strings.Count(x, `SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"`))
	assert.Equal(t, 2, strings.Count(x, `DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"`))
	_, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock, samlmeta.WithSigningAlgorithm(samlmeta.SigningSHA1))
	require.NoError(t, err)
	_, err = samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock, samlmeta.WithSigningAlgorithm(samlmeta.SigningSHA256))
	require.ErrorIs(t, err, samlmeta.ErrSHA1)

	setSAMLField(t, o, "Gamma_Connected_App", "samlSigningAlgoType", "")
	_, resp = ssoLogin(t, o, loginID)
	assert.NotContains(t, decoded(t, resp), "sha1", "absent, SHA256")
}

func TestResponseSubjectTypes(t *testing.T) {
	o, loginID := shapeOrg(t)
	md := metadataOf(t, o.MetadataURL("Gamma_Connected_App"))
	clock := samlmeta.WithClock(func() time.Time { return fixedNow })
	o.mu.Lock()
	u := o.auth.users[o.Username()]
	o.mu.Unlock()
	nameID := func(subject string) string {
		t.Helper()
		setSAMLField(t, o, "Gamma_Connected_App", "samlSubjectType", subject)
		_, resp := ssoLogin(t, o, loginID)
		a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md, clock)
		require.NoError(t, err, subject)
		return a.NameID
	}
	assert.Equal(t, u.username, nameID("Username"))
	assert.Equal(t, u.federationID, nameID("FederationId"))
	assert.Equal(t, u.id[:15], nameID("UserId"))
	setSAMLField(t, o, "Gamma_Connected_App", "samlSubjectCustomAttr", samlmeta.AttrRoleSessionName)
	assert.Equal(t, u.username, nameID("CustomAttribute"))

	p := nameID("PersistentId")
	assert.Regexp(t, "^[0-9a-f]{32}$", p)
	assert.Equal(t, p, nameID("PersistentId"), "stable")
	assert.NotContains(t, p, u.id[:15])
	_, other := o.AddContactCenter(ContactCenterSeed{InternalName: "Delta", Telephony: TelephonyNative})
	_, resp := ssoLogin(t, o, other)
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), metadataOf(t, o.MetadataURL("Delta_Connected_App")), clock)
	require.NoError(t, err)
	assert.NotEqual(t, p, a.NameID, "another app, another persistent id")

	setSAMLField(t, o, "Gamma_Connected_App", "samlSubjectType", "CustomAttribute")
	setSAMLField(t, o, "Gamma_Connected_App", "samlSubjectCustomAttr", "NoSuchAttribute")
	status, body := idpLoginStatus(t, o, loginID)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "NoSuchAttribute")
}

func TestIdPMetadataValidUntil(t *testing.T) {
	now := fixedNow
	o := seededOrg(t, WithClock(func() time.Time { return now }))
	for _, u := range []string{o.OrgMetadataURL(), o.MetadataURL("ACME_Voice_Connected_App")} {
		md, err := samlmeta.Parse(metadataOf(t, u))
		require.NoError(t, err)
		assert.Equal(t, now.Add(metadataValidity).UTC(), md.ValidUntil().UTC(), u)
		assert.Greater(t, md.ValidUntil().Sub(now), 5*365*24*time.Hour, "years ahead")
	}
	first := metadataOf(t, o.OrgMetadataURL())
	now = now.Add(time.Hour)
	md, err := samlmeta.Parse(metadataOf(t, o.OrgMetadataURL()))
	require.NoError(t, err)
	assert.Equal(t, now.Add(metadataValidity).UTC(), md.ValidUntil().UTC(), "a new one on each download")
	assert.NotEqual(t, first, md.Bytes())
	require.NoError(t, samlmeta.ValidateIAM(md.Bytes(), now), "IAM takes it")
}

// idpLoginStatus signs in through frontdoor and returns the status and body
// of the IdP-initiated login.
func idpLoginStatus(t *testing.T, o *Org, loginID string) (int, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	status, body, _ := get(t, c, o.URL()+"/secur/frontdoor.jsp?sid="+url.QueryEscape(o.AccessToken())+
		"&retURL="+url.QueryEscape("/idp/login?app="+loginID))
	return status, body
}
