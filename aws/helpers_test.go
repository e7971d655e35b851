package aws_test

import (
	"context"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

const (
	acct   = "123456789012"
	acct2  = "210987654321"
	idp    = "https://example.my.salesforce.com"
	sdkTry = 3 // SDK attempts per call in tests (the standard retryer's default)
)

// doc returns Salesforce-shaped metadata for idp signed by the cached keys
// numbered keys.
func doc(keys ...int) []byte {
	ders := make([][]byte, len(keys))
	for i, k := range keys {
		ders[i] = testmeta.RSA(k).DER()
	}
	return testmeta.Metadata(idp, ders...)
}

// fp returns the SHA-256 fingerprint of cached key k's certificate in
// rotation.Certificate's notation (computed without samlmeta).
func fp(k int) string { return rotationtest.Fingerprint(testmeta.RSA(k).DER()) }

// sdkConfig returns an aws.Config for srv: static credentials of a new key
// of account, the standard retryer with sdkTry attempts and no backoff or
// retry quota, so that tests are fast and count attempts exactly.
func sdkConfig(srv *iamtest.Server, account string) awssdk.Config {
	keyID, secret := srv.AddAccount(account)
	return awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer: func() awssdk.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = sdkTry
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			})
		},
	}
}

// client is the real SDK client for srv, as the brief for tests requires.
func client(srv *iamtest.Server, account string) *iam.Client {
	return iam.NewFromConfig(sdkConfig(srv, account), func(o *iam.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })
}

// fast are options for tests: millisecond polls, a short propagation
// timeout.
func fast(o *aws.Options) {
	o.PollInterval = time.Millisecond
	o.MaxPollInterval = 4 * time.Millisecond
	o.PropagationTimeout = 10 * time.Second
}

type env struct {
	srv *iamtest.Server
	rp  *aws.RelyingParty
	ref rotation.TrustRef
}

// newEnv starts iamtest with one provider (SalesforceServiceVoiceIdp,
// trusting key 0) in acct and a RelyingParty for it.
func newEnv(t *testing.T, optFns ...func(*aws.Options)) *env {
	t.Helper()
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn := srv.AddProvider(acct, aws.DefaultProviderName, doc(0))
	rp := aws.NewFromClient(client(srv, acct), acct, append([]func(*aws.Options){fast}, optFns...)...)
	return &env{srv: srv, rp: rp, ref: rotation.TrustRef{Account: acct, ARN: arn}}
}

// sdkConfigWithEndpoint is sdkConfig with the endpoint in the config
// itself, for aws.New.
func sdkConfigWithEndpoint(srv *iamtest.Server, account string) awssdk.Config {
	cfg := sdkConfig(srv, account)
	cfg.BaseEndpoint = awssdk.String(srv.URL())
	return cfg
}

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}

func staticCreds(keyID, secret string) awssdk.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(keyID, secret, "")
}

func tagInput(arn, key, value string) *iam.TagSAMLProviderInput {
	return &iam.TagSAMLProviderInput{SAMLProviderArn: &arn, Tags: []types.Tag{{Key: &key, Value: &value}}}
}
