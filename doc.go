// Package voicecert rotates the SAML identity-provider signing certificate
// shared by a Salesforce org and the Amazon Connect contact centers of its
// Service Cloud Voice, safely and without downtime.
//
// Salesforce's manual procedure ("Manage Contact Center Certificates")
// creates a certificate, switches the org and each connected app to it, and
// replaces the metadata of the AWS IAM SAML provider that every contact
// center's AWS account uses to trust Salesforce; single sign-on breaks
// between the last two moves. voicecert does the same work as a program: IAM
// first trusts the old and the new certificate, then Salesforce switches,
// then verification, then the old certificate is retired from IAM, and
// any failure undoes every completed step.
//
// # The rotation lifecycle
//
//  1. Plan: every change is listed before it is made, with no side effect.
//  2. Preflight: discover the contact centers, snapshot every IAM metadata
//     document and certificate setting, check preconditions (the locks on
//     the org and on every IAM provider are taken before it).
//  3. Stage: create the new certificate.
//  4. Trust: each IAM SAML provider trusts the old and the new certificate.
//  5. Activate: the org (and each app pinned to its own certificate, through
//     a person when needed) signs with the new certificate.
//  6. Verify: Salesforce, each app and IAM agree, and a signed SAML Response
//     verifies against the metadata IAM holds.
//  7. Retire: IAM trusts only the new certificate.
//
// Progress is journaled after every step, so a crashed rotation can be
// resumed or rolled back later; a failure rolls back every completed step in
// reverse order, IAM metadata restored byte for byte.
//
// # Where to start
//
//   - rotation: the engine. Provider roles (IdentityProvider, RelyingParty),
//     Step, Rotator (plan, run, rollback, journal, lock, resume, events) and
//     the org plan. rotation/rotationtest holds in-memory fakes and the
//     conformance suites; rotation/rotationmock holds gomock mocks.
//   - samlmeta: SAML 2.0 IdP metadata (parse, build, validate, sign, verify)
//     and certificate facts.
//   - salesforce: the identity provider backend (Metadata API, Tooling/REST,
//     IdP metadata endpoints, token sources); salesforce/sftest is a fake org
//     over HTTP.
//   - aws: the relying party backend (IAM SAML providers through
//     aws-sdk-go-v2); aws/iamtest is a fake IAM over HTTP.
//   - examples/voicecert: the command-line tool (check, plan, rotate,
//     verify, resume, rollback, metadata inspect, demo, sandbox);
//     examples/customstep and examples/mocktesting show custom steps and
//     unit tests with mocks. Start with "go run ./examples/voicecert demo",
//     which rotates a sandbox org and IAM end to end.
package voicecert
