package aws_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

func TestNewMultiFromContactCenters(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn1 := srv.AddProvider(acct, aws.DefaultProviderName, doc(0))
	arn2 := srv.AddProvider(acct2, aws.DefaultProviderName, doc(1))
	ccs := []rotation.ContactCenter{
		{Name: "A", Trust: rotation.TrustRef{Account: acct, ARN: arn1}},
		{Name: "B", Trust: rotation.TrustRef{Account: acct, ARN: arn1}},
		{Name: "C", Trust: rotation.TrustRef{ARN: arn2}}, // the account from the ARN
		{Name: "NoRole"},
	}
	var asked []string
	cfgFor := func(_ context.Context, account string) (awssdk.Config, error) {
		asked = append(asked, account)
		cfg := sdkConfig(srv, account)
		cfg.Region = "" // the default region is filled in
		cfg.BaseEndpoint = awssdk.String(srv.URL())
		return cfg, nil
	}
	m, err := aws.NewMultiFromContactCenters(t.Context(), ccs, cfgFor, fast)
	require.NoError(t, err)
	assert.Equal(t, []string{acct, acct2}, asked, "each account once, in the contact centers' order")
	assert.Equal(t, []string{acct, acct2}, m.Accounts())

	// Each account's calls go out with its own credentials, through the
	// SDK, to the fake (which refuses another account's ARN).
	for arn, want := range map[string][]byte{arn1: doc(0), arn2: doc(1)} {
		snap, err := m.Trust(t.Context(), rotation.TrustRef{ARN: arn})
		require.NoError(t, err, arn)
		assert.Equal(t, want, snap.Document)
	}
	require.NoError(t, m.SetTrust(t.Context(), rotation.TrustRef{ARN: arn2}, doc(1, 2)))
	assert.Equal(t, string(doc(1, 2)), srv.Snapshot()[arn2])
	for _, c := range srv.Calls() {
		assert.Equal(t, c.Account, c.Target[len("arn:aws:iam::"):len("arn:aws:iam::")+12])
	}

	t.Run("errors", func(t *testing.T) {
		_, err := aws.NewMultiFromContactCenters(t.Context(), ccs[3:], cfgFor)
		assert.ErrorIs(t, err, aws.ErrNoAccount)
		_, err = aws.NewMultiFromContactCenters(t.Context(), []rotation.ContactCenter{{Name: "X", Trust: rotation.TrustRef{ARN: "nonsense"}}}, cfgFor)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		assert.ErrorContains(t, err, "contact center X")
		boom := errors.New("no credentials")
		_, err = aws.NewMultiFromContactCenters(t.Context(), ccs, func(context.Context, string) (awssdk.Config, error) { return awssdk.Config{}, boom })
		assert.ErrorIs(t, err, boom)
		assert.ErrorContains(t, err, "account "+acct)
		_, err = aws.NewMultiFromContactCenters(t.Context(), ccs, nil)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput)
	})
}

// ProfileConfigs reads each account's profile of the shared config files.
func TestProfileConfigs(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn1 := srv.AddProvider(acct, aws.DefaultProviderName, doc(0))
	arn2 := srv.AddProvider(acct2, aws.DefaultProviderName, doc(1))
	dir := t.TempDir()
	var cfg, creds string
	for _, a := range []string{acct, acct2} {
		id, secret := srv.AddAccount(a)
		cfg += "[profile p" + a + "]\nregion = eu-west-1\nendpoint_url = " + srv.URL() + "\n"
		creds += "[p" + a + "]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "credentials"), []byte(creds), 0o600))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM"} {
		t.Setenv(k, "")
	}
	cfgFor := aws.ProfileConfigs(map[string]string{acct: "p" + acct, acct2: "p" + acct2},
		awsconfig.WithSharedConfigFiles([]string{filepath.Join(dir, "config")}),
		awsconfig.WithSharedCredentialsFiles([]string{filepath.Join(dir, "credentials")}))
	m, err := aws.NewMultiFromContactCenters(t.Context(), []rotation.ContactCenter{
		{Name: "A", Trust: rotation.TrustRef{Account: acct, ARN: arn1}},
		{Name: "B", Trust: rotation.TrustRef{Account: acct2, ARN: arn2}},
	}, cfgFor, fast)
	require.NoError(t, err)
	for arn, want := range map[string][]byte{arn1: doc(0), arn2: doc(1)} {
		snap, err := m.Trust(t.Context(), rotation.TrustRef{ARN: arn})
		require.NoError(t, err, arn)
		assert.Equal(t, want, snap.Document)
	}
	got, err := cfgFor(t.Context(), acct)
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", got.Region, "the profile's region")
}
