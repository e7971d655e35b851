// Package samlmeta reads, edits, builds, validates, signs and verifies SAML
// 2.0 identity provider metadata, and issues and verifies SAML Responses, for
// rotating the signing certificate that a Salesforce org (the IdP) shares
// with AWS IAM SAML providers.
//
// # One pass, exact names
//
// Parse (and every verifier) reads a document in a single tokenising pass
// that checks well-formedness and namespace well-formedness and builds a
// tree with every namespace resolved once; time is linear in the input.
// Every read compares (namespace, local name) exactly: SAML and XML-DSig
// attributes are unqualified, so x:entityID is not entityID. The pass
// refuses what makes two readers see different documents, each with its own
// sentinel error: any DOCTYPE or markup declaration, entity references
// other than the five predefined ones, duplicate attributes (by qualified
// and by expanded name), several roots, non-ASCII names, a byte order mark,
// more than DefaultMaxNamespaceDecls namespace declarations in scope, and
// decoys (ErrDecoy): on an element of the SAML or XML-DSig namespaces, a
// prefixed attribute with the local name of a SAML or XML-DSig attribute,
// and anywhere a declaration xmlns:NAME where NAME is such an attribute.
//
// # Metadata
//
// A parsed Metadata keeps the whole document: Bytes returns the input byte
// for byte until an edit is made, and an edit (AddSigningCertificate,
// RemoveSigningCertificate, SetSigningCertificates) changes only the
// KeyDescriptors concerned. Every KeyDescriptor is classified: no use or
// use="signing" is signing-capable, use="encryption" is not, any other
// value is refused (ErrKeyUse). SetSigningCertificates leaves no
// signing-capable key but the certificates given. Diff is an inverse guard:
// with the signing keys removed, the two documents must be equal as
// namespace-aware trees, and every other difference is reported with its
// path; entityID, endpoints and keys also have their own fields. Build
// writes Salesforce-shaped metadata. A parsed value flows through
// ValidateIAM, Diff, the edits and VerifySignature without parsing again.
//
// # IAM rules
//
// ValidateIAM applies AWS IAM's rules for SAMLMetadataDocument; facts.go
// holds each rule with its status, several of which are not documented by
// AWS (what the "keys per provider" quota counts, whether a past validUntil
// or a non-RSA key is refused). For IAM, every KeyDescriptor must hold one
// KeyInfo with one X509Data with one X509Certificate (ErrKeyInfo).
//
// # Signatures
//
// The verifiers work on the parsed tree: the reference is canonicalised
// (exclusive C14N, with or without an InclusiveNamespaces list, or
// inclusive C14N 1.0/1.1) straight from the tree, with the enveloped
// signature left out, and SignedInfo likewise; nothing is serialised and
// parsed again. The algorithms checked against the policy are read from the
// same SignedInfo node that is canonicalised and hashed. Policies, each
// with its option: SHA-1 is refused (AllowSHA1), ECDSA is refused
// (AllowECDSA), RSA keys below MinRSABits, 2048, are refused
// (WithMinRSABits), certificate validity is checked (IgnoreValidity); a
// signature must have exactly one Reference, to its parent (URI "#ID", or
// "" for the root), with the enveloped-signature transform. Each trusted
// certificate is tried on its own; a KeyInfo certificate that is not
// trusted fails with ErrUntrustedCert.
//
// Verification returns what it verified as a parsed value: VerifyMetadata
// returns the Metadata (one parse), VerifyResponse the Assertion read from
// the verified elements. Calling VerifySignature and then Parse on the same
// bytes is safe too (the same pass refuses decoys, and reads skip comments
// and never look at what canonicalisation leaves out), but parses twice.
//
// Sign and IssueResponse build on etree and canonicalise what they sign
// with this package's exclusive C14N, on a detached copy that carries the
// namespaces in scope, so that what is signed is exactly what the
// verifiers recompute. That costs one serialisation and one parse per
// signed element, on the signing side only. IssueResponse writes
// Salesforce's shape (both signatures, its InclusiveNamespaces prefix
// lists, base64 wrapped at 76 columns, the app's SigningAlgorithm).
// Signed documents verify with xmlsec1 (see the interop tests).
//
// # Responses as AWS judges them
//
// VerifyResponse checks signatures, Status, the Conditions' time window
// and, with WithAudience, that every AudienceRestriction names the
// audience; a second Subject or Conditions is refused (ErrDuplicateElement).
// RequireAWSSignIn adds what AWS requires for a sign-in through one IAM
// SAML provider: one bearer SubjectConfirmation whose Recipient is an AWS
// sign-in endpoint and whose NotOnOrAfter is ahead, a valid
// RoleSessionName, a Role pair naming the provider. Each refusal has its
// sentinel, all matching ErrInvalidResponse. WithSigningAlgorithm applies
// an app's configured algorithm (SHA1 accepted for that app only);
// AllowEncryptedAssertion accepts an EncryptedAssertion on the Response's
// signature alone and says so in Assertion.Encrypted.
//
// # Known unknowns
//
//   - Whether AWS STS accepts a Response signed by either of two signing
//     certificates listed in one provider's metadata (the rotation overlap)
//     is the industry practice but not stated by AWS.
//   - Whether Salesforce still signs Responses with SHA-1 in some orgs;
//     AllowSHA1 exists for that case.
//   - Whether IAM accepts metadata whose KeyInfo holds more than a
//     certificate, or a prefixed use; ValidateIAM refuses both.
package samlmeta
