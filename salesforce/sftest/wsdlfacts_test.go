package sftest

import (
	"encoding/xml"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The XML Schema subset of the WSDL fragments in testdata/wsdl.
type xsdElement struct {
	Name      string `xml:"name,attr"`
	Type      string `xml:"type,attr"`
	MinOccurs string `xml:"minOccurs,attr"`
	MaxOccurs string `xml:"maxOccurs,attr"`
	Nillable  string `xml:"nillable,attr"`
}

type xsdComplexType struct {
	Name string       `xml:"name,attr"`
	Seq  []xsdElement `xml:"sequence>element"`
	Ext  struct {
		Base string       `xml:"base,attr"`
		Seq  []xsdElement `xml:"sequence>element"`
	} `xml:"complexContent>extension"`
}

type xsdTopElement struct {
	Name string       `xml:"name,attr"`
	Seq  []xsdElement `xml:"complexType>sequence>element"`
}

type xsdSimpleType struct {
	Name   string `xml:"name,attr"`
	Values []struct {
		Value string `xml:"value,attr"`
	} `xml:"restriction>enumeration"`
}

type xsdSchema struct {
	ComplexTypes []xsdComplexType `xml:"complexType"`
	Elements     []xsdTopElement  `xml:"element"`
	SimpleTypes  []xsdSimpleType  `xml:"simpleType"`
}

func loadWSDLFragments(t *testing.T) xsdSchema {
	t.Helper()
	b, err := os.ReadFile("testdata/wsdl/metadata-66.0-fragments.xml")
	require.NoError(t, err)
	var s xsdSchema
	require.NoError(t, xml.Unmarshal(b, &s))
	require.NotEmpty(t, s.ComplexTypes)
	return s
}

func (e xsdElement) fact(t *testing.T) WSDLElement {
	t.Helper()
	out := WSDLElement{Name: e.Name, Type: e.Type, Min: 1, Max: 1, Nillable: e.Nillable == "true"}
	var err error
	if e.MinOccurs != "" {
		out.Min, err = strconv.Atoi(e.MinOccurs)
		require.NoError(t, err)
	}
	switch e.MaxOccurs {
	case "":
	case "unbounded":
		out.Max = Unbounded
	default:
		out.Max, err = strconv.Atoi(e.MaxOccurs)
		require.NoError(t, err)
	}
	return out
}

// TestWSDLTableMatchesFragments keeps the Go table equal to the WSDL text, so
// neither can drift from the other.
func TestWSDLTableMatchesFragments(t *testing.T) {
	s := loadWSDLFragments(t)
	want := map[string]wsdlType{}
	for _, c := range s.ComplexTypes {
		seq, base := c.Seq, ""
		if c.Ext.Base != "" {
			seq, base = c.Ext.Seq, c.Ext.Base[len("tns:"):]
		}
		wt := wsdlType{base: base}
		for _, e := range seq {
			wt.seq = append(wt.seq, e.fact(t))
		}
		want[c.Name] = wt
	}
	for _, el := range s.Elements {
		wt := wsdlType{element: true}
		for _, e := range el.Seq {
			wt.seq = append(wt.seq, e.fact(t))
		}
		want[el.Name] = wt
	}
	assert.Equal(t, want, wsdlTypes)

	enums := map[string][]string{}
	for _, st := range s.SimpleTypes {
		if st.Name == "StatusCode" { // only used to check the codes the fake emits
			continue
		}
		for _, v := range st.Values {
			enums[st.Name] = append(enums[st.Name], v.Value)
		}
	}
	assert.Equal(t, enums, wsdlEnums)
}

func TestWSDLSequenceFlattensBaseTypes(t *testing.T) {
	names := func(seq []WSDLElement) []string {
		var out []string
		for _, e := range seq {
			out = append(out, e.Name)
		}
		return out
	}
	assert.Equal(t, []string{"fullName", "module", "content", "caSigned", "encryptedWithPlatformEncryption",
		"expirationDate", "keySize", "masterLabel", "privateKeyExportable"}, names(WSDLSequence("Certificate")))
	assert.Equal(t, []string{"fullName", "module", "certificateName", "enableIdentityProvider"},
		names(WSDLSequence("IdentityProviderSettings")))
	assert.Equal(t, "MetadataWithContent", WSDLBase("Certificate"))
	assert.Equal(t, "Metadata", WSDLBase("MetadataWithContent"))
	assert.Nil(t, WSDLSequence("NoSuchType"))
	assert.Equal(t, []string{"Username", "FederationId", "UserId", "SpokeId", "CustomAttribute", "PersistentId"},
		WSDLEnum("SamlSubjectType"))
	assert.Contains(t, WSDLTypes(), "ConnectedAppSamlConfig")

	// The result is a copy: changing it does not change the table.
	seq := WSDLSequence("ConnectedAppAttribute")
	seq[0].Name = "changed"
	assert.Equal(t, "formula", WSDLSequence("ConnectedAppAttribute")[0].Name)

	saml := WSDLSequence("ConnectedAppSamlConfig")
	require.Len(t, saml, 12)
	assert.True(t, saml[0].Required())
	assert.Equal(t, "SamlSubjectType", saml[11].ComplexType())
	assert.Equal(t, "", saml[0].ComplexType())
	assert.True(t, WSDLSequence("ConnectedApp")[2].Repeated(), "attributes repeats")
}
