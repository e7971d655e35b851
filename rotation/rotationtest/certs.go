package rotationtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// KeyGenerator returns an RSA private key of the given size.
type KeyGenerator func(bits int) (*rsa.PrivateKey, error)

// FreshKey generates a new key on every call. It is the fakes' default.
func FreshKey(bits int) (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, bits) }

var cachedKeys sync.Map // bits -> func() (*rsa.PrivateKey, error)

// CachedKey returns one key per size for the whole process, generated on
// first use. Certificates made with it still differ (serial number,
// subject, fingerprint); only their key pairs are shared. Use it to keep
// tests fast.
func CachedKey(bits int) (*rsa.PrivateKey, error) {
	f, _ := cachedKeys.LoadOrStore(bits, sync.OnceValues(func() (*rsa.PrivateKey, error) { return FreshKey(bits) }))
	return f.(func() (*rsa.PrivateKey, error))()
}

// NewCertificate returns a self-signed X.509 signing certificate for key,
// valid from an hour before now for a year, described as a
// rotation.Certificate named name (its DER included).
func NewCertificate(name, label string, key *rsa.PrivateKey, now time.Time) (rotation.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return rotation.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"voicecert test"}},
		NotBefore:    now.Add(-time.Hour).UTC().Truncate(time.Second),
		NotAfter:     now.AddDate(1, 0, 0).UTC().Truncate(time.Second),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return rotation.Certificate{}, fmt.Errorf("create certificate %q: %w", name, err)
	}
	return rotation.Certificate{
		Name:      name,
		Label:     label,
		SHA256:    Fingerprint(der),
		Subject:   tmpl.Subject.String(),
		NotBefore: tmpl.NotBefore,
		NotAfter:  tmpl.NotAfter,
		KeyBits:   key.N.BitLen(),
		DER:       der,
	}, nil
}
