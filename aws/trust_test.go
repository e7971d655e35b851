package aws_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

func TestTrustSnapshot(t *testing.T) {
	e := newEnv(t)
	snap, err := e.rp.Trust(t.Context(), rotation.TrustRef{ARN: e.ref.ARN})
	require.NoError(t, err)
	assert.Equal(t, e.ref, snap.Ref, "account filled in from the ARN")
	assert.Equal(t, e.srv.Document(e.ref.ARN), snap.Document)
	assert.Len(t, snap.UUID, 26)
	assert.Equal(t, time.Date(2126, 1, 1, 0, 0, 0, 0, time.UTC), snap.ValidUntil)
	assert.WithinDuration(t, time.Now(), snap.CreateDate, time.Minute)
	assert.Equal(t, "aws:"+acct, e.rp.Name())
}

func TestSetTrustOverlapThenFinal(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	require.NoError(t, e.rp.SetTrust(ctx, e.ref, doc(0, 1)))
	assert.Equal(t, doc(0, 1), e.srv.Document(e.ref.ARN))
	require.NoError(t, e.rp.SetTrust(ctx, e.ref, doc(1)))
	assert.Equal(t, doc(1), e.srv.Document(e.ref.ARN))
	assert.Equal(t, 2, e.srv.CallCount("UpdateSAMLProvider"))

	// Setting the document IAM already holds sends nothing.
	require.NoError(t, e.rp.SetTrust(ctx, e.ref, doc(1)))
	assert.Equal(t, 2, e.srv.CallCount("UpdateSAMLProvider"))
}

// TestSetTrustRefusesWithoutUpdating checks every refusal: zero
// UpdateSAMLProvider calls reach iamtest, and the stored document is
// unchanged.
func TestSetTrustRefusesWithoutUpdating(t *testing.T) {
	valid := doc(0, 1)
	pad := func(b []byte, n int) []byte { // pad b with spaces to n characters
		return append(bytes.Clone(b), bytes.Repeat([]byte(" "), n-len(b))...)
	}
	short := []byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + idp + `"><md:IDPSSODescriptor/></md:EntityDescriptor>`)
	cases := []struct {
		name    string
		doc     []byte
		is      error  // samlmeta sentinel, when the refusal is a rule
		changes string // part of the reason, when the refusal is a diff
	}{
		{name: "BOM", doc: append([]byte("\xef\xbb\xbf"), valid...), is: samlmeta.ErrBOM},
		{name: "999 characters", doc: pad(short, 999), is: samlmeta.ErrTooShort},
		{name: "512-bit key", doc: testmeta.Metadata(idp, testmeta.RSA(0).DER(), testmeta.Weak512()), is: samlmeta.ErrWeakKey},
		{name: "changed entityID", doc: testmeta.Metadata("https://other.my.salesforce.com", testmeta.RSA(0).DER(), testmeta.RSA(1).DER()), changes: "entityID changes from"},
		{name: "changed endpoint", doc: bytes.Replace(valid, []byte("/idp/endpoint/HttpPost"), []byte("/idp/endpoint/Other"), 1), changes: "SingleSignOnService"},
		// A local-name reader saw the stored entityID here; IAM sees the other one.
		{name: "decoy entityID", doc: replace(valid, `entityID="`+idp+`"`, `xmlns:entityID="`+idp+`" entityID="https://evil.example.com"`), is: samlmeta.ErrDecoy},
		// A namespace-aware reader counts this KeyDescriptor as a signing key.
		{name: "hidden signing key", doc: replace(valid, "<md:NameIDFormat>", `<md:KeyDescriptor xmlns:x="urn:x" x:use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>`+
			base64.StdEncoding.EncodeToString(testmeta.RSA(2).DER())+`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`), is: samlmeta.ErrDecoy},
		// Any non-key difference refuses the update, wherever it is.
		{name: "added encryption key", doc: replace(valid, "<md:NameIDFormat>", `<md:KeyDescriptor use="encryption"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>`+
			base64.StdEncoding.EncodeToString(testmeta.RSA(2).DER())+`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:NameIDFormat>`), changes: "KeyDescriptor"},
		{name: "cacheDuration", doc: replace(valid, `entityID="`, `cacheDuration="PT1H" entityID="`), changes: "cacheDuration"},
		{name: "ResponseLocation", doc: replace(valid, `/idp/endpoint/HttpPost"`, `/idp/endpoint/HttpPost" ResponseLocation="https://evil.example.com/r"`), changes: "ResponseLocation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			before := e.srv.Snapshot()
			err := e.rp.SetTrust(t.Context(), e.ref, tc.doc)
			require.ErrorIs(t, err, rotation.ErrInvalidInput)
			var refused *aws.ChangeRefusedError
			require.ErrorAs(t, err, &refused)
			assert.Equal(t, e.ref.ARN, refused.ARN)
			assert.Contains(t, err.Error(), acct)
			assert.Contains(t, err.Error(), e.ref.ARN)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			} else {
				assert.False(t, refused.Changes.OnlyKeys())
				assert.Contains(t, err.Error(), tc.changes)
			}
			assert.False(t, rotation.IsTransient(err))
			assert.Zero(t, e.srv.CallCount("UpdateSAMLProvider"), "no UpdateSAMLProvider reached IAM")
			assert.Equal(t, before, e.srv.Snapshot())
		})
	}
}

