package iamtest_test

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
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
