package rotation

import (
	"slices"
)

// Effect says what a planned rotation does to what uses a certificate.
type Effect string

// Effects of a rotation.
const (
	// EffectChanges: the rotation changes it (an app then signs with
	// another certificate, a trust holds other certificates).
	EffectChanges Effect = "changes"
	// EffectLeaves: the rotation leaves it as it is.
	EffectLeaves Effect = "leaves"
	// EffectBreaks: after the rotation its sign-in fails; preflight
	// refuses such a rotation.
	EffectBreaks Effect = "breaks"
)

// Usage is the certificate-usage view of an org: for each certificate,
// which SAML apps sign with it and which trusts trust it, and what a
// planned rotation does to each. Build it with UsageOf.
type Usage struct {
	Certificates []CertificateUsage `json:"certificates"`
}

// CertificateUsage is what uses one certificate.
type CertificateUsage struct {
	// Certificate is the certificate (no DER); Name is empty when only a
	// trust's document names it.
	Certificate Certificate `json:"certificate"`
	// Default reports the org default.
	Default bool         `json:"default,omitempty"`
	Apps    []AppUsage   `json:"apps"`
	Trusts  []TrustUsage `json:"trusts"`
}

// AppUsage is one SAML app that signs with a certificate.
type AppUsage struct {
	App           AppRef  `json:"app"`
	Kind          AppKind `json:"kind,omitempty"`
	ContactCenter string  `json:"contactCenter,omitempty"`
	Pinned        bool    `json:"pinned,omitempty"`
	// Trust is the ARN of the trust its sign-in goes through, when known.
	Trust  string `json:"trust,omitempty"`
	Effect Effect `json:"effect"`
	// To is the fingerprint it signs with after the rotation (NewCertificate
	// for the certificate the rotation creates), when it changes.
	To string `json:"to,omitempty"`
	// Updated reports that the rotation updates its trust too.
	Updated bool `json:"updated,omitempty"`
	// Acknowledged reports an app changed, not updated, with the
	// operator's acknowledgement (WithAcceptAffected).
	Acknowledged bool `json:"acknowledged,omitempty"`
	// Reason says why it breaks, or what a person is asked to do.
	Reason string `json:"reason,omitempty"`
}

// TrustUsage is one trust that trusts a certificate.
type TrustUsage struct {
	Trust TrustRef `json:"trust"`
	// Unattached reports a trust no app names (see ModelTrust.Unattached).
	Unattached bool   `json:"unattached,omitempty"`
	Effect     Effect `json:"effect"`
	Reason     string `json:"reason,omitempty"`
}

// UsageOf returns the usage view of m under the planned transitions
// (OrgPlan.Transitions), applied in order.
func UsageOf(m Model, steps []StepTransitions) Usage {
	final, changed := m.Clone(), map[string]bool{}
	for _, s := range steps {
		for _, t := range s.Transitions {
			final = final.After(t)
			if t.Kind == TransitionTrust {
				changed[t.Resource] = true
			}
		}
	}
	before, after := map[string]bool{}, map[string]Breakage{}
	var breaks []Breakage
	for _, b := range m.Broken() {
		before[b.key()] = true
	}
	for _, b := range final.Broken() {
		if !before[b.key()] {
			after[b.key()] = b
			breaks = append(breaks, b)
		}
	}
	var u Usage
	use := func(c Certificate) *CertificateUsage {
		i := slices.IndexFunc(u.Certificates, func(x CertificateUsage) bool { return x.Certificate.SHA256 == c.SHA256 })
		if i < 0 {
			u.Certificates = append(u.Certificates, CertificateUsage{Certificate: bare(c), Apps: []AppUsage{}, Trusts: []TrustUsage{}})
			i = len(u.Certificates) - 1
		}
		if u.Certificates[i].Certificate.Name == "" {
			u.Certificates[i].Certificate.Name = c.Name
		}
		return &u.Certificates[i]
	}
	use(m.Default).Default = true
	for i, a := range m.Apps {
		au := AppUsage{App: a.App, Kind: a.Kind, ContactCenter: a.ContactCenter, Pinned: a.Pinned, Trust: a.Trust.ARN,
			Effect: EffectLeaves, Updated: !a.Trust.IsZero() && changed[a.Trust.ARN], Acknowledged: a.Acknowledged}
		if to := final.Apps[i].Certificate.SHA256; to != a.Certificate.SHA256 {
			au.Effect, au.To = EffectChanges, to
		}
		if b, ok := after[Breakage{App: a.App.Name, Trust: a.Trust.ARN}.key()]; ok {
			au.Effect, au.Reason = EffectBreaks, b.String()
		} else if a.ToPin {
			au.Effect, au.To, au.Reason = EffectLeaves, "", "a person is asked to pin it to its current certificate before anything changes"
		} else if au.Effect == EffectChanges && a.Trust.IsZero() && !a.Acknowledged {
			au.Effect, au.Reason = EffectBreaks, "it would sign with another certificate and its service provider is not updated: acknowledge it, supply a relying party for it, or pin it to its current certificate first"
		}
		c := use(a.Certificate)
		c.Apps = append(c.Apps, au)
	}
	for _, arn := range sortedKeys(m.Trusts) {
		t := m.Trusts[arn]
		tu := TrustUsage{Trust: t.Ref, Unattached: t.Unattached, Effect: EffectLeaves}
		if changed[arn] {
			tu.Effect = EffectChanges
		}
		if i := slices.IndexFunc(breaks, func(b Breakage) bool { return b.Trust == arn }); i >= 0 {
			tu.Effect, tu.Reason = EffectBreaks, breaks[i].String()
		}
		for _, fp := range t.Signing {
			c := use(Certificate{SHA256: fp})
			c.Trusts = append(c.Trusts, tu)
		}
	}
	return u
}

// Affected returns the apps the rotation would change without updating
// their service providers and that nobody acknowledged: preflight refuses
// the rotation while there are any (see AffectedAppsError).
func (u Usage) Affected() []string {
	var names []string
	for _, c := range u.Certificates {
		for _, a := range c.Apps {
			if a.Effect == EffectBreaks && a.Trust == "" {
				names = append(names, a.App.Name)
			}
		}
	}
	return names
}

// NotUpdated returns the apps of m that a rotation changes without
// updating their service providers, as acknowledged (WithAcceptAffected).
func (m Model) NotUpdated() []AppRef {
	var apps []AppRef
	for _, a := range m.Apps {
		if a.Acknowledged {
			apps = append(apps, a.App)
		}
	}
	return apps
}
