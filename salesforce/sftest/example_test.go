package sftest_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/salesforce/sftest"
)

// A test seeds the org, then talks to it over HTTP like a client of the real
// Metadata API would.
func Example() {
	org := sftest.New()
	defer org.Close()
	org.AddCertificate("IdP_2026", 2048)
	org.SetDefaultCertificate("IdP_2026")
	org.AddContactCenter(sftest.ContactCenterSeed{
		InternalName: "Support", DisplayName: "Support", Telephony: sftest.TelephonyNative,
		RoleARN:     "arn:aws:iam::123456789012:role/Support-SAMLRole",
		ProviderARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp",
	})

	envelope := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">` +
		`<soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>` +
		org.AccessToken() + `</sessionId></SessionHeader></soapenv:Header>` +
		`<soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata"><readMetadata><type>ConnectedApp</type>` +
		`<fullNames>Support_Connected_App</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>`
	req, _ := http.NewRequest(http.MethodPost, org.URL()+"/services/Soap/m/66.0", strings.NewReader(envelope))
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out struct {
		Label string `xml:"Body>readMetadataResponse>result>records>label"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&out); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, out.Label)
	fmt.Println(org.Snapshot().AppCertificates["Support_Connected_App"])
	// Output:
	// 200 Support Connected App
	// IdP_2026
}

// Faults are answered in the wire format of the API called: here a REST
// error array with the status Salesforce uses for the code.
func ExampleOrg_InjectFault() {
	org := sftest.New()
	defer org.Close()
	org.InjectFault("query", sftest.Fault{Code: "REQUEST_LIMIT_EXCEEDED"}, 1)

	req, _ := http.NewRequest(http.MethodGet,
		org.URL()+"/services/data/v66.0/query?q="+url.QueryEscape("SELECT Id FROM CallCenter"), nil)
	req.Header.Set("Authorization", "Bearer "+org.AccessToken())
	for range 2 {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(body)))
	}
	// Output:
	// 403 [{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]
	// 200 {"totalSize":0,"done":true,"records":[]}
}

// The test plays the admin who pins a connected app to its own IdP
// certificate in Setup; the metadata API cannot see this.
func ExampleOrg_SetAppCertificate() {
	org := sftest.New()
	defer org.Close()
	org.AddCertificate("Org_Default", 2048)
	org.SetDefaultCertificate("Org_Default")
	org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Sales", Telephony: sftest.TelephonyPartner})
	org.AddCertificate("Sales_Own", 2048)

	if err := org.SetAppCertificate("Sales_Connected_App", "Sales_Own"); err != nil {
		fmt.Println(err)
		return
	}
	s := org.Snapshot()
	fmt.Println(s.AppCertificates["Sales_Connected_App"], slices.Contains(s.Pinned, "Sales_Connected_App"))

	_ = org.FollowDefault("Sales_Connected_App")
	s = org.Snapshot()
	fmt.Println(s.AppCertificates["Sales_Connected_App"], slices.Contains(s.Pinned, "Sales_Connected_App"))
	// Output:
	// Sales_Own true
	// Org_Default false
}

// WSDLSequence gives the element order a client must emit.
func ExampleWSDLSequence() {
	for _, e := range sftest.WSDLSequence("IdentityProviderSettings") {
		fmt.Println(e.Name, e.Type, e.Required())
	}
	// Output:
	// fullName xsd:string false
	// module xsd:string false
	// certificateName xsd:string true
	// enableIdentityProvider xsd:boolean true
}

// SAML apps of no contact center, and a contact center signing in through
// an External Client App; each app's metadata endpoint publishes the
// certificate it signs with.
func ExampleOrg_AddSAMLApp() {
	org := sftest.New()
	defer org.Close()
	org.AddCertificate("IdP_2026", 2048)
	org.SetDefaultCertificate("IdP_2026")
	org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Okta_Workforce"})
	org.AddSAMLApp(sftest.SAMLAppSeed{Name: "Tableau", External: true, Pinned: true})
	org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Support", Telephony: sftest.TelephonyNative, External: true, AppName: "Support_ECA"})

	for _, app := range []string{"Okta_Workforce", "Tableau", "Support_ECA"} {
		resp, err := http.Get(org.MetadataURL(app))
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(app, resp.Status, "pinned:", slices.Contains(org.Snapshot().Pinned, app))
	}
	// Output:
	// Okta_Workforce 200 OK pinned: false
	// Tableau 200 OK pinned: true
	// Support_ECA 200 OK pinned: false
}

// A session without the web scope: the APIs accept it, frontdoor.jsp does
// not turn it into a UI session.
func ExampleOrg_SessionToken() {
	org := sftest.New()
	defer org.Close()
	org.AddUser("agent@example.com", sftest.ProfileStandardUser)
	apiOnly, _ := org.SessionToken("agent@example.com", "api")
	full, _ := org.SessionToken("agent@example.com")

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, sid := range []string{apiOnly, full} {
		resp, err := noRedirect.Get(org.URL() + "/secur/frontdoor.jsp?sid=" + url.QueryEscape(sid) + "&retURL=%2Fhome")
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Header.Get("Location") == "/home")
	}
	// Output:
	// false
	// true
}
