package iamtest_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
	"github.com/voicecert/voicecert/samlmeta"
)

// Point the real SDK client at the fake, inject a fault, and read the call
// log.
func Example() {
	srv := iamtest.New()
	defer srv.Close()
	arn := srv.AddProvider("123456789012", "SalesforceServiceVoiceIdp",
		testmeta.Metadata("https://example.my.salesforce.com", testmeta.RSA(0).DER()))
	keyID, secret := srv.AddAccount("123456789012")

	client := iam.NewFromConfig(awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}, func(o *iam.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })

	srv.InjectFault("GetSAMLProvider", iamtest.Fault{Code: "Throttling"}, 1)
	ctx := context.Background()
	_, err := client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	fmt.Println(err != nil)
	out, err := client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	fmt.Println(err, len(*out.SAMLMetadataDocument) > 1000)
	for _, c := range srv.Calls() {
		fmt.Println(c.Op, c.Account)
	}
	// Output:
	// true
	// <nil> true
	// GetSAMLProvider 123456789012
	// GetSAMLProvider 123456789012
}

// Ask the fake STS for AWS's verdict on a SAML Response, as the real
// sts client does against AWS (unsigned), and see what it issued.
func ExampleServer_STSURL() {
	srv := iamtest.New()
	defer srv.Close()
	const account = "123456789012"
	key := testmeta.RSA(0)
	provider := srv.AddProvider(account, "SalesforceServiceVoiceIdp",
		testmeta.Metadata("https://example.my.salesforce.com", key.DER()))
	role := srv.AddRole(account, "ContactCenter01-SAMLRole",
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML",`+
			`"Principal":{"Federated":"`+provider+`"},"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}`)

	cert, _ := samlmeta.ParseCertDER(key.DER())
	raw, _ := samlmeta.IssueResponse(samlmeta.ResponseSpec{
		Issuer: "https://example.my.salesforce.com", Destination: "https://signin.aws.amazon.com/saml",
		NameID: "agent@example.com",
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: []string{role + "," + provider}},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent@example.com"}},
		},
	}, key.Private, cert)
	client := sts.NewFromConfig(awssdk.Config{Region: "us-east-1", Credentials: awssdk.AnonymousCredentials{}},
		func(o *sts.Options) { o.BaseEndpoint = awssdk.String(srv.STSURL()) })
	assertion := base64.StdEncoding.EncodeToString(raw)
	in := &sts.AssumeRoleWithSAMLInput{RoleArn: &role, PrincipalArn: &provider, SAMLAssertion: &assertion}
	_, err := client.AssumeRoleWithSAML(context.Background(), in)
	fmt.Println(err, len(srv.Issued()))
	_, err = client.AssumeRoleWithSAML(context.Background(), in) // the same assertion again
	var ae smithy.APIError
	fmt.Println(errors.As(err, &ae), ae.ErrorCode())
	// Output:
	// <nil> 1
	// true InvalidIdentityToken
}
