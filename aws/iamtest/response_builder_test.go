package iamtest_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // rsa-oaep-mgf1p is OAEP with SHA-1.
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/samlmeta"
)

const (
	roleName    = "cc1-SAMLRole"
	signInAWS   = "https://signin.aws.amazon.com/saml"
	sessionName = "agent@example.com"
)

// respSpec describes a SAML Response the test builds by hand, for the
// variants samlmeta.IssueResponse does not produce. The zero value (with
// the defaults filled by build) is a genuine Response AWS accepts.
type respSpec struct {
	issuer        string
	key           int  // testmeta.RSA key that signs
	keyInfo       *int // testmeta.RSA key whose certificate KeyInfo carries (nil: the signing key's)
	now           time.Time
	recipient     *string // nil: signInAWS
	notOnOrAfter  *time.Time
	confirmations int    // 0: one
	method        string // "": bearer
	sessionNames  []string
	noSessionName bool
	roles         []string
	status        string
	assertionID   string
	signResponse  bool // also sign the Response (the Assertion always is)
	unsigned      bool // sign nothing
	encryptTo     *rsa.PublicKey
	tamper        bool // change the NameID after signing
	attrs         map[string][]string
}

func providerOf(account string) string {
	return "arn:aws:iam::" + account + ":saml-provider/SalesforceServiceVoiceIdp"
}

func roleOf(account string) string { return "arn:aws:iam::" + account + ":role/" + roleName }

func providerOfName(name string) string { return "arn:aws:iam::" + acct + ":saml-provider/" + name }

func roleOfName(name string) string { return "arn:aws:iam::" + acct + ":role/" + name }

func encode(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

// build returns the spec's Response, base64-encoded as posted.
func (sp respSpec) build(t *testing.T) string {
	t.Helper()
	if sp.issuer == "" {
		sp.issuer = idp
	}
	if sp.now.IsZero() {
		sp.now = time.Now()
	}
	if sp.confirmations == 0 {
		sp.confirmations = 1
	}
	if sp.method == "" {
		sp.method = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	}
	if sp.sessionNames == nil && !sp.noSessionName {
		sp.sessionNames = []string{sessionName}
	}
	if sp.roles == nil {
		sp.roles = []string{roleOf(acct) + "," + providerOf(acct)}
	}
	if sp.status == "" {
		sp.status = "urn:oasis:names:tc:SAML:2.0:status:Success"
	}
	if sp.assertionID == "" {
		sp.assertionID = randID()
	}
	rcpt := signInAWS
	if sp.recipient != nil {
		rcpt = *sp.recipient
	}
	until := sp.now.Add(5 * time.Minute)
	if sp.notOnOrAfter != nil {
		until = *sp.notOnOrAfter
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	a.CreateAttr("ID", sp.assertionID)
	a.CreateAttr("IssueInstant", ts(sp.now))
	a.CreateAttr("Version", "2.0")
	a.CreateElement("saml:Issuer").SetText(sp.issuer)
	subj := a.CreateElement("saml:Subject")
	nid := subj.CreateElement("saml:NameID")
	nid.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
	nid.SetText("005000000000001")
	for range sp.confirmations {
		sc := subj.CreateElement("saml:SubjectConfirmation")
		sc.CreateAttr("Method", sp.method)
		scd := sc.CreateElement("saml:SubjectConfirmationData")
		if !until.IsZero() {
			scd.CreateAttr("NotOnOrAfter", ts(until))
		}
		if rcpt != "" {
			scd.CreateAttr("Recipient", rcpt)
		}
	}
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(sp.now.Add(-30*time.Second)))
	cond.CreateAttr("NotOnOrAfter", ts(sp.now.Add(5*time.Minute)))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText("ContactCenter01")
	st := a.CreateElement("saml:AttributeStatement")
	attr := func(name string, values []string) {
		at := st.CreateElement("saml:Attribute")
		at.CreateAttr("Name", name)
		for _, v := range values {
			at.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	attr(samlmeta.AttrRole, sp.roles)
	if !sp.noSessionName {
		attr(samlmeta.AttrRoleSessionName, sp.sessionNames)
	}
	for k, v := range sp.attrs {
		attr(k, v)
	}

	key, shown := testmeta.RSA(sp.key), testmeta.RSA(sp.key)
	if sp.keyInfo != nil {
		shown = testmeta.RSA(*sp.keyInfo)
	}
	if !sp.unsigned {
		a = sign(t, a, key, shown)
	}
	if sp.tamper {
		a.FindElement("./Subject/NameID").SetText("005000000000002")
	}

	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
	resp.CreateAttr("Destination", rcpt)
	resp.CreateAttr("ID", randID())
	resp.CreateAttr("IssueInstant", ts(sp.now))
	resp.CreateAttr("Version", "2.0")
	iss := resp.CreateElement("saml:Issuer")
	iss.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	iss.SetText(sp.issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", sp.status)
	if sp.encryptTo != nil {
		resp.AddChild(encryptAssertion(t, a, sp.encryptTo))
	} else {
		resp.AddChild(a)
	}
	if sp.signResponse {
		signed := sign(t, resp, key, shown)
		doc.SetRoot(signed)
	}
	raw, err := doc.WriteToBytes()
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

// sign signs el (enveloped, exclusive C14N, rsa-sha256) with goxmldsig
// with k's private key, KeyInfo carrying shown's certificate, and moves the
// Signature after the Issuer, as the schema orders it.
func sign(t *testing.T, el *etree.Element, k, shown *testmeta.Key) *etree.Element {
	t.Helper()
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
		Certificate: [][]byte{shown.Cert.Raw}, PrivateKey: k.Private}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	require.NoError(t, ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod))
	sig, err := ctx.ConstructSignature(el, true)
	require.NoError(t, err)
	signed := el.Copy()
	signed.InsertChildAt(1, sig)
	return signed
}

// encryptAssertion returns an EncryptedAssertion holding a, encrypted with
// AES-256-CBC under a key wrapped for pub with RSA-OAEP (SHA-1).
func encryptAssertion(t *testing.T, a *etree.Element, pub *rsa.PublicKey) *etree.Element {
	t.Helper()
	d := etree.NewDocument()
	d.SetRoot(a.Copy())
	plain, err := d.WriteToBytes()
	require.NoError(t, err)
	cek := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	_, _ = rand.Read(cek)
	_, _ = rand.Read(iv)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	for range pad {
		plain = append(plain, byte(pad))
	}
	block, err := aes.NewCipher(cek)
	require.NoError(t, err)
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, plain)
	wrapped, err := rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, cek, nil)
	require.NoError(t, err)

	ea := etree.NewElement("saml:EncryptedAssertion")
	ea.CreateAttr("xmlns:saml", "urn:oasis:names:tc:SAML:2.0:assertion")
	ed := ea.CreateElement("xenc:EncryptedData")
	ed.CreateAttr("xmlns:xenc", "http://www.w3.org/2001/04/xmlenc#")
	ed.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#aes256-cbc")
	ki := ed.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", "http://www.w3.org/2000/09/xmldsig#")
	ek := ki.CreateElement("xenc:EncryptedKey")
	ek.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p")
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(wrapped))
	ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(append(iv, ct...)))
	return ea
}

func randID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "_" + hex.EncodeToString(b)
}

func ptr[T any](v T) *T { return &v }
