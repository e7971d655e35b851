package samlmeta

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Differential testing: samlmeta's reading of a metadata document
// (entityID, endpoints, signing-capable certificates) must equal an
// independent namespace-aware reading, written here with encoding/xml,
// unless samlmeta refuses the document with a typed error.

// reading is what both readers extract.
type reading struct {
	EntityID  string
	Endpoints []string // "SingleSignOnService binding location", in order
	Signing   []string // base64 of signing-capable certificates, whitespace removed, sorted
}

// samlmetaReading reads m with samlmeta's API.
func samlmetaReading(m *Metadata) reading {
	r := reading{EntityID: m.EntityID()}
	for _, idp := range m.idpDescriptors() {
		for c := range idp.elements {
			if c.space == NSMetadata && (c.local == "SingleSignOnService" || c.local == "SingleLogoutService") {
				r.Endpoints = append(r.Endpoints, c.local+" "+c.attr("Binding")+" "+c.attr("Location"))
			}
		}
	}
	for _, kd := range m.signingKeyDescriptors() {
		for _, xc := range x509CertElements(kd) {
			r.Signing = append(r.Signing, stripSpace(xc.text()))
		}
	}
	slices.Sort(r.Signing)
	return r.normalized()
}

// normalized replaces whitespace characters in attribute values by
// spaces: encoding/xml does not apply XML's attribute-value normalisation,
// and cannot tell a literal newline from &#xA;.
func (r reading) normalized() reading {
	sp := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	r.EntityID = sp.Replace(r.EntityID)
	for i := range r.Endpoints {
		r.Endpoints[i] = sp.Replace(r.Endpoints[i])
	}
	return r
}

// referenceReading reads doc with encoding/xml's namespace-aware tokens.
func referenceReading(doc []byte) (reading, error) {
	var r reading
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var stack []xml.Name
	var signingKD []bool // per open element: inside a signing-capable IDP KeyDescriptor
	var cert *strings.Builder
	md, ds := func(l string) xml.Name { return xml.Name{Space: NSMetadata, Local: l} }, func(l string) xml.Name { return xml.Name{Space: NSDSig, Local: l} }
	at := func(names ...xml.Name) bool { return slices.Equal(stack, names) }
	attr := func(t xml.StartElement, local string) (string, bool) {
		for _, a := range t.Attr {
			if a.Name.Space == "" && a.Name.Local == local {
				return a.Value, true
			}
		}
		return "", false
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name)
			inSigning := len(signingKD) > 0 && signingKD[len(signingKD)-1]
			switch {
			case at(md("EntityDescriptor")):
				r.EntityID, _ = attr(t, "entityID")
			case at(md("EntityDescriptor"), md("IDPSSODescriptor"), md("SingleSignOnService")),
				at(md("EntityDescriptor"), md("IDPSSODescriptor"), md("SingleLogoutService")):
				b, _ := attr(t, "Binding")
				l, _ := attr(t, "Location")
				r.Endpoints = append(r.Endpoints, t.Name.Local+" "+b+" "+l)
			case at(md("EntityDescriptor"), md("IDPSSODescriptor"), md("KeyDescriptor")):
				use, ok := attr(t, "use")
				inSigning = !ok || use == "signing"
			case inSigning && at(md("EntityDescriptor"), md("IDPSSODescriptor"), md("KeyDescriptor"), ds("KeyInfo"), ds("X509Data"), ds("X509Certificate")):
				cert = &strings.Builder{}
			}
			signingKD = append(signingKD, inSigning)
		case xml.CharData:
			if cert != nil {
				cert.Write(t)
			}
		case xml.EndElement:
			if cert != nil && len(stack) == 6 {
				r.Signing = append(r.Signing, stripSpace(cert.String()))
				cert = nil
			}
			stack, signingKD = stack[:len(stack)-1], signingKD[:len(signingKD)-1]
		}
	}
	slices.Sort(r.Signing)
	return r.normalized(), nil
}

