package rotation_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/samlmeta"
)

// judgeRP is the fake relying party with a judge of sign-ins, as the aws
// package's is with STS AssumeRoleWithSAML.
type judgeRP struct {
	*rotationtest.RelyingParty
	judge rotation.SignInJudge
}

func (r *judgeRP) JudgeSignIn(ctx context.Context, trust rotation.TrustRef, role, resp string) error {
	return r.judge.JudgeSignIn(ctx, trust, role, resp)
}

// stsError is a service's refusal carrying its error code, as an AWS SDK
// API error does.
type stsError struct{ code string }

func (e *stsError) Error() string {
	return "api error " + e.code + ": Not authorized to perform sts:AssumeRoleWithSAML"
}
func (e *stsError) ErrorCode() string { return e.code }

// judgeSaw is one Response a fakeJudge was shown.
type judgeSaw struct {
	trust, signedBy string
}

// fakeJudge judges a Response as STS does against the document the
// relying party holds for the trust now: signed by one of its signing
// certificates, issued by its entityID. It refuses, with code, a Response
// signed by a certificate reject names.
type fakeJudge struct {
	rp     *rotationtest.RelyingParty
	reject func(signedBy string) bool
	code   string
	mu     sync.Mutex
	saw    []judgeSaw
}

func (j *fakeJudge) JudgeSignIn(_ context.Context, trust rotation.TrustRef, _, resp string) error {
	a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), j.rp.Document(trust.ARN), samlmeta.AllowSHA1())
	if err != nil {
		return fmt.Errorf("%w: %w", rotation.ErrSignInRejected, &stsError{code: "InvalidIdentityToken"})
	}
	j.mu.Lock()
	j.saw = append(j.saw, judgeSaw{trust: trust.ARN, signedBy: a.SignedBy.SHA256})
	j.mu.Unlock()
	if j.reject != nil && j.reject(a.SignedBy.SHA256) {
		return fmt.Errorf("%w: %w", rotation.ErrSignInRejected, &stsError{code: j.code})
	}
	return nil
}

func (j *fakeJudge) seen() []judgeSaw {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]judgeSaw(nil), j.saw...)
}

// newJudgeWorld is the login world whose relying party judges sign-ins.
func newJudgeWorld(t *testing.T) (*orgWorld, *loginIdP, *fakeJudge, *judgeRP) {
	t.Helper()
	w, idp := newLoginWorld(t)
	idp.allInOnce.Do(func() { close(idp.allIn) }) // the trust step signs in to fewer apps than the world has
	j := &fakeJudge{rp: w.rp}
	return w, idp, j, &judgeRP{RelyingParty: w.rp, judge: j}
}

// algorithmIdP reports each app's configured signing algorithm.
type algorithmIdP struct {
	*loginIdP
	algorithms map[string]string
}

func (p *algorithmIdP) SigningState(ctx context.Context) (rotation.SigningState, error) {
	sig, err := p.loginIdP.SigningState(ctx)
	for i, a := range sig.Apps {
		sig.Apps[i].Algorithm = p.algorithms[a.App.Name]
	}
	return sig, err
}

// signSHA1 re-signs a Response signed by IssueResponse: its root
// with rsa-sha1 and sha1 digests, as an app configured SHA1 signs.
func signSHA1(key *rsa.PrivateKey, cert *samlmeta.Cert, resp []byte) ([]byte, error) {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(resp); err != nil {
		return nil, err
	}
	root := d.Root()
	for _, a := range root.FindElements("./Assertion/Signature") {
		a.Parent().RemoveChild(a)
	}
	if s := root.FindElement("./Signature"); s != nil {
		root.RemoveChild(s)
	}
	ctx, err := dsig.NewSigningContext(key, [][]byte{cert.DER})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	ctx.Hash = crypto.SHA1
	sig, err := ctx.ConstructSignature(root, true)
	if err != nil {
		return nil, err
	}
	root.InsertChildAt(root.FindElement("./Issuer").Index()+1, sig)
	return d.WriteToBytes()
}

// encryptedResponse is a Response like one Salesforce sends for an app
// that encrypts: its assertion encrypted (here opaque bytes), the
// Response signed.
func encryptedResponse(issuer string, key *rsa.PrivateKey, cert *samlmeta.Cert) ([]byte, error) {
	doc := `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_enc1" Version="2.0" IssueInstant="` +
		time.Now().UTC().Format(time.RFC3339) + `" Destination="https://signin.aws.amazon.com/saml">` +
		`<saml:Issuer>` + issuer + `</saml:Issuer>` +
		`<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
		`<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
		`<xenc:CipherData><xenc:CipherValue>` + strings.Repeat("QUJD", 20) + `</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion></samlp:Response>`
	return samlmeta.Sign([]byte(doc), key, cert)
}

// verified returns the EventVerified events of step.
func verified(r *recorder, step string) []rotation.Event {
	var out []rotation.Event
	for _, e := range r.of(rotation.EventVerified) {
		if e.Step == step {
			out = append(out, e)
		}
	}
	return out
}

// requireVerdicts checks that the last verification of step gave n
// contact centers, each outcome, and returns it.
func requireVerdicts(t *testing.T, r *recorder, step string, n int, outcome rotation.VerdictOutcome) *rotation.Verification {
	t.Helper()
	evs := verified(r, step)
	require.NotEmpty(t, evs, "no verification event in step %s", step)
	v := evs[len(evs)-1].Verification
	require.NotNil(t, v)
	require.Len(t, v.ContactCenters, n)
	for _, c := range v.ContactCenters {
		require.Equal(t, outcome, c.Verdict.Outcome, "contact center %s: %s", c.ContactCenter.Name, c.Verdict)
	}
	return v
}
