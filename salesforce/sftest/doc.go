// Package sftest is a strict fake Salesforce org served over real HTTP on
// loopback, for testing clients of the Metadata API (SOAP), the REST and
// Tooling query APIs, the OAuth 2.0 token endpoint and the SAML identity
// provider endpoints that Service Cloud Voice contact centers sign in
// through. It is strict so that a request a real org would reject is
// rejected here too.
//
// # Endpoints
//
//   - POST /services/Soap/m/{version}: readMetadata, createMetadata,
//     updateMetadata, deleteMetadata and listMetadata for Certificate,
//     IdentityProviderSettings (fullName "IdentityProvider"), ConnectedApp,
//     CallCenter, and the External Client App types
//     ExternalClientApplication and ExtlClntAppSamlConfigurablePolicies
//     (eca.go). upsertMetadata is always refused.
//   - GET /services/data/vXX.X/query and /services/data/vXX.X/tooling/query
//     with a small SOQL subset (SELECT fields FROM object [WHERE f = 'v' [AND
//     ...]] [ORDER BY f [ASC|DESC]] [LIMIT n], also != and LIKE) over
//     Certificate (Tooling), CallCenter (data) and ConnectedApplication
//     (both), with nextRecordsUrl paging.
//   - POST /services/oauth2/token: the JWT bearer and client credentials
//     grants.
//   - GET /.well-known/samlidp.xml and /.well-known/samlidp/<app>.xml: IdP
//     metadata naming the org default and the app's (a connected app's or an
//     External Client App's) effective certificate, with a validUntil ten
//     years after the download.
//   - GET /secur/frontdoor.jsp?sid=…&retURL=… and /idp/login?app=<0sp id>:
//     an IdP-initiated login answered with an auto-post form carrying a SAML
//     Response signed with the app's effective certificate and shaped like
//     a real org's (ssofacts.go): Response and Assertion signed with the
//     app's samlSigningAlgoType, Audience its Entity ID, Recipient its ACS,
//     NameID per its samlSubjectType, default attributes, and an
//     EncryptedAssertion when it has an encryption certificate and type.
//
// # What the fake checks
//
// SOAP requests: the Content-Type (text/xml), the SOAPAction header (""),
// the SOAP 1.1 envelope namespace, the SessionHeader sessionId (a session id
// the org issued and did not revoke, and not a JWT-format token: HTTP 500
// sf:INVALID_SESSION_ID exactly as Salesforce answers), DTDs refused, every
// element against the WSDL v66.0 sequence of its type (known, in order, not
// repeated beyond maxOccurs, booleans, ints, dateTimes and enumerations
// valid), the xsi:type of each metadata element (bare or prefixed), one type
// per call and at most 10 components per call. Missing required fields
// (recursively, e.g. samlConfig acsUrl) give a SaveResult with
// REQUIRED_FIELD_MISSING. Updates replace the whole component; they need an
// existing component and, for IdentityProviderSettings, an existing
// certificate. Certificates are created self-signed with an RSA key the org
// has not used before, of keySize 2048 (1 year) or 4096 (2 years); a certificate in use by the IdP
// setting or by a pinned app cannot be deleted. SAML policies of an
// External Client App must name an existing app whose distributionState is
// Local, one policies component per app. AllOrNoneHeader
// is honoured. A request that fails these checks changes nothing.
//
// REST: the Bearer token (401 INVALID_SESSION_ID otherwise), the API
// version, the object (INVALID_TYPE), every field (INVALID_FIELD) and the
// query syntax (MALFORMED_QUERY), with Salesforce's error body shape.
// OAuth: the RS256 signature against the registered certificate, iss, sub,
// aud (the org URL, login.salesforce.com or test.salesforce.com) and exp
// with three minutes of skew; client id and secret, in the form or HTTP
// Basic.
//
// # Test controls
//
// Seed with AddCertificate, SetDefaultCertificate, AddContactCenter (its
// External option makes the contact center's app an External Client App)
// and AddSAMLApp (a SAML service provider of no contact center); play
// the admin with SetAppCertificate and FollowDefault, and decide who may
// sign in to what with AddUser, AssignPermissionSet and
// GrantExternalClientApp (a user without access to an app gets
// "Insufficient Privileges" from its IdP-initiated login); observe with Snapshot
// and Calls; disturb with SetHook, InjectFault, SetLatency and
// RevokeSessions. Faults are answered in the wire format of the API called.
// WSDLSequence exports the WSDL facts (wsdlfacts.go, kept equal to the WSDL
// text in testdata/wsdl by a test) so that clients can check their encoding
// order against the same source.
//
// # Known unknowns
//
// Several behaviours rest on facts the reference marks uncertain; they are
// isolated in facts.go, whose comment lists each with its status. The
// largest: a connected app's IdP certificate has no documented Metadata API
// field, so the fake keeps it as hidden state (follows the org default, or
// pinned to a named certificate) that only the admin methods change, as it
// keeps an External Client App's, and
// ConnectedAppSamlConfig.certificate is treated as the SP's request-signing
// certificate in PEM. Fault codes and messages other than INVALID_SESSION_ID,
// the query objects each API serves, OAuth error descriptions other than
// the two documented ones, and the shape of the SSO flow are also modelled
// on inference.
//
// By default certificate keys come from a process-wide pool (never reused
// within one Org) so that tests seeding many orgs stay fast; see
// WithKeyGenerator.
package sftest
