// Package samlmeta reads, edits, builds, validates, signs and verifies SAML
// 2.0 identity provider metadata, and issues and verifies SAML Responses, for
// rotating the signing certificate that a Salesforce org (the IdP) shares
// with AWS IAM SAML providers.
//
// # Metadata
//
// Parse keeps the whole document on an etree tree: unknown elements,
// prefixes, comments and attribute order survive, Bytes returns the input
// byte for byte until an edit is made, and an edit (AddSigningCertificate,
// RemoveSigningCertificate, SetSigningCertificates) changes only the
// KeyDescriptors concerned. Parse refuses what makes Go and libxml2 see
// different documents: any DOCTYPE, duplicate attributes, several roots,
// plus input over a size cap. Diff separates key changes from changes a
// relying party would treat as another identity provider (entityID,
// endpoints, NameIDFormats). Build writes Salesforce-shaped metadata.
//
// # IAM rules
//
// ValidateIAM applies AWS IAM's rules for SAMLMetadataDocument; facts.go
// holds each rule with its status, several of which are not documented by
// AWS (what the "keys per provider" quota counts, whether a past validUntil
// or a non-RSA key is refused).
//
// # Signatures
//
// Sign and IssueResponse use goxmldsig with exclusive C14N and rsa-sha256,
// the Signature placed where the schemas require (first child of metadata,
// after Issuer in Responses and Assertions) and an ID reference. Signed
// documents verify with xmlsec1 (see the interop tests). VerifySignature,
// VerifyMetadata and VerifyResponse try each trusted certificate on its own, ignore a
// KeyInfo without a certificate, refuse SHA-1 unless AllowSHA1 is given,
// check certificate validity unless IgnoreValidity is given, and read only
// the element the verifier returns (the canonical bytes that were
// digested), so that wrapped or commented content is never read.
//
// # Known unknowns
//
//   - Whether AWS STS accepts a Response signed by either of two signing
//     certificates listed in one provider's metadata (the rotation overlap)
//     is the industry practice but not stated by AWS.
//   - Whether Salesforce still signs Responses with SHA-1 in some orgs;
//     AllowSHA1 exists for that case.
//   - ECDSA keys are refused: goxmldsig writes ECDSA signatures that other
//     implementations do not accept, and Salesforce certificates are RSA.
package samlmeta
