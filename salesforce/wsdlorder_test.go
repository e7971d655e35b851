package salesforce_test

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// node is a generic XML element tree.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
}

func (n node) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// checkSequence checks that n's children follow the WSDL sequence of
// typeName (known names only, in order, repeated only where allowed) and
// recurses into children whose type the table holds and deep accepts (a
// child with xsi:type is checked against that type). It returns the names of
// the sequence that occurred.
func checkSequence(t *testing.T, n node, typeName, path string, deep func(typeName string) bool) map[string]bool {
	t.Helper()
	seq := sftest.WSDLSequence(typeName)
	require.NotNil(t, seq, "sftest holds the WSDL sequence of %s", typeName)
	seen := map[string]bool{}
	last := -1
	for _, c := range n.Children {
		name := c.XMLName.Local
		i := slices.IndexFunc(seq, func(e sftest.WSDLElement) bool { return e.Name == name })
		if !assert.GreaterOrEqual(t, i, 0, "%s/%s is not an element of %s", path, name, typeName) {
			continue
		}
		if i == last {
			assert.True(t, seq[i].Repeated(), "%s/%s repeated but maxOccurs is 1", path, name)
		} else {
			assert.Greater(t, i, last, "%s/%s out of WSDL order in %s", path, name, typeName)
		}
		last = max(last, i)
		seen[name] = true
		ct := seq[i].ComplexType()
		if xt := c.attr("type"); xt != "" {
			ct = xt[strings.Index(xt, ":")+1:]
		}
		if ct != "" && sftest.WSDLSequence(ct) != nil && deep(ct) {
			checkSequence(t, c, ct, path+"/"+name, deep)
		}
	}
	for _, e := range seq {
		if e.Required() {
			assert.True(t, seen[e.Name], "%s: required element %s of %s missing", path, e.Name, typeName)
		}
	}
	return seen
}

// TestGoldenBodiesFollowWSDL checks every golden request against the WSDL
// sequences: the operation element and each metadata component by xsi:type.
func TestGoldenBodiesFollowWSDL(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			var env node
			require.NoError(t, xml.Unmarshal(data, &env))
			require.Len(t, env.Children, 2, "Header and Body")
			header, body := env.Children[0], env.Children[1]
			assert.Equal(t, "Header", header.XMLName.Local)
			require.Len(t, header.Children, 1)
			assert.Equal(t, sftest.MetadataNS, header.Children[0].XMLName.Space)
			all := func(string) bool { return true }
			checkSequence(t, header.Children[0], "SessionHeader", "SessionHeader", all)
			require.Len(t, body.Children, 1)
			op := body.Children[0]
			assert.Equal(t, sftest.MetadataNS, op.XMLName.Space, "operation in the metadata namespace")
			checkSequence(t, op, op.XMLName.Local, op.XMLName.Local, all)
			for _, c := range op.Children {
				if c.XMLName.Local == "metadata" {
					assert.NotEmpty(t, c.attr("type"), "metadata has xsi:type")
				}
			}
		})
	}
}

// modelled reports the nested types the package models with typed fields
// (the others are RawElement, filled with placeholders below).
func modelled(typeName string) bool {
	switch typeName {
	case "ConnectedAppSamlConfig", "ConnectedAppAttribute", "CallCenterSection", "CallCenterItem",
		"ExtlClntAppSamlConfigurablePoliciesAttribute":
		return true
	}
	return false
}

