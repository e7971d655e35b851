package aws_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

func TestDefaultProviderNames(t *testing.T) {
	assert.Equal(t, []string{"SalesforceServiceVoiceIdp", "SalesforceVoiceIdp"}, aws.DefaultProviderNames(""))
	assert.Equal(t, []string{"SalesforceServiceVoiceIdp", "SalesforceVoiceIdp_00D000000000001", "SalesforceVoiceIdp"},
		aws.DefaultProviderNames("00D000000000001"))
	assert.Equal(t, []string{"SalesforceServiceVoiceIdp", "SalesforceVoiceIdp_00D000000000001EAA", "SalesforceVoiceIdp_00D000000000001", "SalesforceVoiceIdp"},
		aws.DefaultProviderNames("00D000000000001EAA"))
}

func TestFindProvider(t *testing.T) {
	const org18 = "00D5g000004ABCDEAA"
	cases := []struct {
		name      string
		seeded    []string // provider names in acct
		query     string
		want      string // provider name found; "" = not found
		wantCalls []string
	}{
		{name: "default", seeded: []string{"Other", aws.DefaultProviderName}, want: aws.DefaultProviderName, wantCalls: []string{"ListSAMLProviders"}},
		{name: "default first", seeded: []string{"SalesforceVoiceIdp_" + org18, aws.DefaultProviderName}, want: aws.DefaultProviderName, wantCalls: []string{"ListSAMLProviders"}},
		{name: "partner 18", seeded: []string{"SalesforceVoiceIdp_" + org18}, want: "SalesforceVoiceIdp_" + org18, wantCalls: []string{"ListSAMLProviders"}},
		{name: "partner 15", seeded: []string{"SalesforceVoiceIdp_" + org18[:15]}, want: "SalesforceVoiceIdp_" + org18[:15], wantCalls: []string{"ListSAMLProviders"}},
		{name: "partner plain", seeded: []string{"SalesforceVoiceIdp"}, want: "SalesforceVoiceIdp", wantCalls: []string{"ListSAMLProviders"}},
		{name: "by name", seeded: []string{aws.DefaultProviderName, "Custom"}, query: "Custom", want: "Custom", wantCalls: []string{"ListSAMLProviders"}},
		{name: "by ARN", seeded: []string{"Custom"}, query: "arn:aws:iam::" + acct + ":saml-provider/Custom", want: "Custom", wantCalls: []string{"GetSAMLProvider"}},
		{name: "name is not a prefix", seeded: []string{"SalesforceServiceVoiceIdpOld"}, wantCalls: []string{"ListSAMLProviders"}},
		{name: "missing name", seeded: []string{aws.DefaultProviderName}, query: "Custom", wantCalls: []string{"ListSAMLProviders"}},
		{name: "missing ARN", seeded: []string{aws.DefaultProviderName}, query: "arn:aws:iam::" + acct + ":saml-provider/Custom", wantCalls: []string{"GetSAMLProvider"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := iamtest.New()
			t.Cleanup(srv.Close)
			for _, n := range tc.seeded {
				srv.AddProvider(acct, n, doc(0))
			}
			srv.AddProvider(acct2, aws.DefaultProviderName, doc(0)) // another account's provider is never found
			rp := aws.NewFromClient(client(srv, acct), "", fast, func(o *aws.Options) { o.OrgID = org18 })

			ref, err := rp.FindProvider(t.Context(), tc.query)
			if tc.want == "" {
				require.ErrorIs(t, err, rotation.ErrNotFound)
				assert.False(t, rotation.IsTransient(err))
			} else {
				require.NoError(t, err)
				assert.Equal(t, rotation.TrustRef{Account: acct, ARN: "arn:aws:iam::" + acct + ":saml-provider/" + tc.want}, ref)
				assert.Equal(t, "aws:"+acct, rp.Name(), "account learnt from the ARN")
			}
			var ops []string
			for _, c := range srv.Calls() {
				ops = append(ops, c.Op)
			}
			assert.Equal(t, tc.wantCalls, ops, "read-only calls only")
		})
	}
}

func TestFindProviderErrors(t *testing.T) {
	e := newEnv(t)
	e.srv.InjectFault("ListSAMLProviders", iamtest.Fault{Code: "ServiceFailure"}, sdkTry)
	_, err := e.rp.FindProvider(t.Context(), "")
	var ae *aws.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "ListSAMLProviders", ae.Op)
	assert.True(t, rotation.IsTransient(err))

	_, err = e.rp.FindProvider(t.Context(), strings.Replace(e.ref.ARN, acct, acct2, 1))
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "an ARN of another account")

	ref, err := e.rp.FindProvider(t.Context(), "")
	require.NoError(t, err, "the fault was used up")
	assert.Equal(t, e.ref, ref)
}
