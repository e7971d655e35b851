package salesforce

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

func TestRoleARNs(t *testing.T) {
	const (
		role     = "arn:aws:iam::123456789012:role/Support-SAMLRole"
		provider = "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
	)
	cases := []struct {
		name, formula string
		ok            bool
	}{
		{"role first, quoted", "'" + role + "," + provider + "'", true},
		{"provider first, quoted", "'" + provider + "," + role + "'", true},
		{"double quotes", `"` + role + "," + provider + `"`, true},
		{"unquoted with spaces", " " + provider + " , " + role + " ", true},
		{"role only", "'" + role + "'", false},
		{"two roles", "'" + role + "," + role + "'", false},
		{"two providers", "'" + provider + "," + provider + "'", false},
		{"not an ARN", "'$User.Username'", false},
		{"other service", "'arn:aws:s3:::bucket," + role + "'", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, p, err := RoleARNs(tc.formula)
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, role, r)
			assert.Equal(t, provider, p)
		})
	}
	// Role names may hold commas; the split happens only before "arn:".
	r, p, err := RoleARNs("'arn:aws-us-gov:iam::123456789012:role/a,b," + provider + "'")
	require.NoError(t, err)
	assert.Equal(t, "arn:aws-us-gov:iam::123456789012:role/a,b", r)
	assert.Equal(t, provider, p)
	assert.Equal(t, "123456789012", ARNAccount(p))
	assert.Empty(t, ARNAccount("arn:aws:s3:::bucket"))
}

func TestConnectInstanceAndLoginID(t *testing.T) {
	cc := func(items ...string) *CallCenter {
		var sec CallCenterSection
		for i := 0; i < len(items); i += 2 {
			sec.Items = append(sec.Items, CallCenterItem{Name: items[i], Value: items[i+1]})
		}
		return &CallCenter{Sections: []CallCenterSection{sec}}
	}
	id, region := connectInstance(cc(itemRelayState, "https://eu-west-2.console.aws.amazon.com/connect/federate/1a2b3c4d-0000-1111-2222-333344445555?destination=%2Fconnect%2Fccp-v2"))
	assert.Equal(t, "1a2b3c4d-0000-1111-2222-333344445555", id)
	assert.Equal(t, "eu-west-2", region)

	id, region = connectInstance(cc(itemInstanceID, "inst-1", itemRegion, "us-gov-west-1", itemRelayState, "https://eu-west-2.console.aws.amazon.com/connect/federate/other"))
	assert.Equal(t, "inst-1", id, "explicit items win")
	assert.Equal(t, "us-gov-west-1", region)

	id, region = connectInstance(cc(itemRelayState, "not a url\x7f"))
	assert.Empty(t, id)
	assert.Empty(t, region)

	assert.Equal(t, "0sp000000000001", loginID(cc(itemIdentityURL, "https://example.my.salesforce.com/idp/login?app=0sp000000000001")))
	assert.Empty(t, loginID(cc()))
}

func TestTelephony(t *testing.T) {
	mk := func(name, value string) *CallCenter {
		return &CallCenter{Sections: []CallCenterSection{{Items: []CallCenterItem{{Name: name, Value: value}}}}}
	}
	tel, ok := telephony(mk(itemTelephonyProvider, "AMAZON_CONNECT"))
	assert.True(t, ok)
	assert.Equal(t, rotation.TelephonyNative, tel)
	tel, ok = telephony(mk(itemVendorInfo, "c__AMAZON_CONNECT"))
	assert.True(t, ok)
	assert.Equal(t, rotation.TelephonyPartner, tel)
	_, ok = telephony(mk(itemVendorInfo, "c__OTHER_VENDOR"))
	assert.False(t, ok)
	_, ok = telephony(mk(itemTelephonyProvider, "TWILIO"))
	assert.False(t, ok)
}

