package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLI runs the command and returns stdout, and stderr as an error when
// the exit status is not 0.
func runCLI(t *testing.T, stdin string, args ...string) (string, int, error) {
	t.Helper()
	out, stderr, code := cli(t, stdin, args...)
	if code != 0 {
		return out, code, errors.New(stderr)
	}
	return out, code, nil
}

func TestMetadataInspectJSON(t *testing.T) {
	out, _, err := runCLI(t, "", "metadata", "inspect", "--json", filepath.Join("testdata", "salesforce-idp.xml"))
	require.NoError(t, err)
	var rep struct {
		EntityID    string `json:"entityID"`
		ValidUntil  string `json:"validUntil"`
		Signed      bool   `json:"signed"`
		SSOServices []struct {
			Binding  string `json:"binding"`
			Location string `json:"location"`
		} `json:"ssoServices"`
		SigningCertificates []struct {
			Subject  string `json:"subject"`
			SHA256   string `json:"sha256"`
			NotAfter string `json:"notAfter"`
			KeyBits  int    `json:"keyBits"`
		} `json:"signingCertificates"`
		IAMProblems []string `json:"iamProblems"`
	}
	env := envelopeOf(t, out, "metadata inspect", &rep)
	assert.Zero(t, env.ExitStatus)
	assert.Nil(t, env.Error)
	assert.Equal(t, "https://example.my.salesforce.com", rep.EntityID)
	assert.Equal(t, "2035-03-01T02:53:21.436Z", rep.ValidUntil)
	assert.False(t, rep.Signed)
	require.Len(t, rep.SSOServices, 2)
	assert.Equal(t, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", rep.SSOServices[0].Binding)
	assert.Equal(t, "https://example.my.site.com/idp/endpoint/HttpPost", rep.SSOServices[0].Location)
	assert.Equal(t, "https://example.my.site.com/idp/endpoint/HttpRedirect", rep.SSOServices[1].Location)
	require.Len(t, rep.SigningCertificates, 1)
	c := rep.SigningCertificates[0]
	assert.Equal(t, "CN=SelfSignedCert2025001,OU=00D000000000001,O=Salesforce.com,L=San Francisco,ST=CA,C=USA", c.Subject)
	assert.Equal(t, "2035-02-06T00:00:00Z", c.NotAfter)
	assert.Equal(t, 2048, c.KeyBits)
	assert.Regexp(t, `^([0-9A-F]{2}:){31}[0-9A-F]{2}$`, c.SHA256)
	assert.Empty(t, rep.IAMProblems)
}

func TestMetadataInspectText(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "salesforce-idp.xml"))
	require.NoError(t, err)
	out, _, err := runCLI(t, string(doc), "metadata", "inspect", "-")
	require.NoError(t, err)
	assert.Contains(t, out, "entityID:    https://example.my.salesforce.com\n")
	assert.Contains(t, out, "subject:  CN=SelfSignedCert2025001")
	assert.Contains(t, out, "notAfter: 2035-02-06T00:00:00Z")
	assert.Contains(t, out, "key:      RSA 2048 bits")
	assert.Contains(t, out, "AWS IAM:     acceptable")
}

func TestMetadataInspectErrors(t *testing.T) {
	_, code, err := runCLI(t, "", "metadata", "inspect", filepath.Join("testdata", "missing.xml"))
	assert.ErrorContains(t, err, "no such file")
	assert.Equal(t, exitUsage, code)
	out, code, err := runCLI(t, "<!DOCTYPE x><x/>", "metadata", "inspect", "--json", "-")
	assert.ErrorContains(t, err, "DOCTYPE")
	assert.Equal(t, exitError, code)
	env := envelopeOf(t, out, "metadata inspect", nil)
	assert.Equal(t, exitError, env.ExitStatus)
	assert.Contains(t, env.Error.Message, "DOCTYPE")
	_, code, err = runCLI(t, "", "metadata", "inspect")
	assert.ErrorContains(t, err, "want one FILE")
	assert.Equal(t, exitUsage, code)
	short := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"/>`
	out, _, err = runCLI(t, short, "metadata", "inspect", "-")
	require.NoError(t, err)
	assert.Contains(t, out, "AWS IAM:     samlmeta: document too short")
}
