package salesforce

// This file holds every behaviour built on an unsettled fact about External
// Client Apps (ECAs), the successor of connected apps for SAML service
// providers since Spring '26. Confirmed [C]: the Metadata types
// ExternalClientApplication and ExtlClntAppSamlConfigurablePolicies (API
// 63.0 and later; the policies name their app in externalClientApplication,
// and a SAML-enabled ECA is configured only through the Metadata API), and
// that neither has an IdP certificate field; the Tooling object behind the
// policies, ExtlClntAppSamlPlcyCnfg, has an IdpCertificateId. Inferred [I],
// and so kept here, each in one function or constant:
//
//   - ecaMetadataName: an ECA's IdP metadata endpoint is
//     /.well-known/samlidp/<ECA API name>.xml, as a connected app's is, and
//     publishes the certificate the ECA signs with. The app's AppRef.Name
//     is that name, so Metadata, SigningState and SetAppCertificate read it
//     as they read a connected app's.
//   - findApp and ecaLabelSuffixes: a contact center whose app is an ECA
//     names it as it names a connected app: its reqConnectedAppId is the
//     ECA's listMetadata id, or else the ECA's label is "<display name>
//     Connected App" or "<display name> External Client App". The app= id of
//     reqIdentityUrl is the login id.
//   - ecaCertInstructions: whether IdpCertificateId can be written by an
//     API is unknown, so a pinned ECA is changed by a person in Setup
//     (a manual gate, as for a pinned connected app), and one that follows
//     the default needs nothing.
//   - ecaGrantEntity and ecaAccessInstructions: a user's access to an ECA
//     is granted through profiles and permission sets as a connected app's
//     is (Help preauth_user_app_access_through_eca), each grant a
//     SetupEntityAccess of type ExternalClientApplication ([C]: API 60.0
//     and later, Object Reference, SetupEntityAccess, Summer '25). Inferred:
//     the grant's SetupEntityId is the ECA's listMetadata id (AppRef.ID),
//     and the Setup path an admin takes to add one. Because of the first,
//     an ECA with no grant found by that id is not refused
//     (ecaNoGrantFound): a contact center's ECA that nobody may use would
//     be broken before any rotation, so finding none more likely means the
//     id is not the one grants name. One whose grants are all another's is
//     refused.

import (
	"fmt"
	"strconv"

	"github.com/voicecert/voicecert/rotation"
)

// ecaMinAPIVersion is the first API version with the ECA SAML types [C].
const ecaMinAPIVersion = 63.0

// ecasListable reports whether the client's API version has the ECA SAML
// metadata types; an older client lists connected apps only.
func (c *Client) ecasListable() bool {
	v, err := strconv.ParseFloat(c.opts.APIVersion, 64)
	return err == nil && v >= ecaMinAPIVersion
}

// ecaMetadataName is the name an ECA's IdP metadata endpoint is addressed
// by [I].
func ecaMetadataName(eca *ExternalClientApplication) string { return eca.FullName }

// ecaLabelSuffixes are the label endings that link an ECA to a contact
// center by its display name [I].
var ecaLabelSuffixes = []string{connectedAppLabelSuffix, " External Client App"}

// ecaCertInstructions tells an admin how to set an ECA's IdP certificate
// in Setup [I: the External Client App Manager's SAML policies].
func ecaCertInstructions(appLabel, appName, certLabel, certName string) string {
	return fmt.Sprintf(`In Salesforce Setup:
1. Open External Client App Manager and find the external client app %q (API name %s).
2. Choose Edit Settings, then open its Policies tab and choose Edit.
3. Under SAML Policies, set IdP Certificate to %q (unique name %s), or to the default IdP certificate once the org's identity provider certificate is this one.
4. Click Save.
`, appLabel, appName, certLabel, certName)
}

// findApp returns the app a call center signs in through: the one whose id
// is reqConnectedAppId, else the one labelled after the display name (a
// connected app first).
func findApp(cc *CallCenter, apps []spApp) *spApp {
	if id := cc.Item(itemConnectedAppID); id != "" {
		for i := range apps {
			if sameID(apps[i].ref.ID, id) {
				return &apps[i]
			}
		}
	}
	for i := range apps {
		suffixes := []string{connectedAppLabelSuffix}
		if apps[i].kind == rotation.AppExternal {
			suffixes = ecaLabelSuffixes
		}
		for _, s := range suffixes {
			if apps[i].ref.Label == cc.DisplayName+s {
				return &apps[i]
			}
		}
	}
	return nil
}

// SetupEntityAccess types of the grants of an app [C]: a connected app's,
// and an External Client App's, whose SetupEntityId is its listMetadata
// id [I].
const (
	connectedAppGrantEntity = "ConnectedApplication"
	ecaGrantEntity          = "ExternalClientApplication"
)

// ecaNoGrantFound is what CheckSignIn says of an ECA for which no grant
// was found (see the file comment).
const ecaNoGrantFound = "no grant of this external client app was found by its id, so whether the user may sign in to it is not known ahead: verification's sign-in tells"

// ecaAccessInstructions tells an admin where an ECA's profiles and
// permission sets are managed [I: the External Client App Manager's
// policies].
func ecaAccessInstructions(app rotation.AppRef) string {
	return fmt.Sprintf("in Setup, External Client App Manager > %s > Edit Policies > App Policies, add one of the user's profiles or permission sets", app)
}

// external reports whether discovery saw app as an External Client App.
func (p *Provider) external(app rotation.AppRef) bool {
	k, _ := p.kinds.Load(app.Name)
	return k == rotation.AppExternal
}