// replace replaces the first old in b, which must hold it.
func replace(b []byte, old, new string) []byte {
	if !bytes.Contains(b, []byte(old)) {
		panic("replace: " + old + " not found")
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func TestSetTrustPollsThroughStaleReads(t *testing.T) {
	e := newEnv(t)
	e.srv.StaleReads(e.ref.ARN, 3)
	require.NoError(t, e.rp.SetTrust(t.Context(), e.ref, doc(0, 1)))
	assert.Equal(t, doc(0, 1), e.srv.Document(e.ref.ARN))
	// One read before the update, three stale reads, one fresh read.
	assert.Equal(t, 5, e.srv.CallCount("GetSAMLProvider"))
	assert.Equal(t, 1, e.srv.CallCount("UpdateSAMLProvider"))
}

func TestSetTrustNotPropagated(t *testing.T) {
	e := newEnv(t, func(o *aws.Options) { o.PropagationTimeout = 250 * time.Millisecond })
	other := e.srv.AddProvider(acct, "SalesforceVoiceIdp_00D000000000001", doc(2))
	e.srv.StaleReads(e.ref.ARN, 1_000_000)
	before := e.srv.Snapshot()

	start := time.Now()
	err := e.rp.SetTrust(t.Context(), e.ref, doc(0, 1))
	assert.Less(t, time.Since(start), 5*time.Second)
	require.ErrorIs(t, err, rotation.ErrNotPropagated)
	var np *aws.NotPropagatedError
	require.ErrorAs(t, err, &np)
	assert.Equal(t, []string{fp(0)}, np.Got)
	assert.ElementsMatch(t, []string{fp(0), fp(1)}, np.Want)
	assert.GreaterOrEqual(t, np.Polls, 1)
	assert.Contains(t, err.Error(), e.ref.ARN)

	// IAM took the update; nothing else changed and nothing was sent again.
	assert.Equal(t, 1, e.srv.CallCount("UpdateSAMLProvider"))
	assert.Equal(t, doc(0, 1), e.srv.Document(e.ref.ARN))
	assert.Equal(t, before[other], string(e.srv.Document(other)))
	assert.Len(t, e.srv.Snapshot(), 2)
	for _, c := range e.srv.Calls() {
		assert.Contains(t, []string{"GetSAMLProvider", "UpdateSAMLProvider"}, c.Op)
		assert.Equal(t, e.ref.ARN, c.Target)
	}
}

func TestSetTrustPollingSurvivesTransientReads(t *testing.T) {
	e := newEnv(t)
	e.srv.StaleReads(e.ref.ARN, 1)
	// The first read (before the update) succeeds; the next reads fail
	// with ServiceFailure past the SDK's retries once.
	var gets int
	e.srv.SetHook(func(c iamtest.Call) *iamtest.Fault {
		if c.Op == "GetSAMLProvider" {
			gets++
			if gets >= 2 && gets < 2+sdkTry {
				return &iamtest.Fault{Code: "ServiceFailure"}
			}
		}
		return nil
	})
	require.NoError(t, e.rp.SetTrust(t.Context(), e.ref, doc(0, 1)))
	assert.Equal(t, doc(0, 1), e.srv.Document(e.ref.ARN))
}

func TestSetTrustPollingStopsOnPermanentError(t *testing.T) {
	e := newEnv(t)
	e.srv.StaleReads(e.ref.ARN, 1)
	var gets int
	e.srv.SetHook(func(c iamtest.Call) *iamtest.Fault {
		if c.Op == "GetSAMLProvider" {
			if gets++; gets == 3 {
				return &iamtest.Fault{Code: "NoSuchEntity"}
			}
		}
		return nil
	})
	err := e.rp.SetTrust(t.Context(), e.ref, doc(0, 1))
	require.ErrorIs(t, err, rotation.ErrNotFound)
	assert.False(t, errors.Is(err, rotation.ErrNotPropagated))
	assert.Equal(t, 3, e.srv.CallCount("GetSAMLProvider"))
}

func TestSetTrustRetriesConcurrentModification(t *testing.T) {
	e := newEnv(t)
	e.srv.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: "ConcurrentModification"}, 2)
	require.NoError(t, e.rp.SetTrust(t.Context(), e.ref, doc(0, 1)))
	assert.Equal(t, 3, e.srv.CallCount("UpdateSAMLProvider"), "two refusals, then accepted")
	assert.Equal(t, doc(0, 1), e.srv.Document(e.ref.ARN))
}

