package samlmeta_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/voicecert/voicecert/samlmeta"
)

func salesforceMetadata(certs ...*samlmeta.Cert) []byte {
	doc, err := samlmeta.Build(samlmeta.BuildSpec{
		EntityID:     "https://example.my.salesforce.com",
		SSOServices:  []samlmeta.Endpoint{{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"}},
		Certificates: certs,
	})
	if err != nil {
		panic(err)
	}
	return doc
}

// Diff reports every difference but the signing keys, with where it is.
func ExampleDiff() {
	_, oldCert := newSigningCert("old")
	_, newCert := newSigningCert("new")
	stored, err := samlmeta.Parse(salesforceMetadata(oldCert))
	if err != nil {
		panic(err)
	}
	rotated := stored.Clone()
	if err := rotated.SetSigningCertificates(oldCert, newCert); err != nil {
		panic(err)
	}
	c := samlmeta.Diff(stored, rotated)
	fmt.Println(c.OnlyKeys(), len(c.KeysAdded))

	tampered, err := samlmeta.Parse([]byte(strings.Replace(string(rotated.Bytes()),
		`WantAuthnRequestsSigned="false"`, `WantAuthnRequestsSigned="true"`, 1)))
	if err != nil {
		panic(err)
	}
	c = samlmeta.Diff(stored, tampered)
	fmt.Println(c.OnlyKeys())
	fmt.Println(c.Other[0])
	// Output:
	// true 1
	// false
	// /md:EntityDescriptor/md:IDPSSODescriptor[1]: attribute WantAuthnRequestsSigned changed from "false" to "true"
}

// A prefixed copy of a SAML attribute is refused: namespace-aware readers
// and readers matching local names would see different entityIDs.
func ExampleErrDecoy() {
	_, cert := newSigningCert("idp")
	doc := strings.Replace(string(salesforceMetadata(cert)), ` entityID=`,
		` xmlns:x="urn:x" x:entityID="https://evil.example.com" entityID=`, 1)
	_, err := samlmeta.Parse([]byte(doc))
	fmt.Println(errors.Is(err, samlmeta.ErrDecoy))
	// Output: true
}

// VerifyMetadata parses once and returns the verified metadata.
func ExampleVerifyMetadata() {
	key, cert := newSigningCert("idp")
	signed, err := samlmeta.Sign(salesforceMetadata(cert), key, cert)
	if err != nil {
		panic(err)
	}
	m, by, err := samlmeta.VerifyMetadata(signed, []*samlmeta.Cert{cert})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.EntityID(), by.Subject)
	// Output: https://example.my.salesforce.com CN=idp,O=Salesforce.com
}

// Verification refuses ECDSA and short RSA keys unless told otherwise.
func ExampleWithMinRSABits() {
	key, cert := newSigningCert("idp")
	signed, err := samlmeta.Sign(salesforceMetadata(cert), key, cert)
	if err != nil {
		panic(err)
	}
	_, err = samlmeta.VerifySignature(signed, []*samlmeta.Cert{cert}, samlmeta.WithMinRSABits(4096))
	fmt.Println(errors.Is(err, samlmeta.ErrKeyPolicy), errors.Is(err, samlmeta.ErrSignature))
	// Output: true true
}
