package salesforce

import (
	"context"

	"github.com/voicecert/voicecert/rotation"
)

// SAMLApps lists every SAML service provider of the org, a contact center's
// or not: each connected app with a samlConfig and each External Client App
// with SAML policies (ExtlClntAppSamlConfigurablePolicies; listed only when
// the client's API version is 63.0 or later). For each it reports the kind,
// the Entity ID and ACS URL, the certificate the app signs with as its
// metadata endpoint publishes it, whether it names its own certificate
// instead of following the org default (Pinned; a pinned certificate is
// named by fingerprint when the org holds it), and the contact center that
// signs in through it. Connected apps come first, then External Client
// Apps, each sorted by API name.
//
// It reads what ContactCenters reads (sharing a discovery in flight), the
// default certificate, every app's metadata and, when an app is pinned (or
// ahead, unless the client sends one request at a time), the org's
// certificates.
func (p *Provider) SAMLApps(ctx context.Context) ([]rotation.SAMLApp, error) {
	var (
		d    discovered
		apps []spApp
	)
	def, effs, certs, err := p.readSigning(ctx, func(ctx context.Context) (names []string, err error) {
		if d, err = p.discovery(ctx); err != nil {
			return nil, err
		}
		for _, a := range d.apps {
			if a.saml {
				apps = append(apps, a)
				names = append(names, a.ref.Name)
			}
		}
		return names, nil
	})
	if err != nil {
		return nil, err
	}
	centers := map[string]rotation.ContactCenter{}
	for _, cc := range d.centers {
		if _, taken := centers[cc.App.Name]; cc.App.Name != "" && !taken {
			centers[cc.App.Name] = cc
		}
	}
	out := make([]rotation.SAMLApp, 0, len(apps))
	for i, a := range apps {
		sa := rotation.SAMLApp{App: a.ref, Kind: a.kind, EntityID: a.entityID, ACS: a.acs}
		if cc, ok := centers[a.ref.Name]; ok {
			sa.ContactCenter, sa.App.LoginID = cc.Name, cc.App.LoginID
		}
		if sa.Certificate, sa.Pinned, err = p.effective(ctx, def, effs[i], &certs); err != nil {
			return nil, err
		}
		out = append(out, sa)
	}
	return out, nil
}