func TestSameID(t *testing.T) {
	assert.True(t, sameID("0H4000000000001", "0H4000000000001AAA"))
	assert.True(t, sameID("0H4000000000001AAA", "0H4000000000001AAA"))
	assert.False(t, sameID("0H4000000000002", "0H4000000000001AAA"))
	assert.False(t, sameID("", "0H4000000000001AAA"))
}

func TestCertificateName(t *testing.T) {
	now := time.Date(2026, 3, 15, 8, 30, 0, 0, time.FixedZone("X", 3600))
	cases := []struct {
		template, name, label string
	}{
		{"", "SCV_IdP_20260315_073000", "SCV IdP 2026-03-15 07:30:00"},
		{"Voice Cert {date}", "Voice_Cert_20260315", "Voice Cert 2026-03-15"},
		{"{date}-scv", "C_20260315_scv", "2026-03-15-scv"},
		{"a__b__{time}_", "a_b_073000", "a b 07:30:00"},
		{"Zertifikat-ä-{date}", "Zertifikat_20260315", "Zertifikat-ä-2026-03-15"},
		{strings.Repeat("x", 100), strings.Repeat("x", 80), strings.Repeat("x", 64)},
	}
	for _, tc := range cases {
		t.Run(tc.template, func(t *testing.T) {
			name, label := CertificateName(tc.template, now)
			assert.Equal(t, tc.name, name)
			assert.Equal(t, tc.label, label)
			assert.Empty(t, ValidCertificateName(name), "the result is a valid unique name")
			assert.LessOrEqual(t, len(label), MaxCertificateLabelLen)
		})
	}
}

func TestValidCertificateName(t *testing.T) {
	for name, ok := range map[string]bool{
		"SCV_IdP_20260315":       true,
		"a1":                     true,
		"":                       false,
		"1abc":                   false,
		"_abc":                   false,
		"abc_":                   false,
		"a__b":                   false,
		"a-b":                    false,
		"a b":                    false,
		strings.Repeat("a", 80):  true,
		strings.Repeat("a", 81):  false,
		"Zertifikat_ä":           false,
		"SCV_IdP_20260315_08300": true,
	} {
		assert.Equal(t, ok, ValidCertificateName(name) == "", name)
	}
}

func TestValidateSpecRefusesWithTypedError(t *testing.T) {
	for _, spec := range []rotation.CertificateSpec{
		{Name: "Good_Name", KeyBits: 3072},
		{Name: "Good_Name", KeyBits: 1024},
		{Name: "Good_Name", KeyBits: 0},
		{Name: "bad name", KeyBits: 2048},
		{Name: "Good_Name", KeyBits: 2048, Label: strings.Repeat("l", 65)},
	} {
		err := validateSpec(spec)
		var ise *InvalidCertificateSpecError
		require.ErrorAs(t, err, &ise, "%+v", spec)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.Equal(t, spec, ise.Spec)
	}
	assert.NoError(t, validateSpec(rotation.CertificateSpec{Name: "Good_Name", KeyBits: 4096}))
}

func TestFormValue(t *testing.T) {
	page := `<html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml">
<input type="hidden" name="RelayState" value="x&amp;y"/>
<INPUT TYPE='hidden' VALUE='PHNhbWxwOl
Jlc3BvbnNl&#43;' NAME='SAMLResponse'>
</form></body></html>`
	v, err := formValue(page, "SAMLResponse")
	require.NoError(t, err)
	assert.Equal(t, "PHNhbWxwOlJlc3BvbnNl+", v)
	v, err = formValue(page, "RelayState")
	require.NoError(t, err)
	assert.Equal(t, "x&y", v)
	_, err = formValue("<html>Insufficient Privileges</html>", "SAMLResponse")
	assert.Error(t, err)
	_, err = formValue(`<input name="SAMLResponse" value="">`, "SAMLResponse")
	assert.Error(t, err)

	for _, tc := range []struct{ page, want string }{
		{`<inputs name="SAMLResponse" value="no"><input name="SAMLResponse" value="yes">`, "yes"},
		{`<input type=hidden name = "SAMLResponse"  value = 'a b'>`, "ab"},
		{`<input name="SAMLResponse" value="first" value="second">`, "first"},
		{`<input data-x="name=&quot;SAMLResponse&quot;" name="Other" value="no"><input name="SAMLResponse" value="yes">`, "yes"},
		{`<form><input name="SAMLResponse" value="x&#x2B;y/z="></form>`, "x+y/z="},
	} {
		v, err := formValue(tc.page, "SAMLResponse")
		require.NoError(t, err, tc.page)
		assert.Equal(t, tc.want, v, tc.page)
	}
	_, err = formValue(`<input name="SAMLResponse" value="unterminated>`, "SAMLResponse")
	assert.Error(t, err)
}

