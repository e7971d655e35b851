package rotation

import "context"

// AppKind says which kind of identity-provider app a SAML service provider
// is configured as.
type AppKind string

// App kinds of a Salesforce org.
const (
	// AppConnected is a connected app with a SAML configuration.
	AppConnected AppKind = "connectedApp"
	// AppExternal is an External Client App with SAML policies.
	AppExternal AppKind = "externalClientApp"
)

// SAMLApp is one SAML service provider of the identity provider, a contact
// center's or not.
type SAMLApp struct {
	App  AppRef  `json:"app"`
	Kind AppKind `json:"kind"`
	// EntityID is the service provider's entity id (the app's Entity ID).
	EntityID string `json:"entityId,omitempty"`
	// ACS is the service provider's assertion consumer service URL.
	ACS string `json:"acs,omitempty"`
	// Certificate is the certificate the app signs with (its effective
	// IdP certificate, read from its metadata endpoint).
	Certificate Certificate `json:"certificate"`
	// Pinned reports that the app names its own certificate instead of
	// following the org default.
	Pinned bool `json:"pinned,omitempty"`
	// ContactCenter is the name of the contact center that signs in through
	// the app; empty for an app of no contact center.
	ContactCenter string `json:"contactCenter,omitempty"`
}

// AppLister is implemented by identity providers that can list every SAML
// service provider of the org with its effective signing certificate, not
// only the contact centers' apps.
type AppLister interface {
	SAMLApps(ctx context.Context) ([]SAMLApp, error)
}

// TrustLister is implemented by relying parties that can list every trust
// of an identity provider in the given accounts: every trust whose
// metadata names entityID, not only those an app's Role attribute names.
type TrustLister interface {
	TrustsOf(ctx context.Context, accounts []string, entityID string) ([]TrustRef, error)
}
