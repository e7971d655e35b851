// Package iamtest is a fake AWS IAM endpoint for tests and demos: an
// httptest server over loopback that speaks IAM's awsquery protocol as the
// real service does, so that the real aws-sdk-go-v2 client (and the aws
// backend built on it) can be tested without an AWS account.
//
// Wire format: form-encoded POST with Action and Version=2010-05-08; XML
// answers <OpResponse><OpResult>…</OpResult><ResponseMetadata><RequestId>…
// with the x-amzn-RequestId header; errors as <ErrorResponse> with the HTTP
// status IAM uses for each code. Every request must carry a valid SigV4
// Authorization header, checked independently of the SDK against the secret
// of an access key from AddAccount; the key decides the account.
//
// IAM actions: CreateSAMLProvider, GetSAMLProvider, UpdateSAMLProvider,
// ListSAMLProviders, ListSAMLProviderTags, TagSAMLProvider,
// UntagSAMLProvider, GetRole and ListRoles. Any other action
// (DeleteSAMLProvider included) is answered InvalidAction and changes
// nothing. Create and UpdateSAMLProvider enforce IAM's rules on metadata
// (1,000–10,000,000 characters, UTF-8 without BOM, parseable SAML 2.0 IdP
// metadata, RSA keys of at least 1024 bits, at most 10 signing keys) with
// InvalidInput, and the assertion encryption rules (AssertionEncryptionMode
// Required or Allowed; AddPrivateKey a PEM RSA private key, at most two;
// RemovePrivateKey by KeyId; Required needs a key); an update changes only
// what it names, so a document-only update keeps the mode and the keys.
// GetSAMLProvider returns AssertionEncryptionMode, PrivateKeyList (KeyId and
// Timestamp) and SAMLProviderUUID. Tags follow IAM's rules (lengths,
// characters, no aws: prefix) and come back sorted by key. Documents are
// stored and returned byte for byte. A request signed with temporary
// credentials must carry their session token (X-Amz-Security-Token).
//
// STS: a request with Version=2011-06-15 is STS, on the same listener
// (STSURL, for AWS_ENDPOINT_URL_STS). AssumeRoleWithSAML is unsigned, as in
// AWS's model, and applies AWS's documented rules with AWS's error codes:
// the signature against any signing key of the provider's stored metadata
// (checked with goxmldsig, independently of the project's verifier),
// Issuer = entityID, exactly one bearer SubjectConfirmation with
// NotOnOrAfter in the future and a Recipient, RoleSessionName (one value,
// 2–64 of [a-zA-Z_0-9+=,.@-]), the Role attribute pairing RoleArn with
// PrincipalArn, the role's trust policy (Federated = the provider, SAML:aud
// = the Recipient), assertion encryption (Required accepts only an
// EncryptedAssertion decryptable with a provider key), no replay of an
// assertion id, SAMLAssertion 4–100,000 characters, DurationSeconds
// 900–43,200 and at most the role's maximum. It answers temporary
// credentials (random each time; Issued lists them) that the fake then
// accepts on IAM requests. facts.go cites the source of each rule.
//
// For tests: SetHook sees every call before it is handled and may answer a
// Fault instead; InjectFault fails the next calls of an action; SetLatency
// slows every call; StaleReads makes GetSAMLProvider serve the previous
// document after an update, as an eventually consistent endpoint may; Calls
// is the ordered call log. SignInURL is a fake AWS sign-in endpoint judged
// by the same validator as AssumeRoleWithSAML (one implementation), which
// also requires the Recipient to name the sign-in endpoint (the fake's own
// URL stands for https://signin.aws.amazon.com/saml).
//
// Known unknowns: facts.go lists, with their status, the facts the fake
// reproduces but that could not be confirmed against a real account (the
// codes and statuses of authentication errors, IAM's message texts, how
// ValidUntil is derived, whether non-RSA keys are accepted, whether sign-in
// checks certificate validity, which codes STS gives the rules AWS
// documents without one). Neither STS nor the sign-in endpoint checks the
// Audience, which AWS says "should" name AWS.
package iamtest
