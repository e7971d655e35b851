package rotation

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

// What a check of a Response proved, confirmed against a document, agrees
// with checking the Response itself against that document: both pass for
// the document that holds the certificate and names the issuer, both fail
// for one that lacks the certificate or names another entity.
func TestConfirmAgreesWithVerifyingTheResponse(t *testing.T) {
	const entityID = "https://acme.my.salesforce.com"
	cert := func(name string) (*samlmeta.Cert, func(samlmeta.ResponseSpec) []byte) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		require.NoError(t, err)
		parsed, err := samlmeta.ParseCertDER(der)
		require.NoError(t, err)
		return parsed, func(spec samlmeta.ResponseSpec) []byte {
			resp, err := samlmeta.IssueResponse(spec, key, parsed)
			require.NoError(t, err)
			return []byte(base64.StdEncoding.EncodeToString(resp))
		}
	}
	signer, sign := cert("New")
	other, _ := cert("Other")
	resp := sign(samlmeta.ResponseSpec{Issuer: entityID, NameID: "agent@example.com"})

	first := parseTrustDoc(metadata(t, entityID, other, signer))
	a, err := first.verifyResponse(resp)
	require.NoError(t, err)
	require.Equal(t, signer.SHA256, a.SignedBy.SHA256)
	require.Equal(t, entityID, a.Issuer)
	proof := SignInProof{App: "app", SignedBy: a.SignedBy.SHA256, Issuer: a.Issuer}

	for _, tc := range []struct {
		name string
		doc  []byte
		ok   bool
	}{
		{"only the signer", metadata(t, entityID, signer), true},
		{"only another certificate", metadata(t, entityID, other), false},
		{"another entity", metadata(t, "https://other.example.com", signer), false},
		{"not metadata", []byte("<html/>"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := parseTrustDoc(tc.doc)
			_, verr := td.verifyResponse(resp)
			c, cerr := td.confirm(proof.SignedBy, proof.Issuer)
			if tc.ok {
				require.NoError(t, verr)
				require.NoError(t, cerr)
				assert.Equal(t, signer.SHA256, c.SignedBy.SHA256)
				return
			}
			assert.Error(t, verr)
			assert.Error(t, cerr)
		})
	}
}

// metadata builds an IdP metadata document of entityID with certs.
func metadata(t *testing.T, entityID string, certs ...*samlmeta.Cert) []byte {
	t.Helper()
	doc, err := samlmeta.Build(samlmeta.BuildSpec{EntityID: entityID, Certificates: certs,
		SSOServices: []samlmeta.Endpoint{{Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", Location: entityID + "/idp/endpoint/HttpPost"}}})
	require.NoError(t, err)
	return doc
}
