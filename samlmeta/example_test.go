package samlmeta_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// newSigningCert makes a self-signed RSA-2048 certificate, as Salesforce
// does for its IdP.
func newSigningCert(cn string) (*rsa.PrivateKey, *samlmeta.Cert) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Salesforce.com"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := samlmeta.ParseCertDER(der)
	if err != nil {
		panic(err)
	}
	return key, cert
}

func ExampleParse() {
	doc, err := os.ReadFile("testdata/salesforce-idp.xml")
	if err != nil {
		panic(err)
	}
	m, err := samlmeta.Parse(doc)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.EntityID())
	fmt.Println(m.ValidUntil().Format(time.RFC3339Nano))
	for _, e := range m.SSOServices() {
		fmt.Println(e.Location)
	}
	certs, err := m.SigningCertificates()
	if err != nil {
		panic(err)
	}
	for _, c := range certs {
		fmt.Println(c.KeyAlgorithm, c.KeyBits, c.NotAfter.Format(time.DateOnly))
	}
	// Output:
	// https://example.my.salesforce.com
	// 2035-03-01T02:53:21.436Z
	// https://example.my.site.com/idp/endpoint/HttpPost
	// https://example.my.site.com/idp/endpoint/HttpRedirect
	// RSA 2048 2035-02-06
}

// The rotation overlap: IAM first trusts the old and the new certificate.
func ExampleMetadata_AddSigningCertificate() {
	doc, err := os.ReadFile("testdata/salesforce-idp.xml")
	if err != nil {
		panic(err)
	}
	current, err := samlmeta.Parse(doc)
	if err != nil {
		panic(err)
	}
	_, newCert := newSigningCert("SelfSignedCert2026001")

	overlap := current.Clone()
	if err := overlap.AddSigningCertificate(newCert); err != nil {
		panic(err)
	}
	changes := samlmeta.Diff(current, overlap)
	fmt.Println("only keys changed:", changes.OnlyKeys())
	fmt.Println("keys added:", len(changes.KeysAdded), "removed:", len(changes.KeysRemoved))
	certs, _ := overlap.SigningCertificates()
	fmt.Println("signing certificates:", len(certs))
	fmt.Println("valid for IAM:", samlmeta.ValidateIAM(overlap.Bytes(), time.Now()) == nil)
	// Output:
	// only keys changed: true
	// keys added: 1 removed: 0
	// signing certificates: 2
	// valid for IAM: true
}

func ExampleBuild() {
	_, cert := newSigningCert("SelfSignedCert2026001")
	doc, err := samlmeta.Build(samlmeta.BuildSpec{
		EntityID: "https://example.my.salesforce.com",
		SSOServices: []samlmeta.Endpoint{
			{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"},
			{Binding: samlmeta.BindingHTTPRedirect, Location: "https://example.my.salesforce.com/idp/endpoint/HttpRedirect"},
		},
		Certificates: []*samlmeta.Cert{cert},
		ValidUntil:   time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(doc[:106]))
	fmt.Println(samlmeta.ValidateIAM(doc, time.Now()))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
	// <nil>
}

func ExampleValidateIAM() {
	err := samlmeta.ValidateIAM([]byte("<md:EntityDescriptor/>"), time.Now())
	fmt.Println(errors.Is(err, samlmeta.ErrTooShort))
	// Output:
	// true
}

func ExampleVerifySignature() {
	oldKey, oldCert := newSigningCert("old")
	_, newCert := newSigningCert("new")
	doc, err := samlmeta.Build(samlmeta.BuildSpec{
		EntityID:     "https://example.my.salesforce.com",
		SSOServices:  []samlmeta.Endpoint{{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"}},
		Certificates: []*samlmeta.Cert{oldCert, newCert},
	})
	if err != nil {
		panic(err)
	}
	signed, err := samlmeta.Sign(doc, oldKey, oldCert)
	if err != nil {
		panic(err)
	}
	by, err := samlmeta.VerifySignature(signed, []*samlmeta.Cert{newCert, oldCert})
	if err != nil {
		panic(err)
	}
	fmt.Println("signed by", by.Subject)
	_, err = samlmeta.VerifySignature(signed, []*samlmeta.Cert{newCert})
	fmt.Println(errors.Is(err, samlmeta.ErrUntrustedCert))
	// Output:
	// signed by CN=old,O=Salesforce.com
	// true
}

func ExampleVerifyResponseWithMetadata() {
	key, cert := newSigningCert("SelfSignedCert2026001")
	metadata, err := samlmeta.Build(samlmeta.BuildSpec{
		EntityID:     "https://example.my.salesforce.com",
		SSOServices:  []samlmeta.Endpoint{{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"}},
		Certificates: []*samlmeta.Cert{cert},
	})
	if err != nil {
		panic(err)
	}
	resp, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{
		Issuer:      "https://example.my.salesforce.com",
		Destination: "https://signin.aws.amazon.com/saml",
		Audience:    "https://signin.aws.amazon.com/saml",
		NameID:      "agent@example.com",
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: []string{"arn:aws:iam::123456789012:role/cc-SAMLRole,arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"}},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent"}},
		},
	}, key, cert)
	if err != nil {
		panic(err)
	}
	form := base64.StdEncoding.EncodeToString(resp) // the SAMLResponse form value
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(form), metadata,
		samlmeta.WithAudience("https://signin.aws.amazon.com/saml"))
	if err != nil {
		panic(err)
	}
	fmt.Println(a.NameID, a.RoleSessionName, a.AssertionSigned)
	fmt.Println(a.Roles[0])
	// Output:
	// agent@example.com agent true
	// arn:aws:iam::123456789012:role/cc-SAMLRole,arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp
}
