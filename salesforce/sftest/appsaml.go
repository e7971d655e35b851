package sftest

import (
	"encoding/pem"
	"fmt"
)

// Setup edits of a connected app's SAML settings other than its IdP
// certificate (SetAppCertificate): what an administrator sets in App
// Manager. Each writes the samlConfig element the Metadata API shows
// (ConnectedAppSamlConfig, wsdlfacts.go), so that readMetadata and single
// sign-on see the same value (ssofacts.go).

// SetAppSigningAlgorithm plays the admin who sets the connected app's SAML
// Signing Algorithm: samlConfig.samlSigningAlgoType, "SHA1" or "SHA256"
// (SamlSigningAlgoType of the Metadata WSDL). The app's Responses are then
// signed with it (ssofacts.go).
func (o *Org) SetAppSigningAlgorithm(appName, algorithm string) error {
	if algorithm != "SHA1" && algorithm != "SHA256" {
		return fmt.Errorf("sftest: signing algorithm %q: want SHA1 or SHA256", algorithm)
	}
	return o.setSAMLConfig(appName, "samlSigningAlgoType", algorithm)
}

// SetAppAssertionEncryption plays the admin who sets the connected app's
// Encryption Certificate (certPEM, a PEM X.509 certificate:
// samlConfig.encryptionCertificate) and Encryption Type (AES_128, AES_256
// or Triple_Des: samlConfig.encryptionType). The app's Responses then carry
// an EncryptedAssertion for that certificate's key (ssofacts.go).
func (o *Org) SetAppAssertionEncryption(appName, certPEM, encryptionType string) error {
	if blk, _ := pem.Decode([]byte(certPEM)); blk == nil || blk.Type != "CERTIFICATE" {
		return fmt.Errorf("sftest: the encryption certificate of %s is not a PEM-encoded X.509 certificate", appName)
	}
	if _, ok := encryptionTypes[encryptionType]; !ok {
		return fmt.Errorf("sftest: encryption type %q: want AES_128, AES_256 or Triple_Des", encryptionType)
	}
	if err := o.setSAMLConfig(appName, "encryptionCertificate", certPEM); err != nil {
		return err
	}
	return o.setSAMLConfig(appName, "encryptionType", encryptionType)
}

// setSAMLConfig sets (or, with "", removes) one element of the connected
// app's samlConfig, in WSDL order, and stamps the app modified.
func (o *Org) setSAMLConfig(appName, field, value string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	app, ok := o.st.apps[appName]
	if !ok {
		return fmt.Errorf("sftest: no connected app %q", appName)
	}
	saml := app.comp.child("samlConfig")
	if saml == nil {
		return fmt.Errorf("sftest: connected app %q has no SAML settings", appName)
	}
	var kids []*node
	for _, e := range wsdlTypes["ConnectedAppSamlConfig"].seq {
		switch {
		case e.Name == field && value != "":
			kids = append(kids, el(field, value))
		case e.Name != field:
			kids = append(kids, saml.all(e.Name)...)
		}
	}
	saml.Children, app.modified = kids, o.now()
	return nil
}
