package salesforce_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

// The voicecert command builds its provider from an instance URL and no
// OrgID option; a program using the SDK often sets OrgID (18 characters)
// and may reach the org by another host name. All of them must derive one
// lock key, from the org's own id: the old key of the first was the
// instance host, of the second the OrgID option as given.
func TestOrgIdentityIsTheOrgNotTheURL(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	localhost := strings.Replace(sb.org.URL(), "127.0.0.1", "localhost", 1)
	other, err := salesforce.NewClient(localhost, salesforce.StaticToken(localhost, sb.org.AccessToken()), fastRetry)
	require.NoError(t, err)

	providers := map[string]*salesforce.Provider{
		"no OrgID option (the command)": sb.provider,
		"18-character OrgID option":     salesforce.NewProvider(sb.client, func(o *salesforce.ProviderOptions) { o.OrgID = sb.org.OrgID() }),
		"15-character OrgID option":     salesforce.NewProvider(sb.client, func(o *salesforce.ProviderOptions) { o.OrgID = sb.org.OrgID()[:15] }),
		"another host name":             salesforce.NewProvider(other),
	}
	want := rotation.IdPLockPrefix + "salesforce:" + sb.org.OrgID()[:15]
	for name, p := range providers {
		got, err := rotation.IdPLockKey(ctx, p)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}
	assert.NotEqual(t, sb.provider.Name(), providers["another host name"].Name(), "names still differ by URL; lock keys must not")
}

func TestOrgIdentityRefusesAnotherOrgsID(t *testing.T) {
	sb := newSandbox(t)
	for _, id := range []string{"00D000000000002", "00D000000000002AAA", "00D", sb.org.OrgID()[:15] + "X"} {
		p := salesforce.NewProvider(sb.client, func(o *salesforce.ProviderOptions) { o.OrgID = id })
		_, err := p.OrgIdentity(ctxT(t))
		assert.ErrorIs(t, err, rotation.ErrInvalidInput, id)
	}
}

func TestOrgIdentityNeedsASessionID(t *testing.T) {
	const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	c, err := salesforce.NewClient("https://example.my.salesforce.com", salesforce.StaticToken("https://example.my.salesforce.com", jwt), fastRetry)
	require.NoError(t, err)
	_, err = salesforce.NewProvider(c).OrgIdentity(ctxT(t))
	assert.ErrorContains(t, err, "does not carry an org id")
}
