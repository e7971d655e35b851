package sftest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientKey returns a key and its self-signed certificate, as a connected
// app's "Use digital signatures" upload.
func clientKey(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "jwt client"},
		NotBefore: fixedNow.Add(-time.Hour), NotAfter: fixedNow.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

type tokenAnswer struct {
	status int
	ok     tokenResponse
	err    map[string]string
}

func postToken(t *testing.T, o *Org, form url.Values, basic ...string) tokenAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, o.URL()+"/services/oauth2/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := tokenAnswer{status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(b, &a.ok), string(b))
	} else {
		require.NoError(t, json.Unmarshal(b, &a.err), string(b))
	}
	return a
}

func assertion(t *testing.T, key *rsa.PrivateKey, method jwt.SigningMethod, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return s
}

func TestJWTBearer(t *testing.T) {
	o := seededOrg(t)
	key, cert := clientKey(t)
	o.RegisterJWTClient("3MVG9client", "integration@acme.example", cert)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": "3MVG9client", "sub": "integration@acme.example",
			"aud": "https://login.salesforce.com", "exp": fixedNow.Add(3 * time.Minute).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	cases := map[string]struct {
		assertion string
		err, desc string
	}{
		"good": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(nil))},
		"org audience": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["aud"] = o.URL()
		}))},
		"expired within skew": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["exp"] = fixedNow.Add(-2 * time.Minute).Unix()
		}))},
		"wrong audience": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["aud"] = "https://example.com"
		})), err: "invalid_grant", desc: "audience is invalid"},
		"expired": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["exp"] = fixedNow.Add(-4 * time.Minute).Unix()
		})), err: "invalid_grant", desc: "expired authorization code"},
		"bad signature": {assertion: assertion(t, otherKey, jwt.SigningMethodRS256, claims(nil)),
			err: "invalid_grant", desc: "invalid assertion"},
		"RS512": {assertion: assertion(t, key, jwt.SigningMethodRS512, claims(nil)),
			err: "invalid_grant", desc: "invalid assertion"},
		"unknown client": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["iss"] = "someone"
		})), err: "invalid_client_id", desc: "client identifier invalid"},
		"other user": {assertion: assertion(t, key, jwt.SigningMethodRS256, claims(func(c jwt.MapClaims) {
			c["sub"] = "admin@acme.example"
		})), err: "invalid_grant", desc: "user hasn't approved this consumer"},
		"garbage": {assertion: "not.a.jwt", err: "invalid_grant", desc: "invalid assertion"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := postToken(t, o, url.Values{"grant_type": {grantJWTBearer}, "assertion": {tc.assertion}})
			if tc.err != "" {
				assert.Equal(t, http.StatusBadRequest, a.status)
				assert.Equal(t, map[string]string{"error": tc.err, "error_description": tc.desc}, a.err)
				return
			}
			require.Equal(t, http.StatusOK, a.status, a.err)
			assert.Equal(t, "Bearer", a.ok.TokenType)
			assert.Equal(t, o.URL(), a.ok.InstanceURL)
			assert.True(t, strings.HasPrefix(a.ok.AccessToken, o.OrgID()[:15]+"!"), "opaque session id")
			assert.True(t, strings.HasPrefix(a.ok.ID, o.URL()+"/id/"+o.OrgID()+"/005"), a.ok.ID)
			assert.Empty(t, a.ok.Signature, "the JWT flow has no signature")
			// The token works on both APIs.
			assert.Equal(t, http.StatusOK, postSOAP(t, o, envelope(a.ok.AccessToken,
				`<readMetadata><type>Certificate</type><fullNames>X</fullNames></readMetadata>`)).status)
			query(t, o, "data", "SELECT Id FROM CallCenter").result(t)
		})
	}
}

func TestClientCredentials(t *testing.T) {
	o := seededOrg(t)
	o.RegisterClientCredentials("3MVG9cc", "s3cret")
	ok := postToken(t, o, url.Values{"grant_type": {"client_credentials"}, "client_id": {"3MVG9cc"},
		"client_secret": {"s3cret"}})
	require.Equal(t, http.StatusOK, ok.status, ok.err)
	assert.NotEmpty(t, ok.ok.Signature)
	assert.NotEmpty(t, ok.ok.IssuedAt)
	assert.Equal(t, "Bearer", ok.ok.TokenType)
	assert.Equal(t, http.StatusOK, restGet(t, o, "/services/data/v66.0/query?q=SELECT+Id+FROM+CallCenter",
		ok.ok.AccessToken).status)

	basic := postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "3MVG9cc", "s3cret")
	require.Equal(t, http.StatusOK, basic.status, basic.err)
	assert.NotEqual(t, ok.ok.AccessToken, basic.ok.AccessToken)

	bad := postToken(t, o, url.Values{"grant_type": {"client_credentials"}, "client_id": {"3MVG9cc"},
		"client_secret": {"wrong"}})
	assert.Equal(t, http.StatusBadRequest, bad.status)
	assert.Equal(t, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"}, bad.err)

	unknown := postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "nobody", "s3cret")
	assert.Equal(t, "invalid_client_id", unknown.err["error"])

	grant := postToken(t, o, url.Values{"grant_type": {"password"}})
	assert.Equal(t, "unsupported_grant_type", grant.err["error"])
}

func TestJWTFormatAccessTokens(t *testing.T) {
	o := seededOrg(t, WithJWTAccessTokens())
	o.RegisterClientCredentials("3MVG9cc", "s3cret")
	a := postToken(t, o, url.Values{"grant_type": {"client_credentials"}}, "3MVG9cc", "s3cret")
	require.Equal(t, http.StatusOK, a.status, a.err)
	tok := a.ok.AccessToken
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3, "a JWT-format token")
	_, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	require.NoError(t, err)

	// REST accepts it, SOAP does not.
	query(t, o, "data", "SELECT Id FROM CallCenter").result(t)
	assert.Equal(t, http.StatusOK, restGet(t, o, "/services/data/v66.0/query?q=SELECT+Id+FROM+CallCenter", tok).status)
	f := postSOAP(t, o, envelope(tok, `<readMetadata><type>Certificate</type><fullNames>X</fullNames></readMetadata>`)).fault(t)
	assert.Equal(t, "sf:INVALID_SESSION_ID", f.Code)
	assert.Equal(t, "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session", f.String)
	// AccessToken stays opaque.
	assert.False(t, strings.HasPrefix(o.AccessToken(), "eyJ"))
}
