package sftest

import "time"

// The shape of the IdP's SAML Responses and metadata (response.go,
// xmlenc.go, sso.go). Sources: a Response issued by a real org (samlmeta's
// testdata, salesforce-response.README.md: fleetdm/fleet
// server/sso/validate_test.go), the IdP metadata of the same repository,
// the Metadata WSDL v66.0 (samlSubjectType, samlSigningAlgoType,
// encryptionType) and the project's Salesforce reference.
//
//   - [C] The Response and the Assertion are both signed, enveloped,
//     exclusive C14N with InclusiveNamespaces PrefixList "ds saml samlp xs
//     xsi" (Response) and "ds saml xs xsi" (Assertion); SignatureValue and
//     X509Certificate base64-wrapped at 76 columns (samlmeta.IssueResponse
//     writes them so). The app's samlSigningAlgoType chooses the
//     algorithm: SHA1 is rsa-sha1 with sha1 digests, SHA256 rsa-sha256
//     with sha256; [I] absent, SHA256.
//   - [C] Issuer is the org's entity ID; Destination and the
//     SubjectConfirmationData Recipient are the app's ACS (acsUrl);
//     Audience is the app's Entity ID (entityUrl); one bearer
//     SubjectConfirmation with NotOnOrAfter. Conditions NotBefore is 30 s
//     before IssueInstant, NotOnOrAfter 5 minutes after it, as the
//     Confirmation's NotOnOrAfter.
//   - [C] Default attributes userId (the 15-character user id), username,
//     email and is_portal_user, typed xs:anyType, besides the app's custom
//     attributes; [I] the custom attributes follow the default ones and
//     are typed xs:anyType too; [I] the fake's users' email and
//     FederationIdentifier are their username.
//   - NameID per samlSubjectType: Username the username, FederationId the
//     FederationIdentifier ([I] a user without one cannot sign in),
//     UserId the 15-character user id ([I] SpokeId too), CustomAttribute
//     the value of the custom attribute samlSubjectCustomAttr names ([I]
//     none: no sign-in), PersistentId [I] an opaque value stable per org,
//     app and user (its real format is not captured). Its Format is the
//     app's samlNameIdFormat.
//   - [I] An app with encryptionCertificate (PEM, as samlConfig.certificate)
//     and encryptionType gets an EncryptedAssertion: xmlenc Element
//     encryption in CBC mode (AES_128 aes128-cbc, AES_256 aes256-cbc,
//     Triple_Des tripledes-cbc), the key transported with rsa-oaep-mgf1p
//     for the certificate's key; the Assertion is signed before it is
//     encrypted and the Response signed after.
//   - [C] IdP metadata (org-wide and per app) carries validUntil, years
//     ahead of the download: the real org's metadata in the same
//     repository is valid 10 years; each download has a new one.
const (
	responseNotBeforeSkew = 30 * time.Second
	responseValidity      = 5 * time.Minute
	attributeType         = "xs:anyType"
	metadataValidity      = 10 * 365 * 24 * time.Hour
)
