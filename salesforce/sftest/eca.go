package sftest

import (
	"encoding/pem"
	"time"
)

// External Client Apps (ECAs): the org stores each ExternalClientApplication
// with the hidden state a connected app has (ids and the pinned IdP
// certificate, as a connectedApp value in state.ecas) and each
// ExtlClntAppSamlConfigurablePolicies component, which names its app. The
// rules are in ecaFacts (facts.go).

const (
	typeECA       = "ExternalClientApplication"
	typeECAPolicy = "ExtlClntAppSamlConfigurablePolicies"
)

// ecaPolicy is a stored ExtlClntAppSamlConfigurablePolicies component.
type ecaPolicy struct {
	name, id string
	// app is the ECA the policies belong to (externalClientApplication).
	app string
	// comp holds the component's elements after fullName, in WSDL order.
	comp              *node
	created, modified time.Time
}

// ecaRecord renders an ECA or its SAML policies as a readMetadata record.
func (s *state) ecaRecord(typ, name string) *node {
	if typ == typeECA {
		if a, ok := s.ecas[name]; ok {
			return componentRecord(name, a.comp)
		}
		return nil
	}
	if p, ok := s.ecaPolicies[name]; ok {
		return componentRecord(name, p.comp)
	}
	return nil
}

// policyOf returns the SAML policies of the ECA app, or nil.
func (s *state) policyOf(app string) *ecaPolicy {
	for _, n := range sortedKeys(s.ecaPolicies) {
		if p := s.ecaPolicies[n]; p.app == app {
			return p
		}
	}
	return nil
}

// saveECALocked validates one ECA or SAML policies component and applies it
// to st.
func (o *Org) saveECALocked(st *state, create bool, typ string, c *node) []saveError {
	name, now := c.text("fullName"), o.now()
	if create && !validUniqueName(name) {
		return errorf(codeFieldIntegrity, []string{"fullName"}, "The API name %q is not a valid unique name", name)
	}
	if typ == typeECA {
		a, ok := st.ecas[name]
		switch {
		case create && ok:
			return errorf(codeDuplicateValue, []string{"fullName"}, "duplicate value found: an external client app named %s exists", name)
		case !create && !ok:
			return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", typ, name))
		case st.policyOf(name) != nil && c.text("distributionState") != ecaLocalDistribution:
			return errorf(codeFieldIntegrity, []string{"distributionState"},
				"An external client app with SAML policies must have distributionState %s", ecaLocalDistribution)
		}
		if create {
			a = &connectedApp{name: name, id: o.nextID(prefixExternalApp), loginID: o.nextID(prefixSAMLLogin), created: now}
			st.ecas[name] = a
		} else {
			cp := *a
			a = &cp
			st.ecas[name] = a
		}
		a.comp, a.modified = storedComponent(c), now
		return nil
	}
	app := c.text("externalClientApplication")
	p, ok := st.ecaPolicies[name]
	eca, appOK := st.ecas[app]
	other := st.policyOf(app)
	switch {
	case create && ok:
		return errorf(codeDuplicateValue, []string{"fullName"}, "duplicate value found: SAML policies named %s exist", name)
	case !create && !ok:
		return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", typ, name))
	case !create && p.app != app:
		return errorf(codeFieldIntegrity, []string{"externalClientApplication"}, "The external client app of SAML policies cannot be changed")
	case !appOK:
		return errorf(codeInvalidCrossRef, []string{"externalClientApplication"}, "%s",
			noSuchComponent("externalClientApplication", typeECA, app))
	case eca.comp.text("distributionState") != ecaLocalDistribution:
		return errorf(codeFieldIntegrity, []string{"externalClientApplication"},
			"The external client app %s must have distributionState %s to have SAML policies", app, ecaLocalDistribution)
	case other != nil && other.name != name:
		return errorf(codeDuplicateValue, []string{"externalClientApplication"},
			"duplicate value found: the external client app %s has SAML policies %s", app, other.name)
	}
	if c.child("certificate") != nil {
		if blk, _ := pem.Decode([]byte(c.text("certificate"))); blk == nil || blk.Type != "CERTIFICATE" {
			return errorf(codeFieldIntegrity, []string{"certificate"}, "certificate must be a PEM-encoded X.509 certificate")
		}
	}
	if create {
		p = &ecaPolicy{name: name, id: o.nextID(prefixECAPolicy), app: app, created: now}
	} else {
		cp := *p
		p = &cp
	}
	p.comp, p.modified = storedComponent(c), now
	st.ecaPolicies[name] = p
	return nil
}

// ecaFileProperties lists the ECAs or their SAML policies.
func (o *Org) ecaFileProperties(typ string) []*node {
	var out []*node
	if typ == typeECA {
		for _, n := range sortedKeys(o.st.ecas) {
			a := o.st.ecas[n]
			out = append(out, o.fileProperties(typ, n, a.id, "externalClientApps/"+n+".eca", a.created, a.modified))
		}
		return out
	}
	for _, n := range sortedKeys(o.st.ecaPolicies) {
		p := o.st.ecaPolicies[n]
		out = append(out, o.fileProperties(typ, n, p.id, "extlClntAppSamlConfigurablePolicies/"+n+".ecaSamlPlcy", p.created, p.modified))
	}
	return out
}

// ecaSAMLNames maps the elements of ExtlClntAppSamlConfigurablePolicies to
// those of ConnectedAppSamlConfig that mean the same, so that single sign-on
// serves an ECA through the connected apps' code path.
var ecaSAMLNames = []struct{ eca, connected string }{
	{"acsUrl", "acsUrl"},
	{"certificate", "certificate"},
	{"encryptionCertificate", "encryptionCertificate"},
	{"encryptionType", "encryptionType"},
	{"entityUrl", "entityUrl"},
	{"issuer", "issuer"},
	{"singleLogoutBindingType", "samlIdpSLOBindingEnum"},
	{"nameIdFormat", "samlNameIdFormat"},
	{"signingAlgorithmType", "samlSigningAlgoType"},
	{"singleLogoutUrl", "samlSloUrl"},
	{"subjectCustomAttribute", "samlSubjectCustomAttr"},
	{"subjectType", "samlSubjectType"},
}

// ecaView is the ECA a as a connected app: its custom attributes as
// attributes and its SAML policies as a samlConfig in ConnectedAppSamlConfig
// order; nil when a has no SAML policies.
func (s *state) ecaView(a *connectedApp) *connectedApp {
	p := s.policyOf(a.name)
	if p == nil {
		return nil
	}
	comp := parent("metadata")
	for _, at := range p.comp.all("customAttributes") {
		comp.Children = append(comp.Children, parent("attributes", el("formula", at.text("formula")), el("key", at.text("key"))))
	}
	comp.Children = append(comp.Children, el("label", a.comp.text("label")))
	saml := parent("samlConfig")
	for _, m := range ecaSAMLNames {
		if v := p.comp.child(m.eca); v != nil {
			saml.Children = append(saml.Children, el(m.connected, v.Text))
		}
	}
	comp.Children = append(comp.Children, saml)
	view := *a
	view.comp = comp
	return &view
}
