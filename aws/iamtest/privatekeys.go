package iamtest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// privateKey is an assertion decryption key of a SAML provider.
type privateKey struct {
	id    string
	key   *rsa.PrivateKey
	added time.Time
}

type privateKeyXML struct {
	KeyId     string
	Timestamp string
}

// parsePrivateKey reads AddPrivateKey: PEM of an RSA private key (PKCS #1
// or PKCS #8), 1–16,384 characters. [C model; C troubleshoot "Invalid
// private key."] [U] the minimum size: the fake takes minKeyBits, as for
// signing keys.
func parsePrivateKey(v string) (*rsa.PrivateKey, *Fault) {
	invalid := &Fault{Code: "InvalidInput", Message: msgInvalidPrivateKey}
	if len(v) < 1 || len(v) > maxPrivateKeyLen {
		return nil, invalid
	}
	b, _ := pem.Decode([]byte(v))
	if b == nil {
		return nil, invalid
	}
	var k *rsa.PrivateKey
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, _ = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "PRIVATE KEY":
		if any, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
			k, _ = any.(*rsa.PrivateKey)
		}
	}
	if k == nil || k.N.BitLen() < minKeyBits || k.Validate() != nil {
		return nil, invalid
	}
	return k, nil
}

// encryptionChange is what a Create or UpdateSAMLProvider asks of the
// mode and keys, validated against the provider's current state before
// anything changes.
type encryptionChange struct {
	mode   string
	add    *rsa.PrivateKey
	remove string
}

// readEncryptionChange validates AssertionEncryptionMode, AddPrivateKey and
// RemovePrivateKey against keys (the provider's current keys) and mode
// (its current mode). [C troubleshoot] add and remove together, a third
// key, an unknown key id, Required without a key are refused. [U] removing
// the last key while Required is refused ("Failed to remove private key.").
func readEncryptionChange(form url.Values, mode string, keys []privateKey) (encryptionChange, *Fault) {
	invalid := func(msg string) *Fault { return &Fault{Code: "InvalidInput", Message: msg} }
	ch := encryptionChange{mode: form.Get("AssertionEncryptionMode"), remove: form.Get("RemovePrivateKey")}
	if ch.mode != "" && ch.mode != encryptionRequired && ch.mode != encryptionAllowed {
		return ch, invalid("1 validation error detected: Value '" + ch.mode + "' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]")
	}
	add := form.Get("AddPrivateKey")
	if add != "" && ch.remove != "" {
		return ch, invalid(msgAddAndRemove)
	}
	n := len(keys)
	if add != "" {
		k, f := parsePrivateKey(add)
		if f != nil {
			return ch, f
		}
		if n >= maxPrivateKeys {
			return ch, &Fault{Code: "LimitExceeded", Message: msgKeyLimit}
		}
		ch.add, n = k, n+1
	}
	if ch.remove != "" {
		if !slices.ContainsFunc(keys, func(k privateKey) bool { return k.id == ch.remove }) {
			return ch, invalid(msgRemoveKeyNoMatch)
		}
		n--
	}
	next := mode
	if ch.mode != "" {
		next = ch.mode
	}
	if next == encryptionRequired && n == 0 {
		if ch.remove != "" {
			return ch, invalid(msgRemoveKeyFailed)
		}
		return ch, invalid(msgRequiredNoKey)
	}
	return ch, nil
}

func (ch encryptionChange) empty() bool { return ch.mode == "" && ch.add == nil && ch.remove == "" }

// apply makes the validated change on p. The caller holds s.mu.
func (ch encryptionChange) apply(p *provider, now time.Time) {
	if ch.mode != "" {
		p.encryption = ch.mode
	}
	if ch.add != nil {
		p.keys = append(p.keys, privateKey{id: randUUID(), key: ch.add, added: now.UTC().Truncate(time.Second)})
	}
	if ch.remove != "" {
		p.keys = slices.DeleteFunc(slices.Clone(p.keys), func(k privateKey) bool { return k.id == ch.remove })
	}
}

func (p *provider) privateKeyList() []privateKeyXML {
	var out []privateKeyXML
	for _, k := range p.keys {
		out = append(out, privateKeyXML{KeyId: k.id, Timestamp: isoTime(k.added)})
	}
	return out
}

// SetAssertionEncryption seeds the provider arn's assertion encryption:
// its mode ("Required" or "Allowed") and decryption keys (replacing any),
// as UpdateSAMLProvider would leave them, and returns the keys' KeyIds. It
// panics on a seeding mistake (unknown provider, bad mode, more than two
// keys, Required without a key).
func (s *Server) SetAssertionEncryption(arn, mode string, keys ...*rsa.PrivateKey) (keyIDs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.providers[arn]
	if !ok || (mode != encryptionRequired && mode != encryptionAllowed) || len(keys) > maxPrivateKeys ||
		(mode == encryptionRequired && len(keys) == 0) {
		panic(fmt.Sprintf("iamtest: SetAssertionEncryption(%q, %q, %d keys)", arn, mode, len(keys)))
	}
	p.encryption, p.keys = mode, nil
	for _, k := range keys {
		pk := privateKey{id: randUUID(), key: k, added: s.now().UTC().Truncate(time.Second)}
		p.keys = append(p.keys, pk)
		keyIDs = append(keyIDs, pk.id)
	}
	return keyIDs
}
