// Package aws is voicecert's relying-party backend: the AWS IAM SAML
// provider (by default SalesforceServiceVoiceIdp) through which the Amazon
// Connect instances of Service Cloud Voice trust a Salesforce org.
//
// A RelyingParty serves one AWS account and implements
// rotation.RelyingParty: Trust reads a provider's metadata document,
// SetTrust replaces it and waits until IAM serves it. Multi dispatches to
// one RelyingParty per account. FindProvider locates a provider by ARN or
// name, CheckRoleTrust and TrustingRoles check (read-only) that a role's
// trust policy lets the provider federate, and TagLocker is a
// rotation.Locker kept in provider tags that accepts every key
// rotation.OrgPlan.LockKeys returns (see TagLocker for how an org key is
// held). Policy is the least-privilege IAM
// policy for all of it.
//
// JudgeSignIn (rotation.SignInJudge, on RelyingParty and Multi) obtains
// AWS's own verdict on a SAML Response: it presents the Response to STS
// AssumeRoleWithSAML with the trust as PrincipalArn and the contact
// center's role as RoleArn. What that means in an account:
//   - No IAM permission is needed and no AWS credentials are sent: the call
//     is unsigned (STSAPI, NewSTSClient). The role's trust policy must allow
//     sts:AssumeRoleWithSAML for Principal.Federated = the provider with a
//     SAML:aud condition the Response's Recipient satisfies — the trust
//     policy Service Cloud Voice sets up for console sign-in already does.
//   - On acceptance STS issues temporary credentials for the role (the
//     shortest session, 15 minutes). JudgeSignIn drops them at once; they
//     are never returned, logged or journaled, and expire on their own.
//   - CloudTrail records each call in the account as an AssumeRoleWithSAML
//     event of sts.amazonaws.com (a SAMLUser identity naming the provider;
//     the role and the session name of the Response; an errorCode when
//     refused) — the record an agent's console sign-in leaves. Alerts on
//     federated sessions will see these verification sessions.
//   - A bearer assertion is for one use: present a fresh Response, not one
//     already posted to the console sign-in (a replay is refused).
//
// Calls go through IAMAPI, a narrow interface that *iam.Client satisfies.
// New builds the client from an aws.Config: the SDK's retryer handles
// throttling and 5xx answers as that config says (cfg.RetryMaxAttempts,
// cfg.RetryMode, cfg.Retryer); the backend retries ConcurrentModification
// itself and classifies every other failure as an *APIError marked
// rotation.Transient or rotation.Permanent.
//
// That is the only retry of a request: the rotation engine does not run a
// step again for an *APIError, only for a NotPropagatedError (it matches
// rotation.ErrNotPropagated, see rotation.ShouldRetryStep). One IAM request
// answered throttling or a 5xx every time is sent at most the retryer's
// MaxAttempts times by one call (3 with the standard retryer); an
// UpdateSAMLProvider, TagSAMLProvider or UntagSAMLProvider is sent again
// after ConcurrentModification up to Options.ConcurrentModificationRetries
// times, each send with the retryer's attempts: at most
// (1 + ConcurrentModificationRetries) × MaxAttempts sends (18 by default).
// SetTrust's wait for propagation polls GetSAMLProvider for at most
// PropagationTimeout, each poll with the retryer's attempts.
//
// Connections: the backend sends its calls through the Config's
// HTTPClient. The SDK's default keeps ten idle connections per host, so a
// fan-out wider than that (verification judges every contact center's
// sign-in at once) opens new connections each time; a Config whose
// HTTPClient keeps as many idle connections as the rotation's concurrency
// avoids it (rotation/sandbox does so).
//
// Guarantees: a provider is only read and updated, never created, deleted
// or recreated (which would change its UUID and break federation); a
// document that fails IAM's rules or changes anything but signing keys
// (entityID, endpoints, NameID formats) is refused before UpdateSAMLProvider
// is called; SetTrust returns only once GetSAMLProvider serves exactly the
// new set of signing certificates, or a *NotPropagatedError.
//
// Known unknowns (each is isolated in facts.go or in the doc comment of
// Policy and TagLocker, so that it can be corrected in one place once
// checked against a real account):
//   - whether IAM and STS accept two signing certificates in one provider
//     (the zero-downtime overlap depends on it; every sign points to yes);
//   - how long IAM takes to serve an update everywhere (no figure is
//     published; PropagationTimeout defaults to 2 minutes) and whether
//     GetSAMLProvider returns the document byte for byte (the backend
//     compares certificate sets, not bytes);
//   - the regional form of the SAML:aud sign-in endpoint, whether condition
//     keys compare case-insensitively, and the providers' names for partner
//     telephony (15- or 18-character org id);
//   - whether the list actions need Resource "*" in the policy;
//   - IAM's exact error messages (the backend matches error codes only).
//
// The package aws/iamtest is a fake IAM endpoint speaking the same wire
// protocol, for tests and demos.
package aws
