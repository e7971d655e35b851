package rotationtest_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestMetadataDocumentRoundTrip(t *testing.T) {
	a, b := certDER(t, "a"), certDER(t, "b")
	doc := rotationtest.MetadataDocument(entityID, a, b)
	id, certs, err := rotationtest.MetadataCertificates(doc)
	require.NoError(t, err)
	assert.Equal(t, entityID, id)
	assert.Equal(t, [][]byte{a, b}, certs, "both signing certificates, in order")
	fps, err := rotationtest.MetadataFingerprints(doc)
	require.NoError(t, err)
	assert.Equal(t, []string{rotationtest.Fingerprint(a), rotationtest.Fingerprint(b)}, fps)
	assert.Contains(t, string(doc), `Location="https://acme.my.salesforce.com/idp/endpoint/HttpPost"`)
}

func TestFingerprint(t *testing.T) {
	// SHA-256 of the empty string, a published value.
	assert.Equal(t, "E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55",
		rotationtest.Fingerprint(nil))
}

func TestMetadataCertificatesRefuses(t *testing.T) {
	good := rotationtest.MetadataDocument(entityID, certDER(t, "a"))
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	weak := func() []byte {
		// A 1024-bit key passes; IAM's minimum is 1024.
		c, err := rotationtest.NewCertificate("weak", "weak", small, testNow)
		require.NoError(t, err)
		return rotationtest.MetadataDocument(entityID, c.DER)
	}()
	_, _, err = rotationtest.MetadataCertificates(weak)
	require.NoError(t, err, "1024 bits is IAM's minimum")

	encKey := bytes.Replace(good, []byte(`use="signing"`), []byte(`use="encryption"`), 1)
	cases := map[string][]byte{
		"short":      good[:999],
		"huge":       append(bytes.Clone(good), bytes.Repeat([]byte(" "), rotationtest.MaxMetadataLen)...),
		"bom":        append([]byte("\xef\xbb\xbf"), good...),
		"not utf8":   append(bytes.Clone(good), 0xff),
		"doctype":    bytes.Replace(good, []byte("<md:Entity"), []byte("<!DOCTYPE x><md:Entity"), 1),
		"no entity":  bytes.Replace(good, []byte(`entityID="`+entityID+`"`), []byte(`x="y"`), 1),
		"no idp":     bytes.ReplaceAll(good, []byte("IDPSSODescriptor"), []byte("SPSSODescriptor")),
		"no signing": encKey,
		"bad base64": bytes.Replace(good, []byte("<ds:X509Certificate>"), []byte("<ds:X509Certificate>!!"), 1),
		"bad cert":   bytes.Replace(good, []byte("<ds:X509Certificate>"), []byte("<ds:X509Certificate>AAAA"), 1),
		"wrong root": []byte(`<x xmlns="urn:other">` + strings.Repeat("y", 1000) + `</x>`),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := rotationtest.MetadataCertificates(doc)
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		})
	}
}

func TestNewCertificate(t *testing.T) {
	key, err := rotationtest.CachedKey(2048)
	require.NoError(t, err)
	again, err := rotationtest.CachedKey(2048)
	require.NoError(t, err)
	assert.Same(t, key, again, "one key per size")
	a, err := rotationtest.NewCertificate("A", "label", key, testNow)
	require.NoError(t, err)
	b, err := rotationtest.NewCertificate("B", "label", key, testNow)
	require.NoError(t, err)
	assert.NotEqual(t, a.SHA256, b.SHA256, "same key, different certificates")
	assert.Equal(t, 2048, a.KeyBits)
	assert.Equal(t, rotationtest.Fingerprint(a.DER), a.SHA256)
	assert.True(t, a.NotBefore.Before(testNow) && a.NotAfter.After(testNow.AddDate(0, 11, 0)))
}
