package samlmeta

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SHA-1 fingerprints are shown, never trusted
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"time"
	"unicode"
)

// Cert holds the facts about one X.509 certificate that rotation reports and
// compares. Build one with ParseCertDER, ParseCertPEM or ParseCertBase64.
type Cert struct {
	// DER is the certificate as found (ASN.1 DER).
	DER []byte
	// X509 is the parsed certificate.
	X509 *x509.Certificate
	// SHA256 and SHA1 are fingerprints of DER: upper-case hex byte pairs
	// joined by ':' (the form openssl and Salesforce show).
	SHA256, SHA1 string
	// Subject and Issuer are the distinguished names in RFC 2253 form.
	Subject, Issuer string
	// Serial is the serial number in upper-case hex without separators.
	Serial string
	// NotBefore and NotAfter bound the validity period (UTC).
	NotBefore, NotAfter time.Time
	// KeyAlgorithm is "RSA", "ECDSA", "Ed25519" or the x509 name of another
	// algorithm.
	KeyAlgorithm string
	// KeyBits is the RSA modulus length, the ECDSA curve size or 256 for
	// Ed25519; 0 when unknown.
	KeyBits int
}

// ParseCertDER parses one DER-encoded certificate.
func ParseCertDER(der []byte) (*Cert, error) {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, wrapf(ErrUnsupportedKey, "parse certificate: %v", err)
	}
	s1 := sha1.Sum(der) //nolint:gosec // fingerprint only
	c := &Cert{
		DER:       append([]byte(nil), der...),
		X509:      x,
		SHA256:    Fingerprint(der),
		SHA1:      colonHex(s1[:]),
		Subject:   x.Subject.String(),
		Issuer:    x.Issuer.String(),
		NotBefore: x.NotBefore.UTC(),
		NotAfter:  x.NotAfter.UTC(),
	}
	if x.SerialNumber != nil {
		c.Serial = strings.ToUpper(x.SerialNumber.Text(16))
	}
	switch k := x.PublicKey.(type) {
	case *rsa.PublicKey:
		c.KeyAlgorithm, c.KeyBits = "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		c.KeyAlgorithm, c.KeyBits = "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		c.KeyAlgorithm, c.KeyBits = "Ed25519", 256
	default:
		c.KeyAlgorithm = x.PublicKeyAlgorithm.String()
	}
	return c, nil
}

// ParseCertPEM parses the first CERTIFICATE block of pemBytes.
func ParseCertPEM(pemBytes []byte) (*Cert, error) {
	rest := pemBytes
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, wrapf(ErrUnsupportedKey, "no CERTIFICATE PEM block")
		}
		if b.Type == "CERTIFICATE" {
			return ParseCertDER(b.Bytes)
		}
	}
}

// ParseCertBase64 parses the content of a ds:X509Certificate element: base64
// of DER, with any whitespace (line wrapping, indentation) ignored.
func ParseCertBase64(s string) (*Cert, error) {
	der, err := decodeBase64(s)
	if err != nil {
		return nil, wrapf(ErrUnsupportedKey, "certificate base64: %v", err)
	}
	return ParseCertDER(der)
}

// Base64 returns DER as unwrapped standard base64, the X509Certificate form.
func (c *Cert) Base64() string { return base64.StdEncoding.EncodeToString(c.DER) }

// PEM returns the certificate as one PEM CERTIFICATE block.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// ValidAt reports whether t lies within [NotBefore, NotAfter].
func (c *Cert) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// Fingerprint returns the SHA-256 fingerprint of der as upper-case hex byte
// pairs joined by ':'.
func Fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return colonHex(s[:])
}

// NormalizeFingerprint turns a fingerprint written with any case, with or
// without ':' or spaces, into the form Fingerprint returns.
func NormalizeFingerprint(fp string) string {
	var b strings.Builder
	for _, r := range fp {
		if r == ':' || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	raw, err := hex.DecodeString(b.String())
	if err != nil {
		return strings.ToUpper(fp)
	}
	return colonHex(raw)
}

func colonHex(b []byte) string {
	h := strings.ToUpper(hex.EncodeToString(b))
	var sb strings.Builder
	sb.Grow(len(h) + len(b))
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// decodeBase64 decodes standard base64, ignoring whitespace.
func decodeBase64(s string) ([]byte, error) {
	if strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x80 }) < 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.StdEncoding.DecodeString(stripSpace(s))
}
