package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

// connection holds the flags that say how to reach Salesforce and AWS, and
// how to log.
type connection struct {
	logFormat string
	logLevel  string

	sfTargetOrg   string
	sfInstanceURL string
	sfClientID    string
	sfUsername    string
	sfJWTKeyFile  string
	sfLoginURL    string
	sfAPIVersion  string

	awsProfiles []string

	connectTimeout durationValue
	timeout        durationValue

	// awsAccounts is how each AWS account in use is reached, for the
	// hints of a refused call.
	awsAccounts map[string]awsAccount
}

// awsAccount is the configuration used for one AWS account.
type awsAccount struct {
	cfg     awssdk.Config
	profile string
}

func (c *connection) addFlags(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&c.logFormat, "log-format", "text", "structured log format on stderr: text or json")
	f.StringVar(&c.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	f.StringVar(&c.sfTargetOrg, "sf-target-org", "", "reuse the Salesforce CLI login of this alias or username")
	f.StringVar(&c.sfInstanceURL, "sf-instance-url", "", "the org's My Domain URL (client credentials; env SALESFORCE_INSTANCE_URL)")
	f.StringVar(&c.sfClientID, "sf-client-id", "", "connected app consumer key for the JWT bearer or client credentials flow (env SALESFORCE_CLIENT_ID)")
	f.StringVar(&c.sfUsername, "sf-username", "", "user to act as in the JWT bearer flow (env SALESFORCE_USERNAME)")
	f.StringVar(&c.sfJWTKeyFile, "sf-jwt-key-file", "", "PEM private key of the JWT bearer flow (env SALESFORCE_JWT_KEY_FILE)")
	f.StringVar(&c.sfLoginURL, "sf-login-url", "", "token endpoint host of the JWT bearer flow (default https://login.salesforce.com)")
	f.StringVar(&c.sfAPIVersion, "sf-api-version", "", "Salesforce API version (default 66.0; env SALESFORCE_API_VERSION)")
	c.connectTimeout, c.timeout = durationValue(defaultConnectTimeout), durationValue(defaultTimeout)
	f.Var(&c.connectTimeout, "connect-timeout", "how long to wait for a connection to Salesforce or AWS")
	f.Var(&c.timeout, "timeout", "how long one network call may take (connection, answer and body); a silent endpoint fails after this long, naming its host")
	f.StringSliceVar(&c.awsProfiles, "aws-profile", nil, "ACCOUNT=PROFILE: use this shared-config profile for an AWS account (repeatable); others use the default chain")
}

// validate checks the connection flags that need no network.
func (c *connection) validate() error {
	if c.connectTimeout <= 0 || c.timeout <= 0 {
		return usageErr(errors.New("--connect-timeout and --timeout must be positive"))
	}
	if _, err := c.logger(io.Discard); err != nil {
		return err
	}
	return nil
}

// httpClient is the HTTP client of service, with the timeouts of the flags.
func (c *connection) httpClient(service string) *http.Client {
	return newHTTPClient(service, time.Duration(c.connectTimeout), time.Duration(c.timeout))
}

// logger returns the structured logger the flags ask for, writing to w.
func (c *connection) logger(w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usageErr(fmt.Errorf("--log-level %q: %w", c.logLevel, err))
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErr(fmt.Errorf("--log-format %q: want text or json", c.logFormat))
}

func envOr(v, key string) string {
	if v != "" {
		return v
	}
	return os.Getenv(key)
}

