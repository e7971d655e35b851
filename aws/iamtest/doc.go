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
// Actions: GetSAMLProvider, UpdateSAMLProvider, ListSAMLProviders,
// ListSAMLProviderTags, TagSAMLProvider, UntagSAMLProvider, GetRole and
// ListRoles. Any other action (CreateSAMLProvider and DeleteSAMLProvider
// included) is answered InvalidAction and changes nothing. UpdateSAMLProvider
// enforces IAM's rules on metadata (1,000–10,000,000 characters, UTF-8
// without BOM, parseable SAML 2.0 IdP metadata, RSA keys of at least 1024
// bits, at most 10 signing keys) with InvalidInput. Documents are stored and
// returned byte for byte.
//
// For tests: SetHook sees every call before it is handled and may answer a
// Fault instead; InjectFault fails the next calls of an action; SetLatency
// slows every call; StaleReads makes GetSAMLProvider serve the previous
// document after an update, as an eventually consistent endpoint may; Calls
// is the ordered call log. SignInURL is a fake AWS sign-in endpoint that
// accepts a SAML Response only if it verifies against a provider's stored
// metadata.
//
// Known unknowns: facts.go lists, with their status, the facts the fake
// reproduces but that could not be confirmed against a real account (the
// codes and statuses of authentication errors, IAM's message texts, how
// ValidUntil is derived, whether non-RSA keys are accepted, whether sign-in
// checks certificate validity). The sign-in endpoint does not check the
// audience, the recipient or the role's trust policy.
package iamtest