// TestComponentsEmitEveryElementInWSDLOrder marshals fully populated
// components and checks that every WSDL element is modelled and emitted in
// sequence order.
func TestComponentsEmitEveryElementInWSDLOrder(t *testing.T) {
	yes := true
	raw := func() *salesforce.RawElement { return &salesforce.RawElement{Inner: "<x>1</x>"} }
	comps := []salesforce.Component{
		&salesforce.Certificate{
			FullName: "C", Module: "m", Content: salesforce.Base64("PEM"), CASigned: true, EncryptedWithPlatformEncryption: &yes,
			ExpirationDate: "2027-01-01T00:00:00.000Z", KeySize: 4096, MasterLabel: "L", PrivateKeyExportable: &yes,
		},
		&salesforce.IdentityProviderSettings{FullName: "IdentityProvider", Module: "m", CertificateName: "C", EnableIdentityProvider: true},
		&salesforce.ConnectedApp{
			FullName: "A", Module: "m",
			Attributes: []salesforce.ConnectedAppAttribute{{Formula: "f", Key: "k"}, {Formula: "g", Key: "l"}},
			Canvas:     raw(), CanvasConfig: raw(), ContactEmail: "a@example.com", ContactPhone: "1", Description: "d",
			IconURL: "i", InfoURL: "i", IPRanges: []salesforce.RawElement{*raw(), *raw()}, Label: "L", LogoURL: "l",
			MobileAppConfig: raw(), MobileStartURL: "m", OauthConfig: raw(), OauthPolicy: raw(),
			PermissionSetName: []string{"p", "q"}, Plugin: "p", PluginExecutionUser: "u", ProfileName: []string{"a", "b"},
			SamlConfig: &salesforce.ConnectedAppSamlConfig{
				AcsURL: "a", Certificate: "c", EncryptionCertificate: "e", EncryptionType: "AES_256", EntityURL: "e", Issuer: "i",
				SamlIdpSLOBindingEnum: "PostBinding", SamlNameIDFormat: "Persistent", SamlSigningAlgoType: "SHA256",
				SamlSloURL: "s", SamlSubjectCustomAttr: "c", SamlSubjectType: "PersistentId",
			},
			SessionPolicy: raw(), StartURL: "s",
			Unknown: []salesforce.RawElement{{XMLName: xml.Name{Local: "notInWSDL"}}},
		},
		&salesforce.ExternalClientApplication{
			FullName: "E", Module: "m", ContactEmail: "a@example.com", ContactPhone: "1", Description: "d", DistributionState: "Local",
			IconURL: "i", InfoURL: "i", IsProtected: &yes, Label: "L", LogoURL: "l", ManagedType: "Local", OrgScopedExternalApp: "o",
			Unknown: []salesforce.RawElement{{XMLName: xml.Name{Local: "notInWSDL"}}},
		},
		&salesforce.ExtlClntAppSamlConfigurablePolicies{
			FullName: "E_SAML", Module: "m", AcsURL: "a", Certificate: "c", CommaSeparatedPermissionSet: "p", CommaSeparatedProfile: "q",
			CustomAttributes:      []salesforce.ConnectedAppAttribute{{Formula: "f", Key: "k"}, {Formula: "g", Key: "l"}},
			EncryptionCertificate: "e", EncryptionType: "AES_256", EntityURL: "e", ExternalClientApplication: "E", Issuer: "i", Label: "L",
			NameIDFormat: "Persistent", SigningAlgorithmType: "SHA256", SingleLogoutBindingType: "PostBinding", SingleLogoutURL: "s",
			SubjectCustomAttribute: "c", SubjectType: "PersistentId",
			Unknown: []salesforce.RawElement{{XMLName: xml.Name{Local: "notInWSDL"}}},
		},
		&salesforce.CallCenter{
			FullName: "CC", Module: "m", AdapterURL: "a", ContactCenterChannels: []salesforce.RawElement{*raw()}, CustomSettings: "{}",
			DisplayName: "D", DisplayNameLabel: "DL", InternalNameLabel: "IL",
			Sections: []salesforce.CallCenterSection{{
				Items: []salesforce.CallCenterItem{{Label: "l", Name: "n", Value: "v"}, {Label: "l2", Name: "n2", Value: "v2"}},
				Label: "S", Name: "s",
			}},
			VendorCallCenterStatusMaps: []salesforce.RawElement{*raw()}, Version: "5",
		},
	}
	for _, c := range comps {
		t.Run(c.MetadataType(), func(t *testing.T) {
			out, err := xml.Marshal(c)
			require.NoError(t, err)
			var n node
			require.NoError(t, xml.Unmarshal(out, &n))
			seen := checkSequence(t, n, c.MetadataType(), c.MetadataType(), modelled)
			for _, e := range sftest.WSDLSequence(c.MetadataType()) {
				assert.True(t, seen[e.Name], "%s.%s is not modelled (read-modify-write would drop it)", c.MetadataType(), e.Name)
			}
			assert.NotContains(t, string(out), "notInWSDL", "unknown elements are never sent")
			if strings.Contains(string(out), "<samlConfig>") {
				saml := n.Children[slices.IndexFunc(n.Children, func(c node) bool { return c.XMLName.Local == "samlConfig" })]
				seenSaml := checkSequence(t, saml, "ConnectedAppSamlConfig", "samlConfig", modelled)
				assert.Len(t, seenSaml, len(sftest.WSDLSequence("ConnectedAppSamlConfig")), "every samlConfig element modelled")
			}
		})
	}
}
