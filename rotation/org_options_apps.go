package rotation

import (
	"context"
	"fmt"
	"slices"
)

// AppRelyingParty is the relying party of a SAML app of no contact center
// (see WithAppRelyingParty) and the trust through which the app signs in.
type AppRelyingParty struct {
	RP    RelyingParty
	Trust TrustRef
}

// WithAcceptAffected acknowledges that the rotation switches the
// certificate of the named SAML apps (API names) while their service
// providers are not updated: each is recorded as changed, not updated,
// instead of refusing the rotation (see AffectedAppsError).
func WithAcceptAffected(apps ...string) OrgOption {
	return func(o *OrgOptions) { o.AcceptAffected = append(o.AcceptAffected, apps...) }
}

// WithAppRelyingParty supplies the relying party of the SAML app named app,
// of no contact center, and the trust through which it signs in: the
// rotation then updates and verifies that trust as it does a contact
// center's (see the package documentation for how to write one). A
// relying party is not recorded in the journal: give the option again to
// resume or roll back.
func WithAppRelyingParty(app string, rp RelyingParty, ref TrustRef) OrgOption {
	return func(o *OrgOptions) {
		if o.AppRelyingParties == nil {
			o.AppRelyingParties = map[string]AppRelyingParty{}
		}
		o.AppRelyingParties[app] = AppRelyingParty{RP: rp, Trust: ref}
	}
}

// WithPinAffected asks a person, at preflight's manual gate, to pin each
// named SAML app (of no contact center, following the default) to the
// current default certificate before anything changes: a pinned app does
// not follow the switch. The gate's Wait reads the apps (AppLister) until
// each is pinned to it, then preflight runs again.
func WithPinAffected(apps ...string) OrgOption {
	return func(o *OrgOptions) { o.PinAffected = append(o.PinAffected, apps...) }
}

// WithExcludeTrusts leaves out of the rotation the trusts with these ARNs
// that the relying party lists for the identity provider (see
// TrustLister) and that no app names. Preflight refuses an exclusion that
// would break a sign-in with an *ExcludeError.
func WithExcludeTrusts(arns ...string) OrgOption {
	return func(o *OrgOptions) { o.ExcludeTrusts = append(o.ExcludeTrusts, arns...) }
}

// checkApps checks the options about apps of no contact center.
func (o *OrgOptions) checkApps() error {
	for _, name := range sortedKeys(o.AppRelyingParties) {
		a := o.AppRelyingParties[name]
		if name == "" || a.RP == nil || a.Trust.ARN == "" {
			return fmt.Errorf("%w: the relying party of app %q needs an app name, a relying party and a trust ARN", ErrInvalidInput, name)
		}
		if slices.Contains(o.AcceptAffected, name) || slices.Contains(o.PinAffected, name) {
			return fmt.Errorf("%w: app %q is given a relying party and also acknowledged or to be pinned; choose one", ErrInvalidInput, name)
		}
	}
	for _, name := range o.PinAffected {
		if slices.Contains(o.AcceptAffected, name) {
			return fmt.Errorf("%w: app %q is both acknowledged and to be pinned; choose one", ErrInvalidInput, name)
		}
	}
	return nil
}

// appRouter is the plan's relying party: it sends a call about the trust
// of an app given a relying party (WithAppRelyingParty) to that relying
// party, and every other call to the plan's.
type appRouter struct {
	RelyingParty
	byARN map[string]RelyingParty
}

// routeApps returns rp, routed to the relying parties of apps.
func routeApps(rp RelyingParty, apps map[string]AppRelyingParty) RelyingParty {
	if len(apps) == 0 {
		return rp
	}
	r := &appRouter{RelyingParty: rp, byARN: map[string]RelyingParty{}}
	for _, a := range apps {
		r.byARN[a.Trust.ARN] = a.RP
	}
	return r
}

func (r *appRouter) to(ref TrustRef) RelyingParty {
	if rp, ok := r.byARN[ref.ARN]; ok {
		return rp
	}
	return r.RelyingParty
}

func (r *appRouter) Trust(ctx context.Context, ref TrustRef) (TrustSnapshot, error) {
	return r.to(ref).Trust(ctx, ref)
}

func (r *appRouter) SetTrust(ctx context.Context, ref TrustRef, doc []byte) error {
	return r.to(ref).SetTrust(ctx, ref, doc)
}
