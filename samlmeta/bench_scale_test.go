package samlmeta

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// Scale benchmarks: documents generated here, at 1×, 2× and 4× sizes, to
// show that Parse, verification and Diff grow linearly. The 4× namespace
// bomb is the review's: 70,000 namespace declarations on the root and
// 700,000 elements, about 9.6 MB. The default limits refuse it at once
// (BenchmarkNamespaceBombRefused); the other bomb benchmarks lift the
// limits so that the whole document is processed.

const (
	bombDecls    = 70_000
	bombElements = 700_000
)

// bombParts returns the namespace declarations and the elements of a bomb
// at scale/4 of the full size.
func bombParts(scale int) (decls, elements string) {
	var d, e strings.Builder
	nd, ne := bombDecls*scale/4, bombElements*scale/4
	d.WriteString(` xmlns:x="urn:bomb:x"`)
	for i := range nd - 1 {
		fmt.Fprintf(&d, ` xmlns:n%d="urn:bomb:namespace:decl:%d"`, i, i)
	}
	for i := range ne {
		if i%2 == 0 {
			e.WriteString(`<x:el/>`)
		} else {
			e.WriteString(`<x:e>t</x:e>`)
		}
	}
	return d.String(), e.String()
}

// responseBomb is a Response whose Assertion is signed (the bomb is outside
// what the signature covers, so the Response still verifies).
func responseBomb(b *testing.B, kp keyPair, scale int) []byte {
	resp := issue(b, kp, func(s *ResponseSpec) { s.SignAssertion = true })
	decls, elements := bombParts(scale)
	s := strings.Replace(string(resp), `<samlp:Response `, `<samlp:Response`+decls+` `, 1)
	s = strings.Replace(s, `<samlp:Status>`, `<samlp:Extensions>`+elements+`</samlp:Extensions><samlp:Status>`, 1)
	return []byte(s)
}

func metadataBomb(b *testing.B, scale int, certs ...*Cert) []byte {
	decls, elements := bombParts(scale)
	s := string(buildTestMetadata(b, certs...))
	s = strings.Replace(s, ` entityID=`, decls+` ID="_bomb" entityID=`, 1)
	s = strings.Replace(s, `<md:IDPSSODescriptor`, `<md:Extensions>`+elements+`</md:Extensions><md:IDPSSODescriptor`, 1)
	return []byte(s)
}

var scales = []int{1, 2, 4}

func lifted() []Option {
	return []Option{WithMaxSize(1 << 30), WithMaxNamespaceDecls(1 << 30)}
}

func BenchmarkNamespaceBombRefused(b *testing.B) {
	kp := testKey(b, "bomb", 2048)
	doc := responseBomb(b, kp, 4)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := VerifyResponse(doc, []*Cert{kp.cert}, WithClock(testClock), WithMaxResponseSize(len(doc))); err == nil {
			b.Fatal("the bomb is refused by default")
		}
	}
}

