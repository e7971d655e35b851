package rotation

import (
	"context"
	"time"
)

// Provider is what every backend has in common: a stable name used in plans,
// events and error messages ("salesforce", "aws:123456789012").
type Provider interface {
	Name() string
}

// IdentityProvider is the SAML identity provider role: it owns the signing
// certificate and signs assertions. The salesforce package implements it.
//
// Implementations must be safe for concurrent use and must return errors that
// classify themselves with [Transient] or [Permanent] where the distinction is
// known; unclassified errors are treated as permanent.
type IdentityProvider interface {
	Provider
	// ContactCenters lists every Amazon Connect contact center of the org,
	// each linked to its connected app and to the relying party that trusts it.
	ContactCenters(ctx context.Context) ([]ContactCenter, error)
	// SigningState reports the org's default signing certificate and the
	// effective signing certificate of each contact center's app.
	SigningState(ctx context.Context) (SigningState, error)
	// CreateCertificate creates a new self-signed signing certificate. It is
	// idempotent for one spec.Name: a retry returns the certificate already
	// created under that name instead of creating a second one.
	CreateCertificate(ctx context.Context, spec CertificateSpec) (Certificate, error)
	// DeleteCertificate deletes a certificate by unique name. Deleting a
	// certificate that does not exist is not an error.
	DeleteCertificate(ctx context.Context, name string) error
	// SetDefaultCertificate makes the named certificate the org's IdP signing
	// certificate.
	SetDefaultCertificate(ctx context.Context, name string) error
	// SetAppCertificate makes the named certificate the app's IdP certificate.
	// An app that follows the org default needs nothing and returns nil. When
	// the change needs a person, it returns a *ManualActionError (matching
	// ErrManualAction) whose Wait reports when the change has been made.
	SetAppCertificate(ctx context.Context, app AppRef, name string) error
	// Metadata returns the SAML IdP metadata document the identity provider
	// publishes for app, or the org-wide document when app is the zero AppRef.
	Metadata(ctx context.Context, app AppRef) ([]byte, error)
}

// LoginTester is implemented by identity providers that can produce a signed
// SAML Response for an app, as an IdP-initiated login would. Verification uses
// it, when available, to prove that the relying party accepts what the
// identity provider now signs.
type LoginTester interface {
	// SAMLResponse returns the base64-encoded SAMLResponse form value that an
	// IdP-initiated login into app would post to the relying party.
	SAMLResponse(ctx context.Context, app AppRef) (string, error)
}

// RelyingParty is the SAML service provider role: it trusts the identity
// provider through the metadata document it holds (an AWS IAM SAML provider).
// The aws package implements it.
type RelyingParty interface {
	Provider
	// Trust returns the metadata document the relying party currently holds
	// for ref, with the facts needed to restore it.
	Trust(ctx context.Context, ref TrustRef) (TrustSnapshot, error)
	// SetTrust replaces the metadata document held for ref. Implementations
	// validate doc before sending it and return only once the relying party
	// serves the new document (or a not-propagated error).
	SetTrust(ctx context.Context, ref TrustRef, doc []byte) error
}

// Telephony says how a contact center reaches Amazon Connect.
type Telephony string

const (
	// TelephonyNative is Service Cloud Voice with Amazon Connect.
	TelephonyNative Telephony = "native"
	// TelephonyPartner is Service Cloud Voice with Partner Telephony from
	// Amazon Connect.
	TelephonyPartner Telephony = "partner"
)

// AppRef identifies the identity provider's app (a Salesforce connected app)
// through which one contact center signs in.
type AppRef struct {
	// ID is the backend's identifier (for Salesforce the connected app's
	// 0H4… id).
	ID string `json:"id,omitempty"`
	// Name is the API name (Salesforce fullName); the per-app metadata
	// endpoint is addressed by it.
	Name string `json:"name"`
	// Label is the display label ("<contact center> Connected App").
	Label string `json:"label,omitempty"`
	// LoginID is the id used for IdP-initiated login (Salesforce 0sp… id,
	// the app= parameter of /idp/login).
	LoginID string `json:"loginId,omitempty"`
}

// IsZero reports whether r names no app.
func (r AppRef) IsZero() bool { return r == AppRef{} }

// String returns the app's name, or its label or id when it has no name.
func (r AppRef) String() string {
	switch {
	case r.Name != "":
		return r.Name
	case r.Label != "":
		return r.Label
	default:
		return r.ID
	}
}

// TrustRef identifies one relying-party trust: an IAM SAML provider.
type TrustRef struct {
	// Account is the 12-digit AWS account id that holds the provider.
	Account string `json:"account"`
	// ARN is the SAML provider's ARN.
	ARN string `json:"arn"`
}

