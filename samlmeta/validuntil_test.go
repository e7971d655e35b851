package samlmeta_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/samlmeta"
)

// SetValidUntil replaces, adds or removes the root's validUntil and leaves
// the rest of the document as it was.
func TestSetValidUntil(t *testing.T) {
	const doc = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"  entityID="https://idp.example.com" validUntil="2020-01-01T00:00:00.000Z">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor>
</md:EntityDescriptor>
`
	until := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	m, err := samlmeta.Parse([]byte(doc))
	require.NoError(t, err)
	m.SetValidUntil(until)
	out := string(m.Bytes())
	assert.Contains(t, out, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com" validUntil="2031-05-06T07:08:09.000Z">`)
	assert.Equal(t, doc[strings.Index(doc, "\n  <md:IDPSSO"):], out[strings.Index(out, "\n  <md:IDPSSO"):], "the rest is unchanged")
	again, err := samlmeta.Parse([]byte(out))
	require.NoError(t, err)
	assert.True(t, again.ValidUntil().Equal(until))
	assert.Equal(t, "https://idp.example.com", again.EntityID())

	again.SetValidUntil(time.Time{})
	gone, err := samlmeta.Parse(again.Bytes())
	require.NoError(t, err)
	assert.True(t, gone.ValidUntil().IsZero())
	assert.NotContains(t, string(gone.Bytes()), "validUntil")

	same, err := samlmeta.Parse([]byte(out))
	require.NoError(t, err)
	same.SetValidUntil(until)
	assert.False(t, same.Edited(), "setting the validUntil it has is no edit")
}
