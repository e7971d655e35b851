package rotation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Model is what an org rotation observes of the org, in one value: the
// org's default signing certificate, every app the identity provider
// reports with the certificate it signs with, and every relying-party trust
// an app names with the certificates it trusts. It covers every discovered
// contact center, in the rotation's scope or not: the whole-org sign-in
// invariant (see [Model.Broken]) is checked on it before every change.
//
// Certificates are named by their SHA-256 fingerprints; a certificate's
// name at the identity provider, when known, is in [ModelApp.Certificate].
type Model struct {
	// Default is the org's default signing certificate (no DER).
	Default Certificate `json:"default"`
	// Apps are the org's SAML apps, in discovery order: the contact
	// centers' and, when the identity provider lists them (AppLister),
	// every other SAML app of the org.
	Apps []ModelApp `json:"apps"`
	// Trusts are the relying-party trusts the apps name and, when the
	// relying party lists them (TrustLister), every other trust of the
	// identity provider in the accounts of the contact centers, keyed by
	// ARN.
	Trusts map[string]ModelTrust `json:"trusts"`
}

// ModelApp is one app of the org in a Model.
type ModelApp struct {
	App AppRef `json:"app"`
	// ContactCenter is the contact center the app signs in to; empty for
	// an app of no contact center.
	ContactCenter string `json:"contactCenter,omitempty"`
	// Kind is the kind of app, when the identity provider says it.
	Kind AppKind `json:"kind,omitempty"`
	// Trust is the relying-party trust of the app's sign-in; zero when it
	// names none (its sign-in is then not the rotation's to check).
	Trust TrustRef `json:"trust"`
	// Certificate is the certificate the app signs with (no DER).
	Certificate Certificate `json:"certificate"`
	// Pinned reports that the app names its own certificate instead of
	// following the org default.
	Pinned bool `json:"pinned,omitempty"`
	// InScope reports that the rotation switches the app.
	InScope bool `json:"inScope,omitempty"`
	// Acknowledged reports an app of no contact center that follows the
	// default and whose service provider the rotation does not update,
	// which the operator accepted to see changed (WithAcceptAffected).
	Acknowledged bool `json:"acknowledged,omitempty"`
	// ToPin reports such an app that a person is asked to pin to its
	// current certificate before anything changes (WithPinAffected).
	ToPin bool `json:"toPin,omitempty"`
}

// ModelTrust is one relying-party trust in a Model.
type ModelTrust struct {
	Ref TrustRef `json:"ref"`
	// Signing are the SHA-256 fingerprints of the certificates it trusts.
	Signing []string `json:"signing"`
	// Unattached reports a trust of the identity provider that no app of
	// the model names (found by TrustLister): the apps that sign in
	// through it are unknown, so it is taken to serve the apps that follow
	// the org default, and it must hold the default.
	Unattached bool `json:"unattached,omitempty"`
	// InScope reports that the rotation updates the trust.
	InScope bool `json:"inScope,omitempty"`
}

// Holds reports whether the trust trusts the certificate with fingerprint fp.
func (t ModelTrust) Holds(fp string) bool { return fp != "" && slices.Contains(t.Signing, fp) }

// Clone returns a deep copy of m.
func (m Model) Clone() Model {
	c := Model{Default: m.Default, Apps: slices.Clone(m.Apps), Trusts: make(map[string]ModelTrust, len(m.Trusts))}
	for k, t := range m.Trusts {
		t.Signing = slices.Clone(t.Signing)
		c.Trusts[k] = t
	}
	return c
}

// App returns the app named name.
func (m Model) App(name string) (ModelApp, bool) {
	i := slices.IndexFunc(m.Apps, func(a ModelApp) bool { return a.App.Name == name })
	if i < 0 {
		return ModelApp{}, false
	}
	return m.Apps[i], true
}

// Breakage is one app whose sign-in a Model says fails: it signs with a
// certificate its trust does not hold. App is empty for an unattached
// trust (see ModelTrust.Unattached) that does not hold the org default.
type Breakage struct {
	App         string `json:"app,omitempty"`
	Trust       string `json:"trust"`
	Certificate string `json:"certificate"`
}

func (b Breakage) String() string {
	if b.App == "" {
		return fmt.Sprintf("%s would not trust the org default %s, which every app that follows it signs with", b.Trust, short(b.Certificate))
	}
	return fmt.Sprintf("app %s would sign with %s, which %s does not trust", b.App, short(b.Certificate), b.Trust)
}

// key identifies the sign-in a breakage is about.
func (b Breakage) key() string { return b.App + "\x00" + b.Trust }