// IsZero reports whether r names no trust.
func (r TrustRef) IsZero() bool { return r == TrustRef{} }

// String returns the ARN.
func (r TrustRef) String() string { return r.ARN }

// ContactCenter is one Amazon Connect contact center of the org.
type ContactCenter struct {
	// Name is the call center's internal (API) name.
	Name string `json:"name"`
	// DisplayName is the call center's display name.
	DisplayName string    `json:"displayName,omitempty"`
	Telephony   Telephony `json:"telephony"`
	// App is the connected app the contact center signs in through.
	App AppRef `json:"app"`
	// Trust is the IAM SAML provider named by the app's AWS Role attribute;
	// zero when the app has no Role attribute.
	Trust TrustRef `json:"trust"`
	// RoleARN is the IAM role named by the app's AWS Role attribute.
	RoleARN string `json:"roleArn,omitempty"`
	// InstanceID and Region locate the Amazon Connect instance.
	InstanceID string `json:"instanceId,omitempty"`
	Region     string `json:"region,omitempty"`
}

// CertificateSpec asks the identity provider for a new signing certificate.
type CertificateSpec struct {
	// Name is the certificate's unique name. It is the idempotency key of
	// CreateCertificate.
	Name string `json:"name"`
	// Label is the human-readable label.
	Label string `json:"label"`
	// KeyBits is the RSA key size: 2048 or 4096.
	KeyBits int `json:"keyBits"`
}

// Certificate describes a signing certificate: its identity at the identity
// provider and the facts of its public X.509 certificate. It never carries a
// private key.
type Certificate struct {
	// Name is the identity provider's unique name for the certificate; empty
	// when only the X.509 certificate is known (read from metadata).
	Name string `json:"name,omitempty"`
	// Label is the identity provider's display label, if any.
	Label string `json:"label,omitempty"`
	// SHA256 is the fingerprint of the DER certificate, upper-case hex
	// pairs separated by colons.
	SHA256    string    `json:"sha256"`
	Subject   string    `json:"subject,omitempty"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// KeyBits is the public key size in bits.
	KeyBits int `json:"keyBits"`
	// DER is the X.509 certificate.
	DER []byte `json:"der,omitempty"`
}

// IsZero reports whether c describes no certificate.
func (c Certificate) IsZero() bool { return c.SHA256 == "" && c.Name == "" }

// SigningState is the identity provider's signing configuration.
type SigningState struct {
	// Default is the org-wide IdP signing certificate.
	Default Certificate `json:"default"`
	// Apps lists the effective signing certificate of each contact center's
	// app, in the order of ContactCenters.
	Apps []AppSigning `json:"apps"`
}

// App returns the signing entry for the app named name.
func (s SigningState) App(name string) (AppSigning, bool) {
	for _, a := range s.Apps {
		if a.App.Name == name {
			return a, true
		}
	}
	return AppSigning{}, false
}

// AppSigning is the effective signing certificate of one app.
type AppSigning struct {
	App AppRef `json:"app"`
	// Certificate is the certificate the app signs with. Name may be empty
	// when the backend can only observe the X.509 certificate.
	Certificate Certificate `json:"certificate"`
	// Pinned reports that the app names its own certificate instead of
	// following the org default, so it does not follow SetDefaultCertificate.
	Pinned bool `json:"pinned"`
	// Algorithm is the signing algorithm the app is configured to sign
	// with: AlgorithmSHA1 or AlgorithmSHA256 (a Salesforce connected app's
	// samlConfig.samlSigningAlgoType); empty when the backend does not say.
	Algorithm string `json:"algorithm,omitempty"`
}

// Signing algorithms an app may be configured with (AppSigning.Algorithm).
const (
	AlgorithmSHA1   = "SHA1"
	AlgorithmSHA256 = "SHA256"
)

// TrustSnapshot is the document a relying party holds for a trust, with the
// facts needed to restore it.
type TrustSnapshot struct {
	Ref TrustRef `json:"ref"`
	// Document is the metadata document exactly as stored.
	Document   []byte    `json:"document"`
	CreateDate time.Time `json:"createDate"`
	ValidUntil time.Time `json:"validUntil"`
	// UUID is the provider's SAMLProviderUUID, when the service reports it.
	UUID string `json:"uuid,omitempty"`
	// EncryptionMode is the provider's assertion encryption mode (AWS:
	// "Required" or "Allowed"), when the service has one. A rotation and
	// its rollback never change it.
	EncryptionMode string `json:"encryptionMode,omitempty"`
	// DecryptionKeyIDs are the ids of the provider's assertion decryption
	// keys (AWS: the KeyIds of PrivateKeyList), never the keys. A rotation
	// and its rollback never change them.
	DecryptionKeyIDs []string `json:"decryptionKeyIds,omitempty"`
}