// differentialMutations are the structured edits the fuzz target combines:
// attribute prefixes, namespace declarations and rebindings, KeyDescriptor
// use and KeyInfo shapes, Extensions, duplicates. CERT3 stands for a third
// certificate.
var differentialMutations = []struct{ old, new string }{
	{` entityID=`, ` xmlns:entityID="https://evil.example.com" entityID=`},
	{` entityID=`, ` xmlns:x="urn:x" x:entityID="https://evil.example.com" entityID=`},
	{` Location=`, ` xmlns:x="urn:x" x:Location="https://evil.example.com" Location=`},
	{` Location=`, ` xmlns:Location="https://evil.example.com" Location=`},
	{` Binding=`, ` xmlns:md="urn:other" Binding=`},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor xmlns:x="urn:x" x:use="encryption">`},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor use="encryption">`},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor>`},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor use="Signing">`},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor xmlns:md="urn:other" use="signing">`},
	{`<md:IDPSSODescriptor `, `<md:IDPSSODescriptor xmlns:md="urn:other" `},
	{`<md:IDPSSODescriptor `, `<md:IDPSSODescriptor xmlns:ds="urn:other" `},
	{`<md:IDPSSODescriptor `, `<IDPSSODescriptor xmlns="` + NSMetadata + `" `},
	{`</md:IDPSSODescriptor>`, `</IDPSSODescriptor>`},
	{`<ds:KeyInfo>`, `<ds:KeyInfo xmlns:ds="urn:other">`},
	{`<ds:KeyInfo>`, `<KeyInfo xmlns="` + NSDSig + `">`},
	{`</ds:KeyInfo>`, `</KeyInfo>`},
	{`<ds:X509Data>`, `<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>AQAB</ds:Modulus></ds:RSAKeyValue></ds:KeyValue><ds:X509Data>`},
	{`<ds:X509Data>`, `<ds:X509Data><ds:X509Certificate>CERT3</ds:X509Certificate></ds:X509Data><ds:X509Data>`},
	{`<ds:X509Certificate>`, `<ds:X509Certificate><!-- c -->`},
	{`<ds:X509Certificate>`, `<ds:X509Certificate><![CDATA[]]>`},
	{`<md:NameIDFormat>`, `<md:Extensions><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>CERT3</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:Extensions><md:NameIDFormat>`},
	{`<md:NameIDFormat>`, `<md:KeyDescriptor><KeyInfo xmlns="` + NSDSig + `"><X509Data><X509Certificate>CERT3</X509Certificate></X509Data></KeyInfo></md:KeyDescriptor><md:NameIDFormat>`},
	{`<md:NameIDFormat>`, `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>CERT3</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`},
	{`<md:SingleSignOnService `, `<md:Extensions><md:SingleSignOnService Binding="b" Location="https://evil.example.com/ext"/></md:Extensions><md:SingleSignOnService `},
	{`<md:SingleSignOnService `, `<md:SingleSignOnService Binding="b" Location="https://evil.example.com/dup"/><md:SingleSignOnService `},
	{`<md:SingleSignOnService `, `<SingleSignOnService xmlns="` + NSMetadata + `" Binding="b" Location="https://default.example.com"/><md:SingleSignOnService `},
	{`<md:SingleSignOnService `, `<md:SingleSignOnService Location="https://a.example.com" `},
	{`<md:SingleSignOnService `, `<md:SingleLogoutService Binding="b" Location="https://slo.example.com"/><md:SingleSignOnService `},
	{`</md:IDPSSODescriptor>`, `</md:IDPSSODescriptor><md:IDPSSODescriptor protocolSupportEnumeration="p"><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>CERT3</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor>`},
	{`xmlns:md=`, `xmlns="` + NSMetadata + `" xmlns:md=`},
	{`entityID="https://`, `entityID="&#x20;https://`},
	{`Location="https://`, `Location="&#xA;https://`},
	{`Location="https://`, "Location=\"\nhttps://"},
	{`<md:IDPSSODescriptor `, `<!DOCTYPE x><md:IDPSSODescriptor `},
	{`<md:KeyDescriptor use="signing">`, `<md:KeyDescriptor use="signing" use="encryption">`},
}

// differentialBase returns the base document and the third certificate.
func differentialBase(t testing.TB) ([]byte, string) {
	a, b, c := testKey(t, "diff-a", 2048), testKey(t, "diff-b", 2048), testKey(t, "diff-c", 2048)
	return buildTestMetadata(t, a.cert, b.cert), c.cert.Base64()
}

// applyMutations applies the mutation each op byte names, in order.
func applyMutations(base []byte, cert3 string, ops []byte) []byte {
	s := string(base)
	for i, op := range ops {
		if i == 8 {
			break
		}
		m := differentialMutations[int(op)%len(differentialMutations)]
		s = strings.Replace(s, m.old, strings.ReplaceAll(m.new, "CERT3", cert3), 1)
	}
	return []byte(s)
}

// checkDifferential fails when samlmeta accepts doc and reads it otherwise
// than the reference reader, or accepts what the reference refuses.
func checkDifferential(t *testing.T, doc []byte) {
	m, err := Parse(doc)
	if err != nil {
		require.True(t, typed(err), "untyped error: %v", err)
		return
	}
	ref, err := referenceReading(doc)
	require.NoError(t, err, "samlmeta accepted a document encoding/xml refuses:\n%s", doc)
	require.Equal(t, ref, samlmetaReading(m), "readings differ on:\n%s", doc)
}

func FuzzMetadataDifferential(f *testing.F) {
	base, cert3 := differentialBase(f)
	f.Add([]byte{}, []byte{})
	for i := range differentialMutations {
		f.Add([]byte{byte(i)}, []byte{})
	}
	f.Add([]byte{12, 13, 15, 16}, []byte{})
	f.Add([]byte{255}, base)
	f.Fuzz(func(t *testing.T, ops, raw []byte) {
		if len(ops) > 0 && ops[0] == 255 {
			checkDifferential(t, raw)
			return
		}
		checkDifferential(t, applyMutations(base, cert3, ops))
	})
}
