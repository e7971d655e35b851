package samlmeta

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Attack corpus: every variant must be refused with a typed error, and no
// variant may make the verifier return attacker-controlled content.

func mustDoc(t *testing.T, b []byte) *etree.Document {
	t.Helper()
	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(b))
	return d
}

func docBytes(t *testing.T, d *etree.Document) []byte {
	t.Helper()
	b, err := d.WriteToBytes()
	require.NoError(t, err)
	return b
}

// hideInExtensions moves el into a new samlp:Extensions placed before the
// Response's Status.
func hideInExtensions(resp, el *etree.Element) {
	el.Parent().RemoveChild(el)
	ext := etree.NewElement("samlp:Extensions")
	ext.AddChild(el)
	resp.InsertChildAt(resp.FindElement("./Status").Index(), ext)
}

func TestAttackMetadataSignatureWrapping(t *testing.T) {
	kp := testKey(t, "xsw-md", 2048)
	signed, err := Sign(buildTestMetadata(t, kp.cert), kp.key, kp.cert)
	require.NoError(t, err)
	trusted := []*Cert{kp.cert}
	evilLoc := "https://evil.example.com/idp/endpoint/HttpPost"

	variants := map[string]func() []byte{
		"tampered Location": func() []byte {
			return []byte(strings.Replace(string(signed), "https://example.my.salesforce.com/idp/endpoint/HttpPost", evilLoc, 1))
		},
		"evil root wraps signed document in Extensions": func() []byte {
			d := mustDoc(t, signed)
			orig := d.Root()
			evil := etree.NewElement("md:EntityDescriptor")
			evil.CreateAttr("xmlns:md", NSMetadata)
			evil.CreateAttr("entityID", "https://evil.example.com")
			evil.CreateAttr("ID", "_evil")
			evil.CreateElement("md:Extensions").AddChild(orig.Copy())
			idp := evil.CreateElement("md:IDPSSODescriptor")
			idp.CreateElement("md:SingleSignOnService").CreateAttr("Location", evilLoc)
			d.SetRoot(evil)
			return docBytes(t, d)
		},
		"evil root reuses the signed ID and carries the signature": func() []byte {
			d := mustDoc(t, signed)
			orig := d.Root()
			sig := orig.FindElement("./Signature")
			evil := orig.Copy()
			for _, c := range evil.ChildElements() {
				evil.RemoveChild(c)
			}
			evil.AddChild(sig.Copy())
			ext := evil.CreateElement("md:Extensions")
			inner := orig.Copy()
			inner.RemoveChild(inner.FindElement("./Signature"))
			ext.AddChild(inner)
			idp := evil.CreateElement("md:IDPSSODescriptor")
			idp.CreateElement("md:SingleSignOnService").CreateAttr("Location", evilLoc)
			d.SetRoot(evil)
			return docBytes(t, d)
		},
		"evil IDPSSODescriptor appended": func() []byte {
			d := mustDoc(t, signed)
			idp := d.Root().CreateElement("md:IDPSSODescriptor")
			idp.CreateElement("md:SingleSignOnService").CreateAttr("Location", evilLoc)
			return docBytes(t, d)
		},
		"signature transplanted onto another document with the same ID": func() []byte {
			d := mustDoc(t, signed)
			id := d.Root().SelectAttrValue("ID", "")
			other := mustDoc(t, buildTestMetadata(t, kp.cert))
			other.Root().CreateAttr("ID", id)
			other.Root().CreateAttr("entityID", "https://evil.example.com")
			other.Root().InsertChildAt(0, d.Root().FindElement("./Signature").Copy())
			return docBytes(t, other)
		},
		"duplicate ID on an inner element": func() []byte {
			d := mustDoc(t, signed)
			id := d.Root().SelectAttrValue("ID", "")
			idp := d.Root().FindElement("./IDPSSODescriptor")
			idp.CreateAttr("ID", id)
			return docBytes(t, d)
		},
		"signature moved below the root": func() []byte {
			d := mustDoc(t, signed)
			sig := d.Root().FindElement("./Signature")
			d.Root().RemoveChild(sig)
			d.Root().FindElement("./IDPSSODescriptor").AddChild(sig)
			return docBytes(t, d)
		},
		"second signature": func() []byte {
			d := mustDoc(t, signed)
			d.Root().AddChild(d.Root().FindElement("./Signature").Copy())
			return docBytes(t, d)
		},
	}
	for name, build := range variants {
		t.Run(name, func(t *testing.T) {
			doc := build()
			_, err := VerifySignature(doc, trusted, WithClock(testClock))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrSignature)
		})
	}
}

