package iamtest_test

import (
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
)

func signedSTSClient(srv *iamtest.Server, keyID, secret string) *sts.Client {
	cfg := awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
	return sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })
}

func TestGetCallerIdentity(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	k1, s1 := srv.AddAccount(acct)
	k2, s2 := srv.AddAccount(other)

	out, err := signedSTSClient(srv, k1, s1).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, acct, awssdk.ToString(out.Account))
	assert.Equal(t, "arn:aws:iam::"+acct+":user/iamtest", awssdk.ToString(out.Arn))
	assert.Regexp(t, `^AIDA[0-9A-F]{17}$`, awssdk.ToString(out.UserId))

	out, err = signedSTSClient(srv, k2, s2).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, other, awssdk.ToString(out.Account))
	assert.Equal(t, 2, srv.CallCount("GetCallerIdentity"))

	_, err = signedSTSClient(srv, k1, s2).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	code, status := apiError(t, err)
	assert.Equal(t, "SignatureDoesNotMatch", code)
	assert.Equal(t, 403, status)

	_, err = signedSTSClient(srv, "AKIAUNKNOWN", s1).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	code, _ = apiError(t, err)
	assert.Equal(t, "InvalidClientTokenId", code)

	// IAM calls are still signed for iam.
	_, err = newClient(srv, k1, s1).ListSAMLProviders(t.Context(), nil)
	require.NoError(t, err)
}
