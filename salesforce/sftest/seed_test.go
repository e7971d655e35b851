package sftest

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type wireCallCenter struct {
	CustomSettings string `xml:"customSettings"`
	DisplayName    string `xml:"displayName"`
	Sections       []struct {
		Items []struct {
			Name  string `xml:"name"`
			Value string `xml:"value"`
		} `xml:"items"`
		Name string `xml:"name"`
	} `xml:"sections"`
}

func (c wireCallCenter) items() map[string]string {
	out := map[string]string{}
	for _, s := range c.Sections {
		for _, it := range s.Items {
			out[s.Name+"."+it.Name] = it.Value
		}
	}
	return out
}

func readCallCenter(t *testing.T, o *Org, name string) wireCallCenter {
	t.Helper()
	a := soap(t, o, `<readMetadata><type>CallCenter</type><fullNames>`+name+`</fullNames></readMetadata>`)
	var env struct {
		Records []wireCallCenter `xml:"Body>readMetadataResponse>result>records"`
	}
	require.NoError(t, xml.Unmarshal([]byte(a.body), &env))
	require.Len(t, env.Records, 1)
	return env.Records[0]
}

func TestSeededCallCenters(t *testing.T) {
	o := newOrg(t)
	o.AddCertificate("Default", 2048)
	o.SetDefaultCertificate("Default")
	nativeApp, nativeLogin := o.AddContactCenter(ContactCenterSeed{InternalName: "Native", DisplayName: "Native CC",
		Telephony: TelephonyNative, InstanceID: "inst-1", Region: "us-west-2"})
	partnerApp, partnerLogin := o.AddContactCenter(ContactCenterSeed{InternalName: "Partner", Telephony: TelephonyPartner,
		AppName: "Custom_App", InstanceID: "inst-2", Region: "eu-central-1"})
	otherApp, otherLogin := o.AddContactCenter(ContactCenterSeed{InternalName: "Other", Telephony: "open-cti"})

	assert.True(t, strings.HasPrefix(nativeApp, "0H4") && strings.HasPrefix(nativeLogin, "0sp"))
	assert.Empty(t, otherApp+otherLogin, "no connected app for a non-Amazon call center")

	native := readCallCenter(t, o, "Native").items()
	assert.Equal(t, "AMAZON_CONNECT", native["reqHvcc.reqTelephonyProvider"])
	assert.Equal(t, o.URL()+"/idp/login?app="+nativeLogin, native["reqHvcc.reqIdentityUrl"])
	assert.Equal(t, "https://us-west-2.console.aws.amazon.com/connect/federate/inst-1", native["reqHvcc.reqRelayState"])
	assert.Contains(t, readCallCenter(t, o, "Native").CustomSettings, "SCVOOTBTelephony")

	partner := readCallCenter(t, o, "Partner").items()
	assert.Equal(t, "c__AMAZON_CONNECT", partner["reqGeneralInfo.reqVendorInfoApiName"])
	assert.Equal(t, partnerApp, partner["reqGeneralInfo.reqConnectedAppId"])
	assert.Equal(t, o.URL()+"/idp/login?app="+partnerLogin, partner["reqGeneralInfo.reqIdentityUrl"])
	assert.Equal(t, "inst-2", partner["reqGeneralInfo.reqInstanceId"])
	assert.Equal(t, "eu-central-1", partner["reqGeneralInfo.reqRegion"])
	assert.NotContains(t, partner, "reqHvcc.reqTelephonyProvider")

	for k, v := range readCallCenter(t, o, "Other").items() {
		assert.NotEqual(t, "AMAZON_CONNECT", v, k)
		assert.NotEqual(t, "c__AMAZON_CONNECT", v, k)
	}

	snap := o.Snapshot()
	assert.Equal(t, map[string]string{"Native_Connected_App": "Default", "Custom_App": "Default"}, snap.AppCertificates)
}

// TestSeededComponentsAreSchemaValid checks every seeded component against
// the WSDL: order, values and required fields, as a client reading and
// writing it back would need.
func TestSeededComponentsAreSchemaValid(t *testing.T) {
	o := newOrg(t)
	o.AddContactCenter(ContactCenterSeed{InternalName: "N", Telephony: TelephonyNative, Pinned: true,
		RoleARN: "arn:aws:iam::1:role/r", ProviderARN: "arn:aws:iam::1:saml-provider/p"})
	o.AddContactCenter(ContactCenterSeed{InternalName: "P", Telephony: TelephonyPartner})
	o.AddContactCenter(ContactCenterSeed{InternalName: "X", Telephony: "other"})
	assert.Equal(t, "N_Connected_App_Cert", o.Snapshot().AppCertificates["N_Connected_App"],
		"a pinned app without an org default names its own certificate")
	o.SetDefaultCertificate("N_Connected_App_Cert")

	o.mu.Lock()
	defer o.mu.Unlock()
	check := func(typ, name string) {
		rec := o.recordLocked(typ, name)
		require.NotNil(t, rec, name)
		require.Nil(t, checkSchema(rec, typ), name)
		assert.Empty(t, missingRequired(rec, typ, ""), name)
	}
	for name := range o.st.apps {
		check("ConnectedApp", name)
	}
	for name := range o.st.callCenters {
		check("CallCenter", name)
	}
	for name := range o.st.certs {
		check("Certificate", name)
	}
	check("IdentityProviderSettings", "IdentityProvider")
}
