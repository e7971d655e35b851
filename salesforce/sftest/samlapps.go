package sftest

import (
	"fmt"
	"strings"

	"github.com/voicecert/voicecert/samlmeta"
)

// SAMLAppSeed describes a SAML service provider of no contact center to
// seed with AddSAMLApp: a connected app with a samlConfig, or an External
// Client App with SAML policies.
type SAMLAppSeed struct {
	// Name is the app's API name (required).
	Name string
	// Label defaults to Name with spaces for underscores.
	Label string
	// EntityID and ACS are the service provider's Entity ID and assertion
	// consumer service URL; they default to https://<name>.example.com and
	// its /saml/acs.
	EntityID, ACS string
	// External makes the app an External Client App
	// (ExternalClientApplication with ExtlClntAppSamlConfigurablePolicies)
	// instead of a connected app.
	External bool
	// Pinned makes the app name its own IdP certificate, as
	// ContactCenterSeed.Pinned does.
	Pinned bool
}

// AddSAMLApp seeds a SAML service provider that is no contact center's, an
// "Okta_Workforce" or a "Tableau". It returns the app's id and the 0sp… id
// of its IdP-initiated login. It panics when the name is taken.
func (o *Org) AddSAMLApp(seed SAMLAppSeed) (appID, loginID string) {
	if seed.Name == "" {
		panic("sftest: AddSAMLApp needs a Name")
	}
	if seed.Label == "" {
		seed.Label = strings.ReplaceAll(seed.Name, "_", " ")
	}
	host := strings.ToLower(strings.ReplaceAll(seed.Name, "_", "-")) + ".example.com"
	if seed.EntityID == "" {
		seed.EntityID = "https://" + host
	}
	if seed.ACS == "" {
		seed.ACS = "https://" + host + "/saml/acs"
	}
	pinned := o.seedPin(seed.Name, seed.Pinned)
	attrs := []*node{parent("attributes", el("formula", "$User.Username"), el("key", "username"))}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.addSAMLAppLocked(seed, attrs, pinned)
}

// seedPin returns the certificate a seeded app pins: "" when it follows the
// default, else the org default, or a new certificate "<name>_Cert" when no
// default is set.
func (o *Org) seedPin(name string, pinned bool) string {
	if !pinned {
		return ""
	}
	o.mu.Lock()
	def := o.st.idpCert
	o.mu.Unlock()
	if def != "" {
		return def
	}
	o.AddCertificate(name+"_Cert", 2048)
	return name + "_Cert"
}

// addSAMLAppLocked stores a seeded app with the custom attributes attrs
// (ConnectedAppAttribute elements).
func (o *Org) addSAMLAppLocked(seed SAMLAppSeed, attrs []*node, pinned string) (appID, loginID string) {
	if o.st.anyApp(seed.Name) != nil {
		panic(fmt.Sprintf("sftest: app %s exists", seed.Name))
	}
	now := o.now()
	if !seed.External {
		comp := parent("metadata", attrs...)
		comp.Children = append(comp.Children,
			el("contactEmail", o.defaultUser.username),
			el("label", seed.Label),
			// Admins get to use it, as an admin-approved app names their profile.
			el("profileName", ProfileSystemAdministrator),
			parent("samlConfig",
				el("acsUrl", seed.ACS),
				el("entityUrl", seed.EntityID),
				el("samlNameIdFormat", "Persistent"),
				el("samlSigningAlgoType", "SHA256"),
				el("samlSubjectType", "PersistentId"),
			))
		app := &connectedApp{name: seed.Name, id: o.nextID(prefixConnectedApp), loginID: o.nextID(prefixSAMLLogin),
			comp: comp, pinned: pinned, created: now, modified: now}
		o.st.apps[app.name] = app
		return app.id, app.loginID
	}
	app := &connectedApp{name: seed.Name, id: o.nextID(prefixExternalApp), loginID: o.nextID(prefixSAMLLogin),
		comp: parent("metadata",
			el("contactEmail", o.defaultUser.username),
			el("distributionState", ecaLocalDistribution),
			el("label", seed.Label),
			// Admins get to use it, as a connected app's profileName grants.
		), pinned: pinned, granted: []string{ProfileSystemAdministrator}, created: now, modified: now}
	policy := parent("metadata", el("acsUrl", seed.ACS))
	for _, a := range attrs {
		policy.Children = append(policy.Children, parent("customAttributes", el("formula", a.text("formula")), el("key", a.text("key"))))
	}
	policy.Children = append(policy.Children,
		el("entityUrl", seed.EntityID),
		el("externalClientApplication", seed.Name),
		el("nameIdFormat", "Persistent"),
		el("signingAlgorithmType", "SHA256"),
		el("subjectType", "PersistentId"),
	)
	o.st.ecas[app.name] = app
	p := &ecaPolicy{name: seed.Name + "_SAML", id: o.nextID(prefixECAPolicy), app: seed.Name, comp: policy, created: now, modified: now}
	o.st.ecaPolicies[p.name] = p
	return app.id, app.loginID
}

// roleAttributes are the custom attributes of a contact center's app: the
// AWS Role (when the seed names one) and RoleSessionName.
func roleAttributes(seed ContactCenterSeed) []*node {
	var out []*node
	if seed.RoleARN != "" || seed.ProviderARN != "" {
		out = append(out, parent("attributes",
			el("formula", "'"+seed.RoleARN+","+seed.ProviderARN+"'"), el("key", samlmeta.AttrRole)))
	}
	return append(out, parent("attributes", el("formula", "$User.Username"), el("key", samlmeta.AttrRoleSessionName)))
}

// anyApp returns the connected app or ECA called name as stored, or nil.
func (s *state) anyApp(name string) *connectedApp {
	if a, ok := s.apps[name]; ok {
		return a
	}
	return s.ecas[name]
}

// samlApp returns the app called name as single sign-on sees it: a
// connected app, or an ECA with SAML policies as ecaView shows it; nil for
// neither.
func (s *state) samlApp(name string) *connectedApp {
	if a, ok := s.apps[name]; ok {
		return a
	}
	if a, ok := s.ecas[name]; ok {
		return s.ecaView(a)
	}
	return nil
}

// samlAppByLoginID returns the app whose IdP-initiated login id is id, as
// samlApp shows it, or nil.
func (s *state) samlAppByLoginID(id string) *connectedApp {
	for _, a := range s.apps {
		if a.loginID == id {
			return a
		}
	}
	for _, a := range s.ecas {
		if a.loginID == id {
			return s.ecaView(a)
		}
	}
	return nil
}

// pinnedBy returns the app (connected or ECA) that pins certificate cert,
// or "".
func (s *state) pinnedBy(cert string) string {
	for _, m := range []map[string]*connectedApp{s.apps, s.ecas} {
		for _, n := range sortedKeys(m) {
			if m[n].pinned == cert {
				return n
			}
		}
	}
	return ""
}
