package sandbox

import (
	"fmt"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// SAMLApp is one seeded SAML app of no contact center: a service provider
// that signs in with the org's IdP certificate too (Options.SAMLApps).
type SAMLApp struct {
	// Name is the app's API name: SAMLApp01, SAMLApp02, ...
	Name string
	// Kind is a connected app or an External Client App.
	Kind rotation.AppKind
	// EntityID and ACS are the service provider's.
	EntityID, ACS string
	// LoginID is the id of the app's IdP-initiated login.
	LoginID string
	// Pinned reports that the app names its own certificate.
	Pinned bool
}

// checkSAMLApps checks the SAML app options.
func (o Options) checkSAMLApps() error {
	if o.SAMLApps < 0 || o.PinnedSAMLApps < 0 || o.ExternalSAMLApps < 0 || o.ExternalContactCenters < 0 ||
		o.PinnedSAMLApps > o.SAMLApps || o.ExternalSAMLApps > o.SAMLApps || o.ExternalContactCenters > o.ContactCenters {
		return fmt.Errorf("sandbox: %d SAML apps (%d pinned, %d external), %d external contact centers: "+
			"none may be negative, no more pinned or external than SAML apps, no more external contact centers than contact centers",
			o.SAMLApps, o.PinnedSAMLApps, o.ExternalSAMLApps, o.ExternalContactCenters)
	}
	return nil
}

// seedSAMLApps seeds the SAML apps of no contact center that are pinned
// (before the org default exists, so that each gets a certificate of its
// own) or, with pinned false, those that follow the default.
func (w *World) seedSAMLApps(o Options, pinned bool) {
	for i := range o.SAMLApps {
		a := SAMLApp{Name: fmt.Sprintf("SAMLApp%02d", i+1), Kind: rotation.AppConnected, Pinned: i >= o.SAMLApps-o.PinnedSAMLApps}
		if a.Pinned != pinned {
			continue
		}
		if i < o.ExternalSAMLApps {
			a.Kind = rotation.AppExternal
		}
		a.EntityID = fmt.Sprintf("https://sp%02d.example.com", i+1)
		a.ACS = a.EntityID + "/saml/acs"
		_, a.LoginID = w.Org.AddSAMLApp(sftest.SAMLAppSeed{Name: a.Name, EntityID: a.EntityID, ACS: a.ACS,
			External: a.Kind == rotation.AppExternal, Pinned: a.Pinned})
		w.SAMLApps = append(w.SAMLApps, a)
	}
}