// A login page carries a Response of several kilobytes; reading it must
// cost little next to the signature check that follows (it once took
// longer than that check, with regular expressions).
func BenchmarkFormValue(b *testing.B) {
	value := strings.Repeat("PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wi", 120)
	page := `<html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml">` +
		`<input type="hidden" name="SAMLResponse" value="` + value + `"/><input type="hidden" name="RelayState" value=""/></form></body></html>`
	for b.Loop() {
		if v, err := formValue(page, "SAMLResponse"); err != nil || len(v) != len(value) {
			b.Fatal(err)
		}
	}
}

func TestRawElementRoundTrip(t *testing.T) {
	in := `<wrap xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="http://soap.sforce.com/2006/04/metadata">` +
		`<m:oauthConfig m:flag="1">
  <m:callbackUrl>https://a.example.com/?x=1&amp;y="2"</m:callbackUrl>
  <m:consumerSecret>  keep  spaces  </m:consumerSecret>
  <m:idTokenConfig><m:idTokenAudience xsi:nil="true"/></m:idTokenConfig>
</m:oauthConfig></wrap>`
	var w struct {
		OauthConfig RawElement `xml:"oauthConfig"`
	}
	require.NoError(t, xml.Unmarshal([]byte(in), &w))
	assert.Equal(t, "oauthConfig", w.OauthConfig.XMLName.Local)
	assert.Equal(t, `<callbackUrl>https://a.example.com/?x=1&amp;y="2"</callbackUrl><consumerSecret>  keep  spaces  </consumerSecret>`+
		`<idTokenConfig><idTokenAudience xsi:nil="true"></idTokenAudience></idTokenConfig>`, w.OauthConfig.Inner)
	out, err := xml.Marshal(struct {
		XMLName     xml.Name    `xml:"x"`
		OauthConfig *RawElement `xml:"oauthConfig,omitempty"`
		Empty       *RawElement `xml:"canvas,omitempty"`
	}{OauthConfig: &w.OauthConfig})
	require.NoError(t, err)
	assert.Equal(t, `<x><oauthConfig flag="1">`+w.OauthConfig.Inner+`</oauthConfig></x>`, string(out))
}

func TestSigningCertCache(t *testing.T) {
	var c signingCertCache
	doc := func(i int) []byte { return []byte(fmt.Sprintf("<md:EntityDescriptor n=%q/>", strconv.Itoa(i))) }
	cert := func(i int) *samlmeta.Cert { return &samlmeta.Cert{SHA256: strconv.Itoa(i)} }
	assert.Nil(t, c.get(doc(0)))
	c.put(doc(0), cert(0))
	assert.Equal(t, cert(0), c.get(doc(0)), "the same bytes")
	assert.Equal(t, cert(0), c.get(append([]byte(nil), doc(0)...)), "a copy of the same bytes")
	assert.Nil(t, c.get(doc(1)), "other bytes")
	c.put(doc(0), cert(9))
	assert.Equal(t, cert(0), c.get(doc(0)), "the first parse stays")
	for i := 1; i <= signingCertCacheSize; i++ {
		c.put(doc(i), cert(i))
	}
	assert.Nil(t, c.get(doc(0)), "the oldest is forgotten")
	assert.Equal(t, cert(signingCertCacheSize), c.get(doc(signingCertCacheSize)))
	assert.Len(t, c.entries, signingCertCacheSize)
}
