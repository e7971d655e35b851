package rotation

import (
	"sync"
	"time"
)

// State is everything a rotation knows and has changed. It is plain data so
// that a journal can persist it and a later process can resume from it; it
// never holds a secret (no token, no private key, no SAML Response).
//
// Steps that fan out over goroutines must take the lock with Lock/Unlock
// around their writes.
type State struct {
	mu sync.Mutex

	// ID identifies the rotation (used in certificate names and journals).
	ID string `json:"id"`
	// Target names what is rotated (an org id); lock keys derive from it.
	Target    string    `json:"target"`
	StartedAt time.Time `json:"startedAt"`
	// Plan records the options of the org plan that made the State (see
	// OrgOptionsFrom); nil for other plans.
	Plan *PlanOptions `json:"plan,omitempty"`

	// Org is the model of the whole org preflight observed: every
	// contact center, in scope or not, every other SAML app the identity
	// provider lists, every trust they name and every unattached trust.
	Org Model `json:"org"`
	// ContactCenters are those in scope, as discovered by preflight.
	ContactCenters []ContactCenter `json:"contactCenters,omitempty"`
	// AppTargets are the SAML apps of no contact center given a relying
	// party (WithAppRelyingParty), as contact centers with no name: their
	// trusts are updated and verified like the contact centers'.
	AppTargets []ContactCenter `json:"appTargets,omitempty"`
	// ExtraTrusts are the trusts of the identity provider that no app
	// names and that the rotation updates (see ModelTrust.Unattached).
	ExtraTrusts []TrustRef `json:"extraTrusts,omitempty"`
	// OldDefault is the org default certificate before the rotation.
	OldDefault Certificate `json:"oldDefault"`
	// New is the certificate the rotation created, under a name derived
	// from ID (so that a retry finds it and rollback deletes it by name).
	New Certificate `json:"new"`
	// Apps records each in-scope app's signing before the rotation, keyed
	// by app name.
	Apps map[string]AppState `json:"apps,omitempty"`
	// Trusts records each in-scope relying-party document, keyed by trust
	// ARN.
	Trusts map[string]TrustState `json:"trusts,omitempty"`
	// Verified is what the last verification that passed proved.
	Verified []SignInProof `json:"verified,omitempty"`
	// Values holds data of custom steps. Never put a secret here.
	Values map[string]string `json:"values,omitempty"`
}

// AppState is what the rotation knows of one app.
type AppState struct {
	App    AppRef      `json:"app"`
	Before Certificate `json:"before"`
	Pinned bool        `json:"pinned,omitempty"`
	// Algorithm is the signing algorithm the app is configured with (see
	// AppSigning.Algorithm).
	Algorithm string `json:"algorithm,omitempty"`
}

// TrustState is what the rotation knows of one relying-party trust. The
// documents the org plan sets are derived from the original (see
// OrgPlan.Transitions), so a resumed process expects the same bytes.
type TrustState struct {
	// Original is the snapshot taken before any change; rollback restores
	// its Document byte for byte.
	Original TrustSnapshot `json:"original"`
	// IdPValidUntil is the validUntil of the metadata the identity
	// provider published for the trust's apps when preflight ran; zero
	// when it gave none. The documents the rotation sets carry it, never
	// the one Original holds.
	IdPValidUntil time.Time `json:"idpValidUntil,omitzero"`
}

// SignInProof is what one verified SAML Response proved: the certificate
// that verified its signature and its Issuer. The Response itself, a bearer
// credential while valid, is never kept.
type SignInProof struct {
	App      string `json:"app"`
	SignedBy string `json:"signedBy"`
	Issuer   string `json:"issuer"`
}

// Lock locks the state for a write from a concurrent goroutine.
func (s *State) Lock() { s.mu.Lock() }

// Unlock releases Lock.
func (s *State) Unlock() { s.mu.Unlock() }

// SetValue records a custom step's value under key.
func (s *State) SetValue(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Values == nil {
		s.Values = map[string]string{}
	}
	s.Values[key] = value
}

// Value returns the custom value recorded under key.
func (s *State) Value(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Values[key]
}
