package samlmeta

// What AWS IAM checks in a SAML metadata document (CreateSAMLProvider,
// UpdateSAMLProvider), gathered in one place because several of these facts
// are not fully documented by AWS. Status of each fact:
//
//   - IAMMinChars, IAMMaxChars: confirmed, the API model's length constraint
//     on SAMLMetadataDocument. AWS does not say whether "length" counts bytes
//     or characters; ValidateIAM counts characters (Unicode code points),
//     the unit of the model's string length, which is the lenient reading
//     for non-ASCII documents.
//   - UTF-8 without BOM, key of at least IAMMinRSABits: confirmed, IAM user
//     guide (SAML troubleshooting).
//   - IAMMaxKeys: the quota "Keys per SAML provider" is confirmed as 10; that
//     it counts KeyDescriptor elements of the metadata is UNCERTAIN (a
//     third-party reading). ValidateIAM counts every KeyDescriptor.
//   - Only RSA keys: UNCERTAIN as an IAM rule; enforced because Salesforce
//     certificates are RSA and the verifiers refuse ECDSA by default
//     (AllowECDSA).
//   - One X509Certificate per KeyInfo (ErrKeyInfo) and no prefixed or
//     unknown KeyDescriptor use (ErrDecoy, ErrKeyUse): UNCERTAIN whether IAM
//     refuses such documents; ValidateIAM does, because readers disagree on
//     which of their keys sign (the review planted such a key in IAM).
//   - validUntil in the past: UNCERTAIN whether IAM refuses it; ValidateIAM
//     refuses it because a relying party honouring validUntil would stop
//     trusting the identity provider.
const (
	IAMMinChars    = 1_000
	IAMMaxChars    = 10_000_000
	IAMMinRSABits  = 1024
	IAMMaxKeys     = 10
	iamNeedsRSA    = true
	iamRefusesPast = true
)

// What AWS requires of a SAML Response for a sign-in (console or STS
// AssumeRoleWithSAML), enforced by RequireAWSSignIn. Sources: AWS IAM User
// Guide, "Configuring SAML assertions for the authentication response"
// (id_roles_providers_create_saml_assertions), and "Troubleshooting SAML
// 2.0 federation with AWS" (troubleshoot_saml), which lists the sign-in
// error for each violation.
//
//   - Exactly one SubjectConfirmation, bearer, whose SubjectConfirmationData
//     has both NotOnOrAfter and Recipient; the Recipient must match the AWS
//     endpoint: https://signin.aws.amazon.com/saml or a regional
//     https://<region-code>.signin.aws.amazon.com/saml (the regional form
//     and the region codes: IAM User Guide, "Configure your SAML 2.0 IdP
//     with relying party trust", and AWS General Reference, "AWS Sign-In
//     endpoints"). The Recipient is what the trust policy's SAML:aud
//     condition key compares.
//   - Audience: AWS "should" be included as an audience,
//     https://signin.aws.amazon.com/saml or urn:amazon:webservices; it is
//     a recommendation, not a requirement, and does not map to SAML:aud.
//   - https://aws.amazon.com/SAML/Attributes/Role: one or more values,
//     each a comma-separated role ARN and SAML provider ARN.
//   - https://aws.amazon.com/SAML/Attributes/RoleSessionName: exactly one
//     value, 2 to 64 characters, alphanumerics, underscore and . , + = @ -,
//     no spaces.
//   - A skew for NotOnOrAfter is not documented by AWS (UNCERTAIN); the
//     verifier applies its clock skew (DefaultClockSkew unless
//     WithClockSkew), as for the Conditions.
const (
	awsRoleSessionNameMin = "2"
	awsRoleSessionNameMax = "64"
)