// identityProvider connects to the org with the first credential the flags
// or environment provide: a Salesforce CLI alias, a JWT bearer key, a client
// secret, or a static token.
func (c *connection) identityProvider(log *slog.Logger) (*salesforce.Provider, error) {
	clientOpts := func(o *salesforce.Options) {
		o.Logger = log
		o.HTTPClient = c.httpClient("Salesforce")
		if v := envOr(c.sfAPIVersion, "SALESFORCE_API_VERSION"); v != "" {
			o.APIVersion = v
		}
	}
	var (
		ts          oauth2.TokenSource
		instanceURL = envOr(c.sfInstanceURL, "SALESFORCE_INSTANCE_URL")
		clientID    = envOr(c.sfClientID, "SALESFORCE_CLIENT_ID")
		keyFile     = envOr(c.sfJWTKeyFile, "SALESFORCE_JWT_KEY_FILE")
		secret      = os.Getenv("SALESFORCE_CLIENT_SECRET")
	)
	switch {
	case c.sfTargetOrg != "":
		// The token carries the instance URL.
		instanceURL, ts = "", &salesforce.CLI{TargetOrg: c.sfTargetOrg}
	case clientID != "" && keyFile != "":
		key, err := readRSAKey(keyFile)
		if err != nil {
			return nil, err
		}
		instanceURL, ts = "", &salesforce.JWTBearer{ClientID: clientID, Username: envOr(c.sfUsername, "SALESFORCE_USERNAME"),
			PrivateKey: key, LoginURL: c.sfLoginURL, HTTPClient: c.httpClient("Salesforce login")}
	case clientID != "" && secret != "":
		if instanceURL == "" {
			return nil, usageErr(errors.New("the client credentials flow needs --sf-instance-url (the org's My Domain URL)"))
		}
		ts = &salesforce.ClientCredentials{InstanceURL: instanceURL, ClientID: clientID, ClientSecret: secret, HTTPClient: c.httpClient("Salesforce login")}
	default:
		cl, err := salesforce.NewFromEnv(clientOpts)
		if err != nil && os.Getenv("SALESFORCE_INSTANCE_URL") != "" && os.Getenv("SALESFORCE_ACCESS_TOKEN") != "" {
			return nil, usageErr(fmt.Errorf("SALESFORCE_INSTANCE_URL %q: %w", os.Getenv("SALESFORCE_INSTANCE_URL"), err))
		}
		if err != nil {
			return nil, usageErr(fmt.Errorf("no Salesforce credentials: give --sf-target-org, a JWT bearer key, a client secret (SALESFORCE_CLIENT_SECRET), or SALESFORCE_INSTANCE_URL and SALESFORCE_ACCESS_TOKEN: %w", err))
		}
		return salesforce.NewProvider(cl, func(o *salesforce.ProviderOptions) { o.Logger = log }), nil
	}
	cl, err := salesforce.NewClient(instanceURL, ts, clientOpts)
	if err != nil {
		return nil, usageErr(err)
	}
	return salesforce.NewProvider(cl, func(o *salesforce.ProviderOptions) { o.Logger = log }), nil
}

func readRSAKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: not an RSA private key", path)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA private key", path)
	}
	return rk, nil
}

// relyingParty builds one IAM relying party per AWS account that trusts the
// org's contact centers, each from the standard AWS configuration (the
// account's --aws-profile when given).
func (c *connection) relyingParty(ctx context.Context, idp rotation.IdentityProvider, log *slog.Logger) (aws.Multi, error) {
	profiles := map[string]string{}
	for _, p := range c.awsProfiles {
		acct, prof, ok := strings.Cut(p, "=")
		if !ok || len(acct) != 12 || prof == "" {
			return nil, usageErr(fmt.Errorf("--aws-profile %q: want ACCOUNT=PROFILE with a 12-digit account", p))
		}
		profiles[acct] = prof
	}
	ccs, err := idp.ContactCenters(ctx)
	if err != nil {
		return nil, err
	}
	load := aws.ProfileConfigs(profiles,
		awsconfig.WithHTTPClient(newAWSHTTPClient(time.Duration(c.connectTimeout), time.Duration(c.timeout))),
		awsconfig.WithRetryer(func() awssdk.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(noRetryOfNetworkError)}, o.Retryables...)
			})
		}))
	c.awsAccounts = map[string]awsAccount{}
	m, err := aws.NewMultiFromContactCenters(ctx, ccs, func(ctx context.Context, acct string) (awssdk.Config, error) {
		cfg, err := load(ctx, acct)
		if err != nil {
			return cfg, err
		}
		c.awsAccounts[acct] = awsAccount{cfg: cfg, profile: profiles[acct]}
		cfg.HTTPClient = withTimeout(cfg.HTTPClient, "AWS IAM", time.Duration(c.connectTimeout), time.Duration(c.timeout))
		return cfg, nil
	}, func(o *aws.Options) { o.Logger = log })
	if err != nil {
		return nil, err
	}
	for acct := range profiles {
		if _, ok := m[acct]; !ok {
			return nil, usageErr(fmt.Errorf("--aws-profile %s=%s: no contact center of the org is in AWS account %s (accounts in use: %s)",
				acct, profiles[acct], acct, strings.Join(m.Accounts(), ", ")))
		}
	}
	return m, nil
}

// noRetryOfNetworkError stops the AWS SDK from retrying what cannot succeed
// on retry: a name that does not resolve, a server silent for the whole
// timeout.
func noRetryOfNetworkError(err error) awssdk.Ternary {
	var ne *networkError
	if errors.As(err, &ne) {
		return awssdk.FalseTernary
	}
	return awssdk.UnknownTernary
}
