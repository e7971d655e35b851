package samlmeta

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

// allKinds are the sentinels every error of this package matches one of.
var allKinds = []error{
	ErrDOCTYPE, ErrDuplicateAttribute, ErrTooLarge, ErrTooShort, ErrMalformed, ErrNotMetadata, ErrBOM,
	ErrNotUTF8, ErrNoSigningKey, ErrWeakKey, ErrUnsupportedKey, ErrTooManyKeys, ErrExpired, ErrCertNotFound,
	ErrInvalidSpec, ErrSignature, ErrInvalidResponse, ErrDecoy, ErrTooManyNamespaces, ErrKeyUse, ErrKeyInfo,
}

func typed(err error) bool {
	for _, k := range allKinds {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

func FuzzParse(f *testing.F) {
	kp := testKey(f, "fuzz", 2048)
	f.Add(readTestdata(f, "salesforce-idp.xml"))
	f.Add(readTestdata(f, "handwritten.xml"))
	f.Add(buildTestMetadata(f, kp.cert))
	signed, err := Sign(buildTestMetadata(f, kp.cert), kp.key, kp.cert)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add([]byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"><IDPSSODescriptor/></EntityDescriptor>`))
	f.Add([]byte(`<!DOCTYPE x><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"/>`))
	f.Add([]byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" a="1" a="2"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if !typed(err) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !bytes.Equal(m.Bytes(), data) {
			t.Fatal("unedited Bytes differs from the input")
		}
		if all := m.Clone(); forceSplice(all) {
			if got := all.Bytes(); !bytes.Equal(got, data) {
				t.Fatalf("splicing every token does not reproduce the input:\n%q\n%q", data, got)
			}
		}
		if d := Diff(m, m.Clone()); !d.Empty() {
			t.Fatalf("Diff of a clone: %v", d)
		}
		_, _ = m.SigningCertificates()
		_ = m.ValidUntil()
		_ = m.SSOServices()
		_ = m.NameIDFormats()
		_ = ValidateIAM(data, testNow)
		if err := m.AddSigningCertificate(kp.cert); err != nil {
			return
		}
		out := m.Bytes()
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("edited output does not parse: %v\n%q", err, out)
		}
		if d := Diff(m, m2); !d.Empty() && !(len(d.KeysAdded) == 0 && len(d.KeysRemoved) == 0 && d.OnlyKeys()) {
			t.Fatalf("reparsed edit differs: %v", d)
		}
		if !hasSigningCertEverywhere(m2, kp.cert.SHA256) {
			t.Fatalf("added certificate missing after reparse:\n%q", out)
		}
	})
}

func hasSigningCertEverywhere(m *Metadata, fp string) bool {
	for _, idp := range m.idpDescriptors() {
		if !hasSigningCert(idp, fp) {
			return false
		}
	}
	return true
}

func FuzzVerifyResponse(f *testing.F) {
	kp := testKey(f, "fuzz", 2048)
	for i, mode := range [][2]bool{{false, true}, {true, false}, {true, true}, {true, true}, {true, true}} {
		spec := awsResponseSpec(testNow)
		spec.SignResponse, spec.SignAssertion = mode[0], mode[1]
		switch i {
		case 3:
			spec.SigningAlgorithm = SigningSHA1
		case 4:
			spec.EncryptAssertion = opaqueEncryption
		}
		resp, err := IssueResponse(spec, kp.key, kp.cert)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(resp)
		f.Add([]byte(base64.StdEncoding.EncodeToString(resp)))
	}
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`))
	trusted := []*Cert{kp.cert}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := VerifyResponse(data, trusted, WithClock(testClock), WithSigningAlgorithm(SigningSHA1),
			AllowEncryptedAssertion(), RequireAWSSignIn(testProviderARN, testRoleARN))
		if err != nil {
			if !typed(err) {
				t.Fatalf("untyped error: %v", err)
			}
			if a != nil {
				t.Fatal("assertion returned with an error")
			}
			return
		}
		if a.SignedBy == nil || a.SignedBy.SHA256 != kp.cert.SHA256 || !(a.ResponseSigned || a.AssertionSigned) {
			t.Fatalf("accepted without a trusted signature: %+v", a)
		}
		if a.Encrypted {
			if !a.ResponseSigned || a.Issuer == "" || a.NameID != "" {
				t.Fatalf("accepted an encrypted assertion without the Response's signature: %+v", a)
			}
			return
		}
		if !IsAWSSignInURL(a.Recipient) || len(a.Attributes[AttrRoleSessionName]) != 1 {
			t.Fatalf("accepted outside AWS's rules: %+v", a)
		}
		if a.Issuer == "" || a.NameID == "" || a.NotOnOrAfter.IsZero() {
			t.Fatalf("accepted an incomplete assertion: %+v", a)
		}
	})
}
