// Package salesforce is the Salesforce backend of voicecert: a Client for one
// org (Metadata API CRUD over SOAP, REST and Tooling queries, the public SAML
// IdP metadata endpoints) and a Provider that implements
// rotation.IdentityProvider, rotation.LoginTester and rotation.AppLister
// (Provider.SAMLApps: every SAML service provider of the org, connected apps
// and External Client Apps, a contact center's or not) on top of it.
//
// # Authentication
//
// NewClient takes an oauth2.TokenSource whose tokens carry the org's
// instance_url as an extra. The package provides StaticToken, JWTBearer (the
// OAuth 2.0 JWT bearer flow, RS256 assertion), ClientCredentials
// (golang.org/x/oauth2/clientcredentials) and CLI (the Salesforce CLI's
// stored login, via `sf org display` and `sf org auth show-access-token`).
// NewFromEnv reads SALESFORCE_INSTANCE_URL, SALESFORCE_ACCESS_TOKEN and
// SALESFORCE_API_VERSION; no other function reads the environment. The
// client asks the source for a new token once when Salesforce answers
// INVALID_SESSION_ID. It refuses JWT-format access tokens before any SOAP
// call (ErrJWTAccessToken): SOAP APIs reject them. Tokens, secrets and keys
// never appear in log records or error strings.
//
// # Metadata API
//
// The component structs (Certificate, IdentityProviderSettings,
// ConnectedApp, CallCenter, ExternalClientApplication,
// ExtlClntAppSamlConfigurablePolicies) declare their fields in the element
// order of the Metadata WSDL v66.0, which Salesforce enforces. ConnectedApp models every
// element of its sequence; the complex ones this package does not use are
// kept verbatim as RawElement, so a read-modify-write (Modify) sends the
// whole component back in order. Components are only ever changed with
// createMetadata, updateMetadata and deleteMetadata, never upsertMetadata. A
// nil or empty readMetadata record is rotation.ErrNotFound. SOAP faults are
// *SOAPFault, per-component failures *SaveError, REST errors *APIError; all
// are classified rotation.Transient or rotation.Permanent. The client
// retries REQUEST_LIMIT_EXCEEDED, SERVER_UNAVAILABLE, other transient codes,
// HTTP 5xx answers without a fault, and transport errors, with exponential
// backoff.
//
// That is the only retry of a request: the rotation engine does not run a
// step again for a request error (rotation.ShouldRetryStep). One request
// that keeps failing is sent at most Options.Retry.MaxAttempts times by one
// call (4 by default), and at most twice that when Salesforce rejects the
// session id in between and the client logs in again (once). Through a whole
// rotation attempt it is sent by the call that fails its step and at most
// once more by each step's rollback, which reads what it is about to change
// first (the rotation package doc has the bound). The one request several calls
// share is the frontdoor sign-in, one call per contact center verified.
//
// # Concurrency
//
// One operation may send several requests at once (Options.Concurrency,
// DefaultConcurrency when unset): the chunks of a read of more than ten
// components, the call centers, the connected apps and the External Client
// Apps, every app's metadata, the reads before a change. Concurrent identical reads made through one
// Provider (the contact centers, the IdP setting, one certificate) share one
// request, and an app metadata document already seen is not parsed again.
// With a concurrency of 1 every request waits for the previous one, in a
// fixed order.
//
// # Known unknowns, and where each is handled
//
// The facts come from Salesforce documentation, the v66.0 WSDL and public
// client code; these are not confirmed against a live org:
//
//   - A connected app's "IdP Certificate" has no documented Metadata API
//     field (ConnectedAppSamlConfig.certificate is most likely the service
//     provider's request-signing certificate). The package therefore reads
//     each app's effective certificate from its metadata endpoint
//     /.well-known/samlidp/<app>.xml, treats an app whose certificate differs
//     from the org default as pinned, and asks a person to change a pinned
//     app (a rotation.ManualActionError whose Wait polls that endpoint). All
//     of this is in appcert.go, the one place to change if Salesforce
//     documents a field. An app pinned to the very certificate that is the
//     org default cannot be told apart from one that follows the default;
//     it is reported as following it.
//   - External Client Apps (eca_facts.go, the one place for them): that an
//     ECA's IdP metadata endpoint is /.well-known/samlidp/<ECA API name>.xml
//     like a connected app's; how a call center names its ECA
//     (reqConnectedAppId as the ECA's listMetadata id, else the label
//     "<display name> Connected App" or "<display name> External Client
//     App"); and whether the ECA's IdP certificate (the Tooling object
//     ExtlClntAppSamlPlcyCnfg's IdpCertificateId) can be set by an API: it
//     is treated as not, so a pinned ECA is a manual gate, as a pinned
//     connected app is, and one that follows the default needs nothing;
//     that a grant of access to an ECA (SetupEntityAccess of type
//     ExternalClientApplication) names it by that listMetadata id. The ECA
//     types are listed only at API 63.0 or later.
//   - That the per-app endpoint publishes the app's own certificate and is
//     unauthenticated (Provider.SigningState, Client.AppMetadata).
//   - The IdentityProviderSettings full name "IdentityProvider", and that
//     certificateName is a Certificate's unique name (IdentityProviderName,
//     Provider.SetDefaultCertificate).
//   - How a CallCenter names Amazon Connect (reqTelephonyProvider
//     AMAZON_CONNECT, reqVendorInfoApiName c__AMAZON_CONNECT) and links its
//     connected app (reqConnectedAppId, else the label "<display name>
//     Connected App"); the constants and rules are in discovery.go. The app=
//     id of reqIdentityUrl (0sp…) becomes the app's LoginID only: no
//     Metadata API field maps it to a connected app. So Provider.SAMLApps
//     gives no LoginID for an app of no contact center, and the rotation
//     verifies such an app's trust structurally (rotation.AppRef.LoginID).
//     (SetupEntityAccess has a ServiceProvider entity type, which may be
//     what the 0sp… ids are; how one maps to its app is not documented.)
//   - That the app's AWS Role attribute formula is "'<arn>,<arn>'" (RoleARNs
//     accepts either order and parses each ARN by its type).
//   - That an API session may pass frontdoor.jsp into /idp/login, and the
//     auto-post form's HTML (Provider.SAMLResponse, verified against sftest
//     only).
//   - How frontdoor.jsp answers a session it refuses (a redirect to the login
//     page rather than to retURL), which Provider.Identity relies on when the
//     token's scopes are unknown (a static or Salesforce CLI token); the
//     scope rule itself (web or full) is documented. That
//     PermissionSetAssignment lists the profile's own permission set too,
//     and that a user without View Setup and Configuration gets INVALID_TYPE
//     or INSUFFICIENT_ACCESS for SetupEntityAccess (Provider.Permissions and
//     Provider.CheckSignIn then report the access as unknown).
//   - At most 10 components per CRUD call (calls are split in chunks of 10).
//   - Which key sizes the Metadata API accepts beyond 2048 and 4096: only
//     those two are sent (CreateCertificate refuses others before any call).
package salesforce
