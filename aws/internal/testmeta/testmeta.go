// Package testmeta builds the certificates and Salesforce-shaped IdP
// metadata that the aws packages' tests use. It is written independently of
// samlmeta so that tests of code built on samlmeta do not check samlmeta
// against itself.
package testmeta

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// Key is an RSA signing key with its self-signed certificate.
type Key struct {
	Private *rsa.PrivateKey
	Cert    *x509.Certificate
}

// DER returns the certificate's DER bytes.
func (k *Key) DER() []byte { return k.Cert.Raw }

var (
	mu   sync.Mutex
	keys = map[string]*Key{}
)

// RSA returns the n-th cached 2048-bit key (n counts from 0), generating it
// on first use so that a test binary pays for each key once.
func RSA(n int) *Key {
	mu.Lock()
	defer mu.Unlock()
	id := fmt.Sprintf("rsa2048-%d", n)
	if k, ok := keys[id]; ok {
		return k
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(n) + 1000),
		Subject:      pkix.Name{CommonName: id, Organization: []string{"voicecert test"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(2, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	k := &Key{Private: priv, Cert: cert}
	keys[id] = k
	return k
}

//go:embed testdata/weak512.pem
var weak512PEM []byte

// Weak512 returns a self-signed certificate with a 512-bit RSA key, which
// IAM refuses. (Go refuses to generate such keys, so it is a fixture made
// with openssl.)
func Weak512() []byte {
	b, _ := pem.Decode(weak512PEM)
	return b.Bytes
}

// Metadata returns Salesforce-shaped IdP metadata for entityID with one
// signing KeyDescriptor per certificate (DER), in the shape Salesforce
// publishes at /.well-known/samlidp.xml.
func Metadata(entityID string, certs ...[]byte) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entityID + `" validUntil="2126-01-01T00:00:00.000Z">` + "\n")
	b.WriteString(`   <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + "\n")
	for _, der := range certs {
		b.WriteString(`      <md:KeyDescriptor use="signing">` + "\n")
		b.WriteString(`         <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` + "\n")
		b.WriteString(`            <ds:X509Data>` + "\n")
		b.WriteString(`               <ds:X509Certificate>` + base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate>` + "\n")
		b.WriteString(`            </ds:X509Data>` + "\n")
		b.WriteString(`         </ds:KeyInfo>` + "\n")
		b.WriteString(`      </md:KeyDescriptor>` + "\n")
	}
	b.WriteString(`      <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>` + "\n")
	b.WriteString(`      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/idp/endpoint/HttpPost"/>` + "\n")
	b.WriteString(`      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entityID + `/idp/endpoint/HttpRedirect"/>` + "\n")
	b.WriteString(`   </md:IDPSSODescriptor>` + "\n")
	b.WriteString(`</md:EntityDescriptor>` + "\n")
	return []byte(b.String())
}
