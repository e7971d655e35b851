package sftest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad input to the Setup edits of an app's SAML settings is refused and
// changes nothing.
func TestAppSAMLSettingsRefuseBadInput(t *testing.T) {
	o, _ := shapeOrg(t)
	const app = "Gamma_Connected_App"
	_, cert := spEncryptionKey(t)
	samlConfig := func() string {
		o.mu.Lock()
		defer o.mu.Unlock()
		c := o.st.apps[app].comp.child("samlConfig")
		return c.text("samlSigningAlgoType") + "|" + c.text("encryptionCertificate") + "|" + c.text("encryptionType")
	}
	before := samlConfig()
	for name, err := range map[string]error{
		"algorithm":   o.SetAppSigningAlgorithm(app, "SHA512"),
		"unknown app": o.SetAppSigningAlgorithm("Nope", "SHA1"),
		"certificate": o.SetAppAssertionEncryption(app, "not a PEM", "AES_128"),
		"type":        o.SetAppAssertionEncryption(app, cert, "AES_512"),
	} {
		assert.Error(t, err, name)
	}
	assert.Equal(t, before, samlConfig())

	require.NoError(t, o.SetAppAssertionEncryption(app, cert, "AES_128"))
	assert.NotEqual(t, before, samlConfig())
}