func TestSetTrustContextCancelled(t *testing.T) {
	e := newEnv(t, func(o *aws.Options) { o.PropagationTimeout = time.Minute })
	e.srv.StaleReads(e.ref.ARN, 1_000_000)
	ctx, cancel := contextWithTimeout(t, 40*time.Millisecond)
	defer cancel()
	err := e.rp.SetTrust(ctx, e.ref, doc(0, 1))
	require.Error(t, err)
	assert.False(t, errors.Is(err, rotation.ErrNotPropagated), "the caller's cancellation is not a propagation failure")
	assert.False(t, rotation.IsTransient(err))
}

func TestSetTrustWrongAccount(t *testing.T) {
	e := newEnv(t)
	for name, ref := range map[string]rotation.TrustRef{
		"other account's ARN":  {ARN: strings.Replace(e.ref.ARN, acct, acct2, 1)},
		"account/ARN mismatch": {Account: acct2, ARN: e.ref.ARN},
		"not an ARN":           {Account: acct, ARN: "SalesforceServiceVoiceIdp"},
		"role ARN":             {Account: acct, ARN: "arn:aws:iam::" + acct + ":role/x"},
	} {
		t.Run(name, func(t *testing.T) {
			err := e.rp.SetTrust(t.Context(), ref, doc(0, 1))
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
			_, err = e.rp.Trust(t.Context(), ref)
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		})
	}
	assert.Empty(t, e.srv.Calls())
}

func TestAccountFromFirstARN(t *testing.T) {
	e := newEnv(t)
	rp := aws.New(sdkConfigWithEndpoint(e.srv, acct), fast)
	assert.Equal(t, "aws", rp.Name())
	_, err := rp.Trust(t.Context(), rotation.TrustRef{ARN: e.ref.ARN})
	require.NoError(t, err)
	assert.Equal(t, "aws:"+acct, rp.Name())
	_, err = rp.Trust(t.Context(), rotation.TrustRef{ARN: strings.Replace(e.ref.ARN, acct, acct2, 1)})
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestConcurrentModificationRetriesOption(t *testing.T) {
	for _, tc := range []struct{ retries, calls int }{{-1, 1}, {2, 3}} {
		e := newEnv(t, func(o *aws.Options) { o.ConcurrentModificationRetries = tc.retries })
		e.srv.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: "ConcurrentModification"}, 100)
		err := e.rp.SetTrust(t.Context(), e.ref, doc(0, 1))
		assert.True(t, rotation.IsTransient(err))
		assert.Equal(t, tc.calls, e.srv.CallCount("UpdateSAMLProvider"), "retries=%d", tc.retries)
	}
}

// TestSetTrustKeepsAssertionEncryption: a provider whose mode is Required
// rotates; SetTrust (overlap, final) and the restore of its snapshot send
// only the document, so its mode and decryption keys stay as they were,
// and the snapshot records them.
func TestSetTrustKeepsAssertionEncryption(t *testing.T) {
	e := newEnv(t)
	keyIDs := e.srv.SetAssertionEncryption(e.ref.ARN, "Required", testmeta.RSA(3).Private, testmeta.RSA(4).Private)
	snap, err := e.rp.Trust(t.Context(), e.ref)
	require.NoError(t, err)
	assert.Equal(t, "Required", snap.EncryptionMode)
	assert.Equal(t, keyIDs, snap.DecryptionKeyIDs)

	for _, next := range [][]byte{doc(0, 1), doc(1), snap.Document} {
		require.NoError(t, e.rp.SetTrust(t.Context(), e.ref, next))
		got, err := e.rp.Trust(t.Context(), e.ref)
		require.NoError(t, err)
		assert.Equal(t, string(next), string(got.Document))
		assert.Equal(t, "Required", got.EncryptionMode)
		assert.Equal(t, keyIDs, got.DecryptionKeyIDs)
		assert.Equal(t, snap.UUID, got.UUID)
	}
	assert.Equal(t, 3, e.srv.CallCount("UpdateSAMLProvider"))
}
