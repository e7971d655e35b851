package aws_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// sandbox starts a fake IAM endpoint holding SalesforceServiceVoiceIdp
// (trusting one certificate) and returns an aws.Config for it. Against AWS,
// load the config with config.LoadDefaultConfig instead.
func sandbox() (*iamtest.Server, awssdk.Config) {
	srv := iamtest.New()
	srv.AddProvider("123456789012", aws.DefaultProviderName, doc(0))
	keyID, secret := srv.AddAccount("123456789012")
	return srv, awssdk.Config{
		Region:       "us-east-1",
		BaseEndpoint: awssdk.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	}
}

func ExampleNew() {
	srv, cfg := sandbox()
	defer srv.Close()

	// The SDK retries throttling and 5xx answers: set its attempts here.
	cfg.RetryMaxAttempts = 5
	rp := aws.New(cfg, func(o *aws.Options) {
		o.Account = "123456789012"
		o.PropagationTimeout = 5 * time.Minute
	})
	fmt.Println(rp.Name())
	// Output: aws:123456789012
}

// Add a new signing certificate next to the current one (the overlap a
// zero-downtime rotation starts with); SetTrust returns once IAM serves it.
func ExampleRelyingParty_SetTrust() {
	srv, cfg := sandbox()
	defer srv.Close()
	ctx := context.Background()
	rp := aws.New(cfg, func(o *aws.Options) { o.PollInterval = 10 * time.Millisecond })

	ref, err := rp.FindProvider(ctx, "") // SalesforceServiceVoiceIdp
	if err != nil {
		fmt.Println(err)
		return
	}
	snap, err := rp.Trust(ctx, ref)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := samlmeta.Parse(snap.Document)
	if err != nil {
		fmt.Println(err)
		return
	}
	newCert, err := samlmeta.ParseCertDER(testmeta.RSA(1).DER())
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.AddSigningCertificate(newCert); err != nil {
		fmt.Println(err)
		return
	}
	if err := rp.SetTrust(ctx, ref, m.Bytes()); err != nil {
		fmt.Println(err)
		return
	}
	stored, _ := samlmeta.Parse(srv.Document(ref.ARN))
	certs, _ := stored.SigningCertificates()
	fmt.Println(ref.ARN)
	fmt.Println("signing certificates:", len(certs))
	// Output:
	// arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp
	// signing certificates: 2
}