func BenchmarkNamespaceBombVerifyResponse(b *testing.B) {
	kp := testKey(b, "bomb", 2048)
	for _, scale := range scales {
		doc := responseBomb(b, kp, scale)
		b.Run(fmt.Sprintf("%dx-%.1fMB", scale, float64(len(doc))/1e6), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := VerifyResponse(doc, []*Cert{kp.cert}, WithClock(testClock),
					WithMaxResponseSize(1<<30), WithMaxResponseNamespaceDecls(1<<30)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNamespaceBombParse(b *testing.B) {
	kp := testKey(b, "bomb", 2048)
	for _, scale := range scales {
		doc := metadataBomb(b, scale, kp.cert)
		b.Run(fmt.Sprintf("%dx-%.1fMB", scale, float64(len(doc))/1e6), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := Parse(doc, lifted()...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNamespaceBombVerifySignature(b *testing.B) {
	kp := testKey(b, "bomb", 2048)
	for _, scale := range scales {
		m, err := Parse(metadataBomb(b, scale, kp.cert), lifted()...)
		if err != nil {
			b.Fatal(err)
		}
		signed, err := m.signForBenchmark(kp)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dx-%.1fMB", scale, float64(len(signed))/1e6), func(b *testing.B) {
			b.SetBytes(int64(len(signed)))
			for b.Loop() {
				if _, err := VerifySignature(signed, []*Cert{kp.cert}, WithClock(testClock),
					WithMaxResponseSize(1<<30), WithMaxResponseNamespaceDecls(1<<30)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkNamespaceBombDiff(b *testing.B) {
	a, c := testKey(b, "bomb", 2048), testKey(b, "bomb-new", 2048)
	for _, scale := range scales {
		old, err := Parse(metadataBomb(b, scale, a.cert), lifted()...)
		if err != nil {
			b.Fatal(err)
		}
		nw, err := Parse(metadataBomb(b, scale, a.cert, c.cert), lifted()...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dx-%.1fMB", scale, float64(len(old.orig))/1e6), func(b *testing.B) {
			b.SetBytes(int64(len(old.orig) + len(nw.orig)))
			for b.Loop() {
				if ch := Diff(old, nw); !ch.OnlyKeys() || len(ch.KeysAdded) != 1 {
					b.Fatal(ch)
				}
			}
		})
	}
}

// largeMetadata is about scale×512 KB of metadata: many endpoints and
// NameIDFormats, the shape that made the old Diff quadratic (4× is 2 MB).
func largeMetadata(b *testing.B, scale int, certs ...*Cert) []byte {
	var e strings.Builder
	n := 2200 * scale
	for i := range n {
		fmt.Fprintf(&e, `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://example.my.salesforce.com/idp/endpoint/HttpPost/%d"/>`+"\n      ", i)
		fmt.Fprintf(&e, "<md:NameIDFormat>urn:example:format:%d</md:NameIDFormat>\n      ", i)
	}
	s := string(buildTestMetadata(b, certs...))
	return []byte(strings.Replace(s, `<md:NameIDFormat>`, e.String()+`<md:NameIDFormat>`, 1))
}

func BenchmarkLargeMetadata(b *testing.B) {
	a, c := testKey(b, "large-old", 2048), testKey(b, "large-new", 2048)
	for _, scale := range scales {
		oldDoc, newDoc := largeMetadata(b, scale, a.cert), largeMetadata(b, scale, a.cert, c.cert)
		name := fmt.Sprintf("%dx-%.1fMB", scale, float64(len(oldDoc))/1e6)
		b.Run("Parse/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(oldDoc)))
			for b.Loop() {
				if _, err := Parse(oldDoc); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("ValidateIAM/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(oldDoc)))
			for b.Loop() {
				if err := ValidateIAM(oldDoc, testNow); err != nil {
					b.Fatal(err)
				}
			}
		})
		old, _ := Parse(oldDoc)
		nw, _ := Parse(newDoc)
		b.Run("Diff/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(oldDoc) + len(newDoc)))
			for b.Loop() {
				if ch := Diff(old, nw); !ch.OnlyKeys() || len(ch.KeysAdded) != 1 {
					b.Fatal(ch)
				}
			}
		})
	}
}

// signForBenchmark signs the root of m (which has an ID) from the tree,
// as the verifier canonicalises it: Sign refuses documents over the
// default limits.
func (m *Metadata) signForBenchmark(kp keyPair) ([]byte, error) {
	digest := sha256.Sum256(canonicalize(m.root, nil, c14nMethod{exclusive: true}, nil))
	si := `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="` + algExcC14N + `"/>` +
		`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
		`<ds:Reference URI="#` + m.ID() + `"><ds:Transforms><ds:Transform Algorithm="` + algEnvelopedSignature + `"/>` +
		`<ds:Transform Algorithm="` + algExcC14N + `"/></ds:Transforms>` +
		`<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>` +
		`<ds:DigestValue>` + base64.StdEncoding.EncodeToString(digest[:]) + `</ds:DigestValue></ds:Reference></ds:SignedInfo>`
	sigDoc, err := parseDocument([]byte(`<ds:Signature xmlns:ds="`+NSDSig+`">`+si+`</ds:Signature>`), parseLimits{DefaultMaxSize, DefaultMaxNamespaceDecls})
	if err != nil {
		return nil, err
	}
	hashed := sha256.Sum256(canonicalize(rootOf(sigDoc).first, nil, c14nMethod{exclusive: true}, nil))
	value, err := rsa.SignPKCS1v15(rand.Reader, kp.key, crypto.SHA256, hashed[:])
	if err != nil {
		return nil, err
	}
	sig := `<ds:Signature xmlns:ds="` + NSDSig + `">` + si + `<ds:SignatureValue>` + base64.StdEncoding.EncodeToString(value) + `</ds:SignatureValue></ds:Signature>`
	at := m.root.tagEnd
	return []byte(string(m.orig[:at]) + sig + string(m.orig[at:])), nil
}
