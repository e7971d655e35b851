package samlmeta

import (
	"errors"
	"fmt"

	"github.com/russellhaering/goxmldsig/etreeutils"
)

// kind is a sentinel error that may belong to a broader sentinel: errors.Is
// matches both the kind itself and its parent (for example every
// ErrUntrustedCert is also an ErrSignature).
type kind struct {
	msg    string
	parent error
}

func (k *kind) Error() string { return k.msg }

// Is reports whether target is k's parent sentinel.
func (k *kind) Is(target error) bool { return k.parent != nil && target == k.parent }

// Sentinel errors. Match them with errors.Is; the error returned always says
// more than the sentinel alone.
var (
	// ErrDOCTYPE refuses a document that carries a DOCTYPE (or any other
	// markup declaration): Go ignores DTDs while libxml2-based consumers
	// honour them, a parser differential.
	ErrDOCTYPE error = &kind{msg: "samlmeta: DOCTYPE not allowed"}
	// ErrDuplicateAttribute refuses an element with the same attribute twice,
	// which Go's parsers accept (keeping the last) and libxml2 rejects.
	ErrDuplicateAttribute error = &kind{msg: "samlmeta: duplicate attribute"}
	// ErrTooLarge refuses input above the size cap (bytes for Parse and
	// VerifyResponse, characters for ValidateIAM).
	ErrTooLarge error = &kind{msg: "samlmeta: document too large"}
	// ErrTooShort refuses a document below IAM's minimum length.
	ErrTooShort error = &kind{msg: "samlmeta: document too short"}
	// ErrMalformed refuses input that is not well-formed XML.
	ErrMalformed error = &kind{msg: "samlmeta: malformed XML"}
	// ErrNotMetadata refuses a well-formed document that is not a SAML 2.0
	// md:EntityDescriptor.
	ErrNotMetadata error = &kind{msg: "samlmeta: not SAML 2.0 entity metadata"}
	// ErrBOM refuses a document that starts with a byte order mark.
	ErrBOM error = &kind{msg: "samlmeta: byte order mark not allowed"}
	// ErrNotUTF8 refuses a document that is not valid UTF-8.
	ErrNotUTF8 error = &kind{msg: "samlmeta: document is not valid UTF-8"}
	// ErrNoSigningKey refuses metadata without any signing certificate.
	ErrNoSigningKey error = &kind{msg: "samlmeta: no signing key"}
	// ErrWeakKey refuses an RSA key shorter than IAM's minimum.
	ErrWeakKey error = &kind{msg: "samlmeta: key too short"}
	// ErrUnsupportedKey refuses a key that is not RSA, or a certificate that
	// cannot be parsed.
	ErrUnsupportedKey error = &kind{msg: "samlmeta: unsupported key"}
	// ErrTooManyKeys refuses metadata with more KeyDescriptors than IAM allows.
	ErrTooManyKeys error = &kind{msg: "samlmeta: too many keys"}
	// ErrExpired refuses metadata whose validUntil is in the past.
	ErrExpired error = &kind{msg: "samlmeta: metadata expired"}
	// ErrCertNotFound is returned when an edit names a certificate the
	// metadata does not hold.
	ErrCertNotFound error = &kind{msg: "samlmeta: certificate not found"}
	// ErrInvalidSpec refuses a BuildSpec or ResponseSpec that cannot produce a
	// valid document.
	ErrInvalidSpec error = &kind{msg: "samlmeta: invalid spec"}

	// ErrDecoy refuses a prefixed attribute with the local name of a SAML
	// or XML-DSig attribute on an element of those namespaces (x:entityID
	// beside entityID), or a namespace declaration xmlns:NAME where NAME is
	// such an attribute: readers that match attributes by local name would
	// see another document than namespace-aware ones.
	ErrDecoy error = &kind{msg: "samlmeta: decoy attribute"}
	// ErrTooManyNamespaces refuses a document with more namespace
	// declarations in scope at once than the limit
	// (DefaultMaxNamespaceDecls), which would make every namespace-aware
	// reader slow.
	ErrTooManyNamespaces error = &kind{msg: "samlmeta: too many namespace declarations"}
	// ErrKeyUse refuses a KeyDescriptor whose use is neither absent nor
	// exactly "signing" or "encryption" (the only values of the metadata
	// schema's KeyTypes); a reader may treat any other value either way.
	ErrKeyUse error = &kind{msg: "samlmeta: KeyDescriptor use is not signing or encryption"}
	// ErrKeyInfo refuses, for IAM, a KeyDescriptor whose KeyInfo holds
	// anything but one X509Data with one X509Certificate.
	ErrKeyInfo error = &kind{msg: "samlmeta: KeyInfo is not a single X509Certificate"}

	// ErrSignature matches every signature verification failure, including
	// the more specific ErrUnsigned, ErrSHA1, ErrUntrustedCert and
	// ErrCertValidity.
	ErrSignature error = &kind{msg: "samlmeta: signature verification failed"}
	// ErrUnsigned is returned when no signature covers the element that must
	// be signed. It matches ErrSignature.
	ErrUnsigned error = &kind{msg: "samlmeta: no signature references the element", parent: ErrSignature}
	// ErrSHA1 refuses a SHA-1 signature or digest unless AllowSHA1 is given.
	// It matches ErrSignature.
	ErrSHA1 error = &kind{msg: "samlmeta: SHA-1 signature or digest refused", parent: ErrSignature}
	// ErrUntrustedCert is returned when the signature's KeyInfo names a
	// certificate that is not trusted. It matches ErrSignature.
	ErrUntrustedCert error = &kind{msg: "samlmeta: signing certificate not trusted", parent: ErrSignature}
	// ErrKeyPolicy refuses a signature made with a key the verification
	// policy does not accept: ECDSA unless AllowECDSA is given, RSA below
	// MinRSABits unless WithMinRSABits lowers it. It matches ErrSignature.
	ErrKeyPolicy error = &kind{msg: "samlmeta: signing key refused by policy", parent: ErrSignature}
	// ErrAlgorithm refuses a signature, digest, canonicalisation or
	// transform algorithm the verifier does not implement, or a signature
	// shape it does not accept (several references). It matches
	// ErrSignature.
	ErrAlgorithm error = &kind{msg: "samlmeta: unsupported signature algorithm", parent: ErrSignature}
	// ErrCertValidity is returned when the matching certificate is outside
	// its validity period and IgnoreValidity was not given. It matches
	// ErrSignature.
	ErrCertValidity error = &kind{msg: "samlmeta: certificate not valid at this time", parent: ErrSignature}

	// ErrInvalidResponse refuses a SAML Response whose signature is fine but
	// whose content is not acceptable (shape, status, time conditions,
	// issuer, audience).
	ErrInvalidResponse error = &kind{msg: "samlmeta: invalid SAML response"}

	// The refusals of a Response's content below each match
	// ErrInvalidResponse as well as themselves.

	// ErrDuplicateElement refuses an Assertion with a second Subject or a
	// second Conditions (the SAML schema allows at most one of each; a
	// reader taking the first and another taking the last would disagree).
	ErrDuplicateElement error = &kind{msg: "samlmeta: element repeated", parent: ErrInvalidResponse}
	// ErrAudience refuses an Assertion one of whose AudienceRestrictions
	// does not name the audience WithAudience requires.
	ErrAudience error = &kind{msg: "samlmeta: audience not allowed", parent: ErrInvalidResponse}
	// ErrSubjectConfirmation refuses, under RequireAWSSignIn, a Subject
	// without exactly one SubjectConfirmation, one whose method is not
	// bearer, or one without SubjectConfirmationData.
	ErrSubjectConfirmation error = &kind{msg: "samlmeta: subject confirmation refused", parent: ErrInvalidResponse}
	// ErrHolderOfKey refuses, under RequireAWSSignIn, a holder-of-key
	// SubjectConfirmation: AWS accepts bearer assertions only.
	ErrHolderOfKey error = &kind{msg: "samlmeta: holder-of-key confirmation refused", parent: ErrInvalidResponse}
	// ErrRecipient refuses, under RequireAWSSignIn, a SubjectConfirmationData
	// without a Recipient or whose Recipient is not an AWS sign-in endpoint.
	ErrRecipient error = &kind{msg: "samlmeta: recipient refused", parent: ErrInvalidResponse}
	// ErrConfirmationExpired refuses, under RequireAWSSignIn, a
	// SubjectConfirmationData without NotOnOrAfter or whose NotOnOrAfter
	// has passed.
	ErrConfirmationExpired error = &kind{msg: "samlmeta: subject confirmation expired", parent: ErrInvalidResponse}
	// ErrRoleSessionName refuses, under RequireAWSSignIn, a missing
	// RoleSessionName attribute, several values, or a value that is not 2
	// to 64 characters of letters, digits and _+=,.@-.
	ErrRoleSessionName error = &kind{msg: "samlmeta: RoleSessionName refused", parent: ErrInvalidResponse}
	// ErrRole refuses, under RequireAWSSignIn, a Role attribute with no
	// value pairing the expected SAML provider with a role (the expected
	// role, when one is given).
	ErrRole error = &kind{msg: "samlmeta: Role attribute refused", parent: ErrInvalidResponse}
	// ErrEncryptedAssertion refuses a Response carrying an
	// EncryptedAssertion unless AllowEncryptedAssertion is given, and an
	// encrypted Response the verifier cannot check (unsigned, several
	// assertions).
	ErrEncryptedAssertion error = &kind{msg: "samlmeta: encrypted assertion", parent: ErrInvalidResponse}
)

// wrapf returns an error matching sentinel whose message adds detail.
func wrapf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// sigErr wraps a verifier error as ErrSignature (keeping its text, never a key).
func sigErr(err error) error {
	if err == nil {
		return nil
	}
	var k *kind
	if errors.As(err, &k) {
		return err
	}
	if errors.Is(err, etreeutils.ErrTraversalLimit) {
		// goxmldsig stops its element traversals after 1000 elements.
		return wrapf(ErrTooLarge, "goxmldsig's traversal limit of 1000 elements was reached")
	}
	return fmt.Errorf("%w: %v", ErrSignature, err)
}
