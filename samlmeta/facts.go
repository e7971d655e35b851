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