func TestAttackResponseSignatureWrapping(t *testing.T) {
	kp := testKey(t, "xsw-resp", 2048)
	trusted := []*Cert{kp.cert}
	assertionSigned := issue(t, kp, nil)
	responseSigned := issue(t, kp, func(s *ResponseSpec) { s.SignResponse, s.SignAssertion = true, false })
	const admin = "admin@example.com"

	evilAssertion := func(from *etree.Element) *etree.Element {
		a := from.Copy()
		if s := a.FindElement("./Signature"); s != nil {
			a.RemoveChild(s)
		}
		a.FindElement("./Subject/NameID").SetText(admin)
		return a
	}
	for _, tc := range []struct {
		name  string
		build func() []byte
		want  error
	}{
		{"XSW1: evil unsigned assertion before the signed one", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			signedA := r.FindElement("./Assertion")
			r.InsertChildAt(signedA.Index(), evilAssertion(signedA))
			return docBytes(t, d)
		}, ErrInvalidResponse},
		{"XSW2: signed assertion hidden in Extensions, evil assertion in its place", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			signedA := r.FindElement("./Assertion")
			evil := evilAssertion(signedA)
			hideInExtensions(r, signedA)
			r.AddChild(evil)
			return docBytes(t, d)
		}, ErrInvalidResponse},
		{"XSW3: signed assertion inside the evil assertion's signature Object", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			signedA := r.FindElement("./Assertion")
			evil := evilAssertion(signedA)
			sig := signedA.FindElement("./Signature").Copy()
			obj := sig.CreateElement("ds:Object")
			obj.AddChild(signedA.Copy())
			evil.InsertChildAt(evil.FindElement("./Issuer").Index()+1, sig)
			r.RemoveChild(signedA)
			r.AddChild(evil)
			return docBytes(t, d)
		}, ErrInvalidResponse},
		{"XSW4: evil assertion reuses the signed ID and signature", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			signedA := r.FindElement("./Assertion")
			evil := evilAssertion(signedA)
			evil.InsertChildAt(evil.FindElement("./Issuer").Index()+1, signedA.FindElement("./Signature").Copy())
			r.RemoveChild(signedA)
			r.AddChild(evil)
			return docBytes(t, d)
		}, ErrSignature},
		{"XSW5: signed response, assertion content changed", func() []byte {
			return []byte(strings.Replace(string(responseSigned), ">agent@example.com</saml:NameID>", ">"+admin+"</saml:NameID>", 1))
		}, ErrSignature},
		{"XSW6: evil response wraps the signed response", func() []byte {
			d := mustDoc(t, responseSigned)
			orig := d.Root()
			evil := orig.Copy()
			for _, c := range evil.ChildElements() {
				evil.RemoveChild(c)
			}
			evil.CreateAttr("ID", "_evil")
			ext := evil.CreateElement("samlp:Extensions")
			inner := orig.Copy()
			inner.RemoveChild(inner.FindElement("./Assertion"))
			ext.AddChild(inner)
			evil.AddChild(orig.FindElement("./Status").Copy())
			evil.AddChild(evilAssertion(orig.FindElement("./Assertion")))
			d.SetRoot(evil)
			return docBytes(t, d)
		}, ErrUnsigned},
		{"XSW7: unsigned assertion in a response signed elsewhere", func() []byte {
			// The Response carries a valid signature, but over another element.
			d := mustDoc(t, responseSigned)
			r := d.Root()
			r.CreateAttr("ID", "_other")
			a := r.FindElement("./Assertion")
			a.FindElement("./Subject/NameID").SetText(admin)
			return docBytes(t, d)
		}, ErrUnsigned},
		{"XSW8: unsigned response and assertion, signature elsewhere", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			a := r.FindElement("./Assertion")
			hideInExtensions(r, a.FindElement("./Signature"))
			return docBytes(t, d)
		}, ErrUnsigned},
		{"assertion nested below the response", func() []byte {
			d := mustDoc(t, assertionSigned)
			r := d.Root()
			hideInExtensions(r, r.FindElement("./Assertion"))
			return docBytes(t, d)
		}, ErrInvalidResponse},
		{"duplicate attribute on the assertion", func() []byte {
			return []byte(strings.Replace(string(assertionSigned), `<saml:Assertion `, `<saml:Assertion ID="_evil" `, 1))
		}, ErrDuplicateAttribute},
		{"no assertion", func() []byte {
			d := mustDoc(t, assertionSigned)
			d.Root().RemoveChild(d.Root().FindElement("./Assertion"))
			return docBytes(t, d)
		}, ErrInvalidResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := VerifyResponse(tc.build(), trusted, WithClock(testClock))
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Nil(t, a)
		})
	}
}

// A comment inside a signed NameID keeps the signature valid (exclusive
// C14N drops comments) but must not truncate the value returned.
func TestAttackCommentInNameID(t *testing.T) {
	kp := testKey(t, "xsw-resp", 2048)
	const registered = "admin@example.com.evil.com"
	for _, signResponse := range []bool{false, true} {
		resp := issue(t, kp, func(s *ResponseSpec) {
			s.NameID = registered
			s.SignResponse = signResponse
			s.SignAssertion = !signResponse
		})
		injected := strings.Replace(string(resp), ">"+registered+"<", ">admin@example.com<!---->.evil.com<", 1)
		require.NotEqual(t, string(resp), injected)
		a, err := VerifyResponse([]byte(injected), []*Cert{kp.cert}, WithClock(testClock))
		require.NoError(t, err, "the signature still verifies")
		assert.Equal(t, registered, a.NameID)
	}
	// charData itself skips comments and keeps all text.
	d, err := parseDocument([]byte(`<n>admin@example.com<!-- x -->.evil.com<?pi?><![CDATA[!]]></n>`), parseLimits{DefaultMaxSize, DefaultMaxNamespaceDecls})
	require.NoError(t, err)
	assert.Equal(t, "admin@example.com.evil.com!", rootOf(d).text())
}
