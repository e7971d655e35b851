package sftest_test

import (
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"

	"github.com/voicecert/voicecert/salesforce/sftest"
)

// An app set to SHA1 signs its SAML Responses with rsa-sha1, as a real org
// does; SHA256 is the default.
func ExampleOrg_SetAppSigningAlgorithm() {
	org := sftest.New()
	defer org.Close()
	org.AddCertificate("Org_Default", 2048)
	org.SetDefaultCertificate("Org_Default")
	_, loginID := org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Sales", Telephony: sftest.TelephonyPartner})
	field := regexp.MustCompile(`name="SAMLResponse" value="([^"]*)"`)

	for _, alg := range []string{"SHA256", "SHA1"} {
		if err := org.SetAppSigningAlgorithm("Sales_Connected_App", alg); err != nil {
			fmt.Println(err)
			return
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(org.URL() + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(org.AccessToken()) +
			"&retURL=" + url.QueryEscape("/idp/login?app="+loginID))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := field.FindSubmatch(body)
		if m == nil {
			fmt.Println("no SAMLResponse")
			return
		}
		raw, _ := base64.StdEncoding.DecodeString(html.UnescapeString(string(m[1])))
		fmt.Println(alg, strings.Contains(string(raw), "xmldsig#rsa-sha1"))
	}
	fmt.Println(org.SetAppSigningAlgorithm("Sales_Connected_App", "MD5"))
	// Output:
	// SHA256 false
	// SHA1 true
	// sftest: signing algorithm "MD5": want SHA1 or SHA256
}
