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

// WithAudience makes VerifyResponse require this audience in the
// Assertion's AudienceRestriction.
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