// Broken lists the sign-ins that fail in m: the whole-org sign-in
// invariant holds when it is empty. An app that names no trust is not
// checked; an unattached trust is checked against the org default.
func (m Model) Broken() []Breakage {
	var out []Breakage
	for _, a := range m.Apps {
		if a.Trust.IsZero() {
			continue
		}
		if t, ok := m.Trusts[a.Trust.ARN]; !ok || !t.Holds(a.Certificate.SHA256) {
			out = append(out, Breakage{App: a.App.Name, Trust: a.Trust.ARN, Certificate: a.Certificate.SHA256})
		}
	}
	for _, arn := range sortedKeys(m.Trusts) {
		if t := m.Trusts[arn]; t.Unattached && !t.Holds(m.Default.SHA256) {
			out = append(out, Breakage{Trust: arn, Certificate: m.Default.SHA256})
		}
	}
	return out
}

// After returns the model predicted once t is made. Setting the default
// also moves every app that follows it.
func (m Model) After(t Transition) Model {
	n := m.Clone()
	switch t.Kind {
	case TransitionTrust:
		tr := n.Trusts[t.Resource]
		tr.Signing = slices.Clone(t.To)
		n.Trusts[t.Resource] = tr
	case TransitionDefault:
		to := t.cert()
		n.Default = to
		for i, a := range n.Apps {
			if !a.Pinned {
				n.Apps[i].Certificate = to
			}
		}
	case TransitionApp:
		for i, a := range n.Apps {
			if a.App.Name == t.Resource {
				n.Apps[i].Certificate = t.cert()
			}
		}
	}
	return n
}

// TransitionKind names what a Transition changes.
type TransitionKind string

// Transition kinds.
const (
	// TransitionTrust replaces a trust's signing set: Resource is its ARN,
	// From and To the fingerprints.
	TransitionTrust TransitionKind = "trust"
	// TransitionDefault switches the org default: Resource is "default",
	// From and To one fingerprint each (ToName the certificate's name).
	TransitionDefault TransitionKind = "default"
	// TransitionApp switches one app: Resource is its name.
	TransitionApp TransitionKind = "app"
	// TransitionCreate creates a certificate: Resource is its name.
	TransitionCreate TransitionKind = "create"
	// TransitionDelete deletes a certificate: Resource is its name.
	TransitionDelete TransitionKind = "delete"
)

// Transition is one change a step makes to the Model.
type Transition struct {
	Kind     TransitionKind `json:"kind"`
	Resource string         `json:"resource"`
	From     []string       `json:"from,omitempty"`
	To       []string       `json:"to,omitempty"`
	// ToName is the identity provider's name of the certificate To names,
	// for a default or app switch.
	ToName string `json:"toName,omitempty"`
}

func (t Transition) cert() Certificate {
	c := Certificate{Name: t.ToName}
	if len(t.To) > 0 {
		c.SHA256 = t.To[0]
	}
	return c
}

// String says the change in one line, fingerprints shortened.
func (t Transition) String() string {
	set := func(fps []string) string {
		s := make([]string, len(fps))
		for i, fp := range fps {
			s[i] = short(fp)
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	switch t.Kind {
	case TransitionTrust:
		return fmt.Sprintf("trust %s: %s -> %s", t.Resource, set(t.From), set(t.To))
	case TransitionDefault:
		return fmt.Sprintf("org default: %s -> %s", set(t.From), set(t.To))
	case TransitionApp:
		return fmt.Sprintf("app %s: %s -> %s", t.Resource, set(t.From), set(t.To))
	case TransitionCreate:
		return "create certificate " + t.Resource
	case TransitionDelete:
		return "delete certificate " + t.Resource
	}
	return string(t.Kind) + " " + t.Resource
}

// checkInvariant refuses t when the model predicted after it breaks the
// sign-in of an app that works in cur (an app already failing is not the
// change's doing; preflight warns about it). With outage, the sign-in of
// apps in scope may break (the direct strategy's declared window); never
// that of an app out of scope.
func checkInvariant(cur Model, t Transition, outage bool) error {
	before := map[string]bool{}
	for _, b := range cur.Broken() {
		before[b.key()] = true
	}
	var broken []Breakage
	after := cur.After(t)
	for _, b := range after.Broken() {
		if !before[b.key()] && !(outage && after.inScope(b)) {
			broken = append(broken, b)
		}
	}
	if len(broken) == 0 {
		return nil
	}
	return &InvariantError{Transition: t, Broken: broken}
}

// inScope reports whether the sign-in of b is the rotation's: its app is
// in scope, or, for an unattached trust, the trust is.
func (m Model) inScope(b Breakage) bool {
	if b.App == "" {
		return m.Trusts[b.Trust].InScope
	}
	a, _ := m.App(b.App)
	return a.InScope
}

// short shortens a fingerprint for a message.
func short(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
