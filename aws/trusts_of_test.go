package aws_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/rotation"
)

// trustsWorld seeds iamtest with providers in two accounts: in acct two
// providers share idp's entityID (one of them trusting another key), one
// names another entityID and one holds no usable metadata; acct2 has one of
// idp's.
func trustsWorld(t *testing.T) (*iamtest.Server, map[string]string) {
	t.Helper()
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arns := map[string]string{
		"main":    srv.AddProvider(acct, aws.DefaultProviderName, doc(0)),
		"console": srv.AddProvider(acct, "ConsoleAccess", doc(1)),
		"other":   srv.AddProvider(acct, "OtherIdP", testmeta.Metadata("https://other.example.com", testmeta.RSA(0).DER())),
		"broken":  srv.AddProvider(acct, "Broken", []byte("<not-metadata/>")),
		"second":  srv.AddProvider(acct2, aws.DefaultProviderName, doc(0)),
	}
	return srv, arns
}

func TestTrustsOfOneAccount(t *testing.T) {
	srv, arns := trustsWorld(t)
	rp := aws.NewFromClient(client(srv, acct), acct, fast)

	refs, err := rp.TrustsOf(t.Context(), []string{acct}, idp)
	require.NoError(t, err)
	assert.Equal(t, []rotation.TrustRef{
		{Account: acct, ARN: arns["console"]},
		{Account: acct, ARN: arns["main"]},
	}, refs, "both providers with the entityID, sorted; not the other IdP's, the unusable one or another account's")
	assert.Equal(t, 1, srv.CallCount("ListSAMLProviders"))
	assert.Equal(t, 4, srv.CallCount("GetSAMLProvider"), "one read per provider of the account")
	for _, op := range []string{"UpdateSAMLProvider", "TagSAMLProvider", "UntagSAMLProvider"} {
		assert.Zero(t, srv.CallCount(op), op)
	}

	none, err := rp.TrustsOf(t.Context(), nil, "https://nobody.example.com")
	require.NoError(t, err)
	assert.Empty(t, none)

	_, err = rp.TrustsOf(t.Context(), []string{acct2}, idp)
	require.ErrorIs(t, err, rotation.ErrInvalidInput, "another account's providers are not this relying party's")
	_, err = rp.TrustsOf(t.Context(), nil, "")
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestTrustsOfMulti(t *testing.T) {
	srv, arns := trustsWorld(t)
	m, err := aws.NewMulti(aws.NewFromClient(client(srv, acct), acct, fast), aws.NewFromClient(client(srv, acct2), acct2, fast))
	require.NoError(t, err)

	refs, err := m.TrustsOf(t.Context(), []string{acct2, acct, acct}, idp)
	require.NoError(t, err)
	assert.Equal(t, []rotation.TrustRef{
		{Account: acct, ARN: arns["console"]},
		{Account: acct, ARN: arns["main"]},
		{Account: acct2, ARN: arns["second"]},
	}, refs, "by account, then ARN; each account listed once")
	assert.Equal(t, 2, srv.CallCount("ListSAMLProviders"))

	_, err = m.TrustsOf(t.Context(), []string{"999999999999"}, idp)
	require.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestTrustsOfListFails(t *testing.T) {
	srv, _ := trustsWorld(t)
	srv.InjectFault("ListSAMLProviders", iamtest.Fault{Status: 403, Code: "AccessDenied", Message: "not authorized"}, 1)
	rp := aws.NewFromClient(client(srv, acct), acct, fast)
	_, err := rp.TrustsOf(t.Context(), nil, idp)
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "ListSAMLProviders", ae.Op)
}
