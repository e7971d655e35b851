package sftest

import (
	"fmt"
	"html"
	"net/http"
	"slices"
)

// GrantExternalClientApp gives the users of the profiles or permission sets
// named (by profile name or permission set API name) access to the External
// Client App eca, as its policies' Manage Profiles and Manage Permission
// Sets pages do: each grant is a SetupEntityAccess of type
// ExternalClientApplication, and an IdP-initiated login into the ECA by a
// user with none of its grants is refused (accessFacts). A connected app's
// grants are its profileName and permissionSetName elements instead. A name
// that is no profile is a permission set, created when new (without
// permissions), as AssignPermissionSet does. It fails when there is no
// such ECA.
func (o *Org) GrantExternalClientApp(eca string, names ...string) error {
	return o.setECAGrants(eca, names, true)
}

// RevokeExternalClientApp takes the access GrantExternalClientApp gave (or
// the seed gave) from the profiles or permission sets named.
func (o *Org) RevokeExternalClientApp(eca string, names ...string) error {
	return o.setECAGrants(eca, names, false)
}

func (o *Org) setECAGrants(eca string, names []string, grant bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	app, ok := o.st.ecas[eca]
	if !ok {
		return fmt.Errorf("sftest: no external client app named %q", eca)
	}
	for _, n := range names {
		if _, isProfile := o.auth.access.profiles[n]; !isProfile {
			o.permSetLocked(n)
		}
	}
	granted := slices.Clone(app.granted)
	for _, n := range names {
		if grant && !slices.Contains(granted, n) {
			granted = append(granted, n)
		}
		if !grant {
			granted = slices.DeleteFunc(granted, func(g string) bool { return g == n })
		}
	}
	cp := *app
	cp.granted = granted
	o.st.ecas[eca] = &cp
	return nil
}

// appPermSetsLocked are the ids of the permission sets that grant the app:
// those of its profileName and permissionSetName elements, and for an ECA
// those of the profiles and permission sets it was granted
// (GrantExternalClientApp).
func (o *Org) appPermSetsLocked(app *connectedApp) []string {
	a := &o.auth.access
	var out []string
	profile := func(name string) bool {
		p, ok := a.profiles[name]
		if ok {
			out = append(out, p.permSet)
		}
		return ok
	}
	permSet := func(name string) {
		for _, ps := range a.permSets {
			if ps.profileID == "" && ps.name == name {
				out = append(out, ps.id)
			}
		}
	}
	for _, n := range app.comp.all("profileName") {
		profile(n.Text)
	}
	for _, n := range app.comp.all("permissionSetName") {
		permSet(n.Text)
	}
	for _, name := range app.granted {
		if !profile(name) {
			permSet(name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// refuseAppAccess answers the page Salesforce shows a user without access to
// the app of an IdP-initiated login, and reports whether it did.
func (o *Org) refuseAppAccess(w http.ResponseWriter, loginID string, u *user) bool {
	o.mu.Lock()
	var app *connectedApp
	for _, a := range o.st.apps {
		if a.loginID == loginID {
			app = a
		}
	}
	for _, a := range o.st.ecas {
		if a.loginID == loginID {
			app = a
		}
	}
	allowed := app == nil // loginSpec answers an unknown app
	if app != nil {
		mine := o.userPermSetsLocked(u)
		allowed = slices.ContainsFunc(o.appPermSetsLocked(app), func(id string) bool { return mine[id] })
	}
	o.mu.Unlock()
	if allowed {
		return false
	}
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>` + insufficientPrivilegesPg + `</title></head><body><h1>` +
		insufficientPrivilegesPg + `</h1><p>You do not have the level of access necessary to perform the operation you ` +
		`requested. Please contact the owner of the record or your administrator if access is necessary.</p><p>` +
		html.EscapeString(app.comp.text("label")) + `</p></body></html>`))
	return true
}
