package sftest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strconv"
	"sync"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// keyPool holds the keys shared by every Org of the process that uses the
// default key source, per key size, in generation order.
var keyPool = struct {
	mu    sync.Mutex
	sizes map[int]*pooledKeys
}{sizes: map[int]*pooledKeys{}}

type pooledKeys struct {
	mu   sync.Mutex
	keys []*rsa.PrivateKey
}

// pooledKey returns the index-th pooled key of the size, generating keys
// until it exists.
func pooledKey(bits, index int) (*rsa.PrivateKey, error) {
	keyPool.mu.Lock()
	p, ok := keyPool.sizes[bits]
	if !ok {
		p = &pooledKeys{}
		keyPool.sizes[bits] = p
	}
	keyPool.mu.Unlock()

	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.keys) <= index {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		p.keys = append(p.keys, k)
	}
	return p.keys[index], nil
}

// newKey returns a key for a new certificate of the org: one the org has not
// used before. It must be called without the org's lock held.
func (o *Org) newKey(bits int) (*rsa.PrivateKey, error) {
	if o.opts.keyGen != nil {
		return o.opts.keyGen(bits)
	}
	o.mu.Lock()
	i := o.keyIndex[bits]
	o.keyIndex[bits]++
	o.mu.Unlock()
	return pooledKey(bits, i)
}

// newCertificateLocked makes a self-signed certificate the way Salesforce
// does for createMetadata (facts.go).
func (o *Org) newCertificateLocked(name, label string, key *rsa.PrivateKey, exportable bool) (*certificate, error) {
	now := o.now().UTC().Truncate(time.Second)
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	bits := key.N.BitLen()
	tmpl := &x509.Certificate{
		SerialNumber: serial.Add(serial, big.NewInt(1)),
		Subject: pkix.Name{
			Country:            []string{certSubjectCountry},
			Province:           []string{certSubjectProvince},
			Locality:           []string{certSubjectLocality},
			Organization:       []string{certSubjectOrg},
			OrganizationalUnit: []string{o.orgID[:15]},
			CommonName:         certCommonName(now),
		},
		NotBefore:          now,
		NotAfter:           now.AddDate(certLifetime(bits), 0, 0),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	parsed, err := samlmeta.ParseCertDER(der)
	if err != nil {
		return nil, err
	}
	return &certificate{
		name:       name,
		label:      label,
		id:         o.nextID(prefixCertificate),
		keyBits:    bits,
		key:        key,
		cert:       parsed,
		exportable: exportable,
		created:    now,
		modified:   now,
	}, nil
}

// soapTime formats a dateTime the way the Metadata API does.
func soapTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// record renders the certificate as a readMetadata record: its fields in
// WSDL order, content being the base64 of the PEM text.
func (c *certificate) record() *node {
	return parent("records",
		el("fullName", c.name),
		el("content", base64.StdEncoding.EncodeToString(c.cert.PEM())),
		el("caSigned", "false"),
		el("encryptedWithPlatformEncryption", "false"),
		el("expirationDate", soapTime(c.cert.NotAfter)),
		el("keySize", strconv.Itoa(c.keyBits)),
		el("masterLabel", c.label),
		el("privateKeyExportable", strconv.FormatBool(c.exportable)),
	)
}
