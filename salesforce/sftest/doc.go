// Package sftest is a strict fake Salesforce org served over real HTTP on
// loopback, for testing clients of the Metadata API (SOAP), the REST and
// Tooling query APIs, the OAuth 2.0 token endpoint and the SAML identity
// provider endpoints.
package sftest
