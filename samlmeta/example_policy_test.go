package samlmeta_test

import (
	"errors"
	"fmt"

	"github.com/voicecert/voicecert/samlmeta"
)

// RequireAWSSignIn applies AWS's rules for a sign-in through one SAML
// provider; WithSigningAlgorithm accepts SHA-1 for an app configured
// SHA1 only.
func ExampleRequireAWSSignIn() {
	const provider = "arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"
	const role = "arn:aws:iam::123456789012:role/cc-SAMLRole"
	key, cert := newSigningCert("SelfSignedCert2026001")
	spec := samlmeta.ResponseSpec{
		Issuer:           "https://example.my.salesforce.com",
		Destination:      samlmeta.AWSSignInURL,
		Audience:         "cc", // the app's Entity ID: AWS's audience is a "should"
		NameID:           "agent@example.com",
		SignResponse:     true,
		SignAssertion:    true,
		SigningAlgorithm: samlmeta.SigningSHA1,
		Attributes: []samlmeta.Attribute{
			{Name: samlmeta.AttrRole, Values: []string{role + "," + provider}},
			{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent@example.com"}},
		},
	}
	resp, err := samlmeta.IssueResponse(spec, key, cert)
	if err != nil {
		panic(err)
	}
	a, err := samlmeta.VerifyResponse(resp, []*samlmeta.Cert{cert},
		samlmeta.RequireAWSSignIn(provider, role), samlmeta.WithSigningAlgorithm(samlmeta.SigningSHA1))
	if err != nil {
		panic(err)
	}
	fmt.Println(a.RoleSessionName, a.HasAWSAudience())

	_, err = samlmeta.VerifyResponse(resp, []*samlmeta.Cert{cert},
		samlmeta.RequireAWSSignIn(provider, role), samlmeta.WithSigningAlgorithm(samlmeta.SigningSHA256))
	fmt.Println(errors.Is(err, samlmeta.ErrSHA1))

	_, err = samlmeta.VerifyResponse(resp, []*samlmeta.Cert{cert},
		samlmeta.RequireAWSSignIn("arn:aws:iam::999999999999:saml-provider/Other", ""), samlmeta.WithSigningAlgorithm(samlmeta.SigningSHA1))
	fmt.Println(errors.Is(err, samlmeta.ErrRole))
	// Output:
	// agent@example.com false
	// true
	// true
}
