package iamtest

import (
	"crypto/x509"
	"sync"
)

// trustCache keeps, per stored metadata document (by its exact bytes), the
// entityID and signing certificates the sign-in validator reads from it, so
// that a document is parsed once however many Responses are judged against
// it. A document's trust depends on its bytes alone, so a cached entry is
// exactly what parsing it again would give.
type trustCache struct {
	mu      sync.Mutex
	entries map[string]trustEntry
}

type trustEntry struct {
	entityID string
	certs    []*x509.Certificate
}

// maxTrustEntries bounds the cache; past it the cache starts again empty.
// A server holds a few documents per provider at any time (its current one
// and those a rotation sets), far fewer than this.
const maxTrustEntries = 1024

// of returns the entityID and signing certificates of doc (see
// providerTrust). The certificates are shared and must not be modified.
func (c *trustCache) of(doc []byte) (string, []*x509.Certificate) {
	c.mu.Lock()
	e, ok := c.entries[string(doc)]
	c.mu.Unlock()
	if ok {
		return e.entityID, e.certs
	}
	e.entityID, e.certs = providerTrust(doc)
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= maxTrustEntries {
		c.entries = map[string]trustEntry{}
	}
	c.entries[string(doc)] = e
	c.mu.Unlock()
	return e.entityID, e.certs
}
