package samlmeta

import "time"

// VerifyOption configures VerifySignature and VerifyResponse.
type VerifyOption func(*verifyOptions)

type verifyOptions struct {
	allowSHA1      bool
	allowECDSA     bool
	minRSABits     int
	maxNSDecls     int
	ignoreValidity bool
	now            func() time.Time
	skew           time.Duration
	audience       string
	maxSize        int
	algorithm      SigningAlgorithm
	allowEncrypted bool
	aws            *awsSignIn
}

// DefaultClockSkew is the tolerance applied to a Response's time conditions.
const DefaultClockSkew = 3 * time.Minute

func newVerifyOptions(opts []VerifyOption) *verifyOptions {
	o := &verifyOptions{now: time.Now, skew: DefaultClockSkew, maxSize: DefaultMaxSize,
		minRSABits: MinRSABits, maxNSDecls: DefaultMaxNamespaceDecls}
	for _, fn := range opts {
		fn(o)
	}
	return o
}

// AllowSHA1 accepts rsa-sha1 signatures and sha1 digests, which are refused
// with ErrSHA1 by default.
func AllowSHA1() VerifyOption { return func(o *verifyOptions) { o.allowSHA1 = true } }

// AllowECDSA accepts ECDSA signatures (ecdsa-sha256/384/512), which are
// refused with ErrKeyPolicy by default: Salesforce signs with RSA, and an
// ECDSA certificate among the trusted ones is more likely a mistake or an
// attack than a rotation.
func AllowECDSA() VerifyOption { return func(o *verifyOptions) { o.allowECDSA = true } }

// WithMinRSABits sets the shortest RSA key accepted for a signature
// (default MinRSABits, 2048; Salesforce creates 2048- and 4096-bit keys).
// Shorter keys are refused with ErrKeyPolicy. A value <= 0 keeps the
// default.
func WithMinRSABits(bits int) VerifyOption {
	return func(o *verifyOptions) {
		if bits > 0 {
			o.minRSABits = bits
		}
	}
}

// WithMaxResponseNamespaceDecls sets how many namespace declarations a
// verified document may have in scope at once (default DefaultMaxNamespaceDecls). A value
// <= 0 keeps the default.
func WithMaxResponseNamespaceDecls(n int) VerifyOption {
	return func(o *verifyOptions) {
		if n > 0 {
			o.maxNSDecls = n
		}
	}
}

// IgnoreValidity accepts a trusted certificate outside its validity period,
// as SAML metadata practice does (the key is trusted, not the dates).
func IgnoreValidity() VerifyOption { return func(o *verifyOptions) { o.ignoreValidity = true } }

// WithClock sets the clock used for certificate validity and a Response's
// time conditions (default time.Now).
func WithClock(now func() time.Time) VerifyOption {
	return func(o *verifyOptions) {
		if now != nil {
			o.now = now
		}
	}
}

// WithClockSkew sets the tolerance for a Response's NotBefore and
// NotOnOrAfter (default DefaultClockSkew).
func WithClockSkew(d time.Duration) VerifyOption {
	return func(o *verifyOptions) {
		if d >= 0 {
			o.skew = d
		}
	}
}

// WithAudience makes VerifyResponse require this audience in every
// AudienceRestriction of the Assertion (SAML core 2.5.1.4: each
// restriction must be satisfied on its own), and at least one
// AudienceRestriction. A failure matches ErrAudience.
func WithAudience(aud string) VerifyOption { return func(o *verifyOptions) { o.audience = aud } }

// WithMaxResponseSize sets the largest Response VerifyResponse accepts, in
// bytes after base64 decoding (default DefaultMaxSize).
func WithMaxResponseSize(n int) VerifyOption {
	return func(o *verifyOptions) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// SigningAlgorithm is the signature algorithm an app is configured to sign
// its Responses with: a connected app's samlConfig.samlSigningAlgoType.
type SigningAlgorithm string

// The values of samlSigningAlgoType (Metadata API WSDL v66).
const (
	SigningSHA1   SigningAlgorithm = "SHA1"
	SigningSHA256 SigningAlgorithm = "SHA256"
)

// WithSigningAlgorithm tells the verifier the algorithm the app that issued
// the Response is configured with, which overrides AllowSHA1 for this
// verification: SigningSHA1 accepts rsa-sha1 signatures and sha1 digests
// (and stronger ones: an app switched to SHA256 since it was read still
// verifies), SigningSHA256 refuses any SHA-1 with ErrSHA1 even when
// AllowSHA1 is given. Any other value keeps the default policy.
func WithSigningAlgorithm(alg SigningAlgorithm) VerifyOption {
	return func(o *verifyOptions) { o.algorithm = alg }
}

// sha1Allowed applies the app's algorithm, then AllowSHA1.
func (o *verifyOptions) sha1Allowed() bool {
	switch o.algorithm {
	case SigningSHA1:
		return true
	case SigningSHA256:
		return false
	}
	return o.allowSHA1
}

// AllowEncryptedAssertion makes VerifyResponse accept a Response whose
// assertion is encrypted (one EncryptedAssertion, a direct child of the
// Response). Only the Response's signature can be verified then, so the
// Response must be signed; nothing inside the assertion is read or
// checked (Conditions, Subject, audience, attributes, RequireAWSSignIn),
// and the returned Assertion says so with Encrypted. Without this option
// such a Response is refused with ErrEncryptedAssertion, so that a caller
// asking for content checks never gets a result without them unawares.
func AllowEncryptedAssertion() VerifyOption {
	return func(o *verifyOptions) { o.allowEncrypted = true }
}
