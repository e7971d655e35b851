package salesforce_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var (
	keyMu    sync.Mutex
	keyCache = map[int][]*rsa.PrivateKey{}
	keyNext  = map[int]int{}
)

// testKey returns an RSA key of bits; keys are generated once per test
// binary and reused round-robin from a small pool, so that tests stay fast.
func testKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	const pool = 3
	if len(keyCache[bits]) < pool {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		require.NoError(t, err)
		keyCache[bits] = append(keyCache[bits], k)
		return k
	}
	i := keyNext[bits] % pool
	keyNext[bits]++
	return keyCache[bits][i]
}

// selfSigned returns a self-signed certificate for key, valid from now for
// the given duration.
func selfSigned(t testing.TB, key *rsa.PrivateKey, cn string, validFor time.Duration) *x509.Certificate {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(validFor),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

// testCertPEMBase64 returns the base64 of a PEM certificate, as readMetadata
// returns a Certificate's content.
func testCertPEMBase64(t testing.TB) string {
	c := selfSigned(t, testKey(t, 2048), "stub", 365*24*time.Hour)
	return base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}