// A document that changes the entityID is refused before anything is sent.
func ExampleChangeRefusedError() {
	srv, cfg := sandbox()
	defer srv.Close()
	ctx := context.Background()
	rp := aws.New(cfg)

	ref := rotation.TrustRef{ARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"}
	other := testmeta.Metadata("https://other.my.salesforce.com", testmeta.RSA(0).DER())
	err := rp.SetTrust(ctx, ref, other)

	var refused *aws.ChangeRefusedError
	fmt.Println(errors.As(err, &refused), errors.Is(err, rotation.ErrInvalidInput))
	fmt.Println("entityID changed:", refused.Changes.EntityID)
	fmt.Println("UpdateSAMLProvider calls:", srv.CallCount("UpdateSAMLProvider"))
	// Output:
	// true true
	// entityID changed: true
	// UpdateSAMLProvider calls: 0
}

func ExampleRelyingParty_CheckRoleTrust() {
	srv, cfg := sandbox()
	defer srv.Close()
	ctx := context.Background()
	provider := "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
	srv.AddRole("123456789012", "cc1-SAMLRole", `{"Version":"2012-10-17","Statement":{"Effect":"Allow",
		"Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"`+provider+`"}}}`)
	rp := aws.New(cfg)

	err := rp.CheckRoleTrust(ctx, "cc1-SAMLRole", rotation.TrustRef{ARN: provider})
	var tpe *aws.TrustPolicyError
	if errors.As(err, &tpe) {
		fmt.Println("missing:", tpe.Missing)
	}
	// Output: missing: a SAML:aud condition naming the AWS sign-in endpoint
}

func ExampleTagLocker() {
	srv, cfg := sandbox()
	defer srv.Close()
	ctx := context.Background()
	provider := "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
	rp := aws.New(cfg)

	first := aws.NewTagLocker(rp, func(o *aws.TagLockerOptions) { o.Owner = "ops-laptop" })
	lock, err := first.Lock(ctx, provider)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = aws.NewTagLocker(rp).Lock(ctx, provider)
	fmt.Println(errors.Is(err, rotation.ErrLocked))
	fmt.Println(lock.Unlock(ctx))
	// Output:
	// true
	// <nil>
}

func ExampleMulti() {
	srv, cfg := sandbox()
	defer srv.Close()
	m, err := aws.NewMulti(aws.New(cfg, func(o *aws.Options) { o.Account = "123456789012" }))
	if err != nil {
		fmt.Println(err)
		return
	}
	snap, err := m.Trust(context.Background(), rotation.TrustRef{ARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"})
	fmt.Println(m.Accounts(), snap.Ref.Account, err)
	// Output: [123456789012] 123456789012 <nil>
}

func ExamplePolicyActions() {
	for _, a := range aws.PolicyActions() {
		fmt.Println(a)
	}
	// Output:
	// iam:GetRole
	// iam:GetSAMLProvider
	// iam:ListRoles
	// iam:ListSAMLProviderTags
	// iam:ListSAMLProviders
	// iam:TagSAMLProvider
	// iam:UntagSAMLProvider
	// iam:UpdateSAMLProvider
}

// Ask AWS whether it accepts a SAML Response for a contact center's role:
// STS AssumeRoleWithSAML, unsigned, whose credentials are dropped at once.
// A refusal carries STS's error code.
func ExampleRelyingParty_JudgeSignIn() {
	srv, cfg := sandbox()
	defer srv.Close()
	provider := "arn:aws:iam::123456789012:saml-provider/" + aws.DefaultProviderName
	role := srv.AddRole("123456789012", "ContactCenter01-SAMLRole",
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",`+
			`"Principal":{"Federated":"`+provider+`"},"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}`)
	rp := aws.New(cfg) // STS at cfg's endpoint (or AWS_ENDPOINT_URL_STS), anonymous
	ctx := context.Background()
	trust := rotation.TrustRef{ARN: provider}

	for _, k := range []int{0, 1} { // key 0 is trusted, key 1 is not
		key := testmeta.RSA(k)
		cert, _ := samlmeta.ParseCertDER(key.DER())
		raw, _ := samlmeta.IssueResponse(samlmeta.ResponseSpec{
			Issuer: "https://example.my.salesforce.com", Destination: "https://signin.aws.amazon.com/saml",
			NameID: "agent@example.com",
			Attributes: []samlmeta.Attribute{
				{Name: samlmeta.AttrRole, Values: []string{role + "," + provider}},
				{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent@example.com"}},
			},
		}, key.Private, cert)
		err := rp.JudgeSignIn(ctx, trust, role, base64.StdEncoding.EncodeToString(raw))
		var rejected *aws.SignInRejectedError
		switch {
		case err == nil:
			fmt.Println("accepted")
		case errors.As(err, &rejected):
			fmt.Println("rejected:", rejected.Code, errors.Is(err, rotation.ErrSignInRejected))
		default:
			fmt.Println("no verdict:", err)
		}
	}
	// Output:
	// accepted
	// rejected: InvalidIdentityToken true
}

// Build the relying party of every account the discovered contact centers
// use (what IdentityProvider.ContactCenters returns); against AWS, pass
// aws.ProfileConfigs(map[string]string{"123456789012": "prod"}).
func ExampleNewMultiFromContactCenters() {
	srv, cfg := sandbox()
	defer srv.Close()
	ccs := []rotation.ContactCenter{{Name: "Support", Trust: rotation.TrustRef{
		Account: "123456789012", ARN: "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"}}}
	m, err := aws.NewMultiFromContactCenters(context.Background(), ccs,
		func(_ context.Context, account string) (awssdk.Config, error) { return cfg, nil })
	if err != nil {
		fmt.Println(err)
		return
	}
	snap, err := m.Trust(context.Background(), ccs[0].Trust)
	fmt.Println(m.Accounts(), snap.Ref.Account, len(snap.Document) > 0, err)
	// Output: [123456789012] 123456789012 true <nil>
}
