package sftest

import (
	"crypto/rsa"
	"strconv"
	"strings"
	"time"
)

// Certificate components: creation and update rules.

func keySizeOf(c *node) int {
	if c.child("keySize") == nil {
		return defaultKeySize
	}
	n, err := strconv.Atoi(c.text("keySize"))
	if err != nil {
		return 0
	}
	return n
}

// validUniqueName reports whether name is a valid developer name: letters,
// digits and single underscores, starting with a letter, not ending with an
// underscore.
func validUniqueName(name string) bool {
	if name == "" || len(name) > maxUniqueName || strings.Contains(name, "__") || strings.HasSuffix(name, "_") {
		return false
	}
	for i, r := range name {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if i == 0 && !letter || !letter && r != '_' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func (o *Org) createCertificateLocked(st *state, c *node, key *rsa.PrivateKey) []saveError {
	name, label := c.text("fullName"), c.text("masterLabel")
	switch {
	case !validUniqueName(name):
		return errorf(codeFieldIntegrity, []string{"fullName"}, "The Unique Name field can only contain underscores and "+
			"alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an "+
			"underscore, and not contain two consecutive underscores.")
	case len(label) > maxMasterLabel:
		return errorf(codeFieldIntegrity, []string{"masterLabel"}, "masterLabel is longer than %d characters", maxMasterLabel)
	case parseBool(c.text("caSigned")):
		return errorf(codeFieldIntegrity, []string{"caSigned"}, "This org creates self-signed certificates only")
	case c.child("content") != nil:
		return errorf(codeFieldIntegrity, []string{"content"}, "content cannot be set when creating a self-signed certificate")
	case key == nil:
		return errorf(codeFieldIntegrity, []string{"keySize"}, "Key size must be 2048 or 4096, got %s", c.text("keySize"))
	}
	if dup, ok := st.certs[name]; ok {
		return errorf(codeDuplicateValue, []string{"fullName"},
			"duplicate value found: DeveloperName duplicates value on record with id: %s", dup.id)
	}
	exportable := c.child("privateKeyExportable") == nil || parseBool(c.text("privateKeyExportable"))
	cert, err := o.newCertificateLocked(name, label, key, exportable)
	if err != nil {
		return errorf(codeFieldIntegrity, nil, "certificate creation failed")
	}
	st.certs[name] = cert
	return nil
}

func updateCertificate(st *state, c *node, now time.Time) []saveError {
	name := c.text("fullName")
	cert, ok := st.certs[name]
	switch {
	case !ok:
		return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", "Certificate", name))
	case c.child("keySize") != nil && keySizeOf(c) != cert.keyBits:
		return errorf(codeFieldIntegrity, []string{"keySize"}, "The key size of a certificate cannot be changed")
	case parseBool(c.text("caSigned")):
		return errorf(codeFieldIntegrity, []string{"caSigned"}, "This org keeps certificates self-signed")
	case len(c.text("masterLabel")) > maxMasterLabel:
		return errorf(codeFieldIntegrity, []string{"masterLabel"}, "masterLabel is longer than %d characters", maxMasterLabel)
	}
	cert.label, cert.modified = c.text("masterLabel"), now
	if c.child("privateKeyExportable") != nil {
		cert.exportable = parseBool(c.text("privateKeyExportable"))
	}
	return nil
}
