package sftest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Who may do what in the fake org: OAuth scopes of sessions, profiles,
// permission sets and their assignments, and the connected apps each grants
// (accessFacts in access_facts.go).

// Record id key prefixes of the access objects [C].
const (
	prefixProfile            = "00e"
	prefixPermissionSet      = "0PS"
	prefixPermSetAssignment  = "0Pa"
	prefixSetupEntityAccess  = "0J0"
	setupEntityConnectedApp  = "ConnectedApplication"
	setupEntityECA           = "ExternalClientApplication"
	insufficientPrivilegesPg = "Insufficient Privileges"
)

// Profile and permission set names the fake seeds.
const (
	// ProfileSystemAdministrator is the profile of every user the fake
	// creates: it has every permission a rotation needs.
	ProfileSystemAdministrator = "System Administrator"
	// ProfileStandardUser is a profile without setup permissions.
	ProfileStandardUser = "Standard User"
	// PermissionSetContactCenterAdmin is the permission set Service Cloud
	// Voice assigns to grant access to a contact center's connected app;
	// every seeded contact center's app names it and every user the fake
	// creates has it assigned.
	PermissionSetContactCenterAdmin = "ContactCenterAdminAmazonConnect"
)

// Permission fields of PermissionSet the fake knows [C].
const (
	PermissionAPIEnabled           = "PermissionsApiEnabled"
	PermissionViewSetup            = "PermissionsViewSetup"
	PermissionCustomizeApplication = "PermissionsCustomizeApplication"
	PermissionModifyMetadata       = "PermissionsModifyMetadata"
	PermissionModifyAllData        = "PermissionsModifyAllData"
)

var permissionFields = []string{PermissionAPIEnabled, PermissionViewSetup, PermissionCustomizeApplication,
	PermissionModifyMetadata, PermissionModifyAllData}

// DefaultScopes are the OAuth scopes of the seeded session (AccessToken) and
// of the tokens the token endpoint issues to a client without
// SetClientScopes.
var DefaultScopes = []string{"api", "web", "refresh_token"}

type profile struct {
	id, name string
	// permSet is the id of the permission set the profile owns.
	permSet string
}

type permissionSet struct {
	id, name, label string
	// profileID is set for the permission set a profile owns.
	profileID string
	perms     map[string]bool
}

// accessState is the org's users' access: scopes of sessions and clients,
// profiles, permission sets and assignments.
type accessState struct {
	scopes       map[string][]string // session id -> scopes
	clientScopes map[string][]string // OAuth client id -> scopes
	profiles     map[string]*profile // by name
	permSets     map[string]*permissionSet
	userProfile  map[string]string          // user id -> profile name
	assigned     map[string]map[string]bool // user id -> assigned permission set ids
	// rowIDs holds the ids of PermissionSetAssignment and SetupEntityAccess
	// records, by their two parent ids.
	rowIDs map[[2]string]string
	seq    int
}

func newAccessState() accessState {
	return accessState{scopes: map[string][]string{}, clientScopes: map[string][]string{},
		profiles: map[string]*profile{}, permSets: map[string]*permissionSet{},
		userProfile: map[string]string{}, assigned: map[string]map[string]bool{}, rowIDs: map[[2]string]string{}}
}

// seedUserAccessLocked gives a new user the System Administrator profile
// and the contact center permission set.
func (o *Org) seedUserAccessLocked(u *user) {
	a := &o.auth.access
	a.userProfile[u.id] = o.profileLocked(ProfileSystemAdministrator).name
	a.assigned[u.id] = map[string]bool{o.permSetLocked(PermissionSetContactCenterAdmin).id: true}
}

// profileLocked returns the profile, creating it (System Administrator
// with every permission, any other with API Enabled only).
func (o *Org) profileLocked(name string) *profile {
	a := &o.auth.access
	if p, ok := a.profiles[name]; ok {
		return p
	}
	a.seq++
	p := &profile{id: newID(prefixProfile, a.seq), name: name}
	perms := map[string]bool{PermissionAPIEnabled: true}
	if name == ProfileSystemAdministrator {
		for _, f := range permissionFields {
			perms[f] = true
		}
	}
	ps := o.newPermSetLocked("X00e"+p.id[3:15], name, perms)
	ps.profileID, p.permSet = p.id, ps.id
	a.profiles[name] = p
	return p
}

// permSetLocked returns the permission set with the API name, creating it
// without permissions.
func (o *Org) permSetLocked(name string) *permissionSet {
	for _, ps := range o.auth.access.permSets {
		if ps.profileID == "" && ps.name == name {
			return ps
		}
	}
	label := name
	if name == PermissionSetContactCenterAdmin {
		label = "Contact Center Admin (Amazon Connect)"
	}
	return o.newPermSetLocked(name, label, map[string]bool{})
}

func (o *Org) newPermSetLocked(name, label string, perms map[string]bool) *permissionSet {
	a := &o.auth.access
	a.seq++
	ps := &permissionSet{id: newID(prefixPermissionSet, a.seq), name: name, label: label, perms: perms}
	a.permSets[ps.id] = ps
	return ps
}

// AddUser creates a user with the profile (created when new, with only the
// API Enabled permission unless it is ProfileSystemAdministrator) and no
// permission set. It panics when the username is taken.
func (o *Org) AddUser(username, profileName string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.auth.users[username]; dup {
		panic("sftest: AddUser: user " + username + " exists")
	}
	u := o.userLocked(username)
	o.auth.access.userProfile[u.id] = o.profileLocked(profileName).name
	o.auth.access.assigned[u.id] = map[string]bool{}
}

// SetUserProfile plays the admin who changes a user's profile (created
// when new, as AddUser does).
func (o *Org) SetUserProfile(username, profileName string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.userNamedLocked(username)
	if err != nil {
		return err
	}
	o.auth.access.userProfile[u.id] = o.profileLocked(profileName).name
	return nil
}

// SetProfilePermission sets one permission field (PermissionCustomizeApplication,
// …) of a profile, creating the profile when new.
func (o *Org) SetProfilePermission(profileName, field string, granted bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.profileLocked(profileName)
	o.auth.access.permSets[p.permSet].perms[field] = granted
}

// AssignPermissionSet assigns the permission set (created when new, without
// permissions) to the user.
func (o *Org) AssignPermissionSet(username, permSet string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.userNamedLocked(username)
	if err != nil {
		return err
	}
	o.auth.access.assigned[u.id][o.permSetLocked(permSet).id] = true
	return nil
}

// UnassignPermissionSet removes the user's assignment of the permission set.
func (o *Org) UnassignPermissionSet(username, permSet string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.userNamedLocked(username)
	if err != nil {
		return err
	}
	delete(o.auth.access.assigned[u.id], o.permSetLocked(permSet).id)
	return nil
}

// SessionToken issues a new opaque session id for the user with the OAuth
// scopes (DefaultScopes when none), as a connected app with those scopes
// would: "api" alone gives a session the REST and SOAP APIs accept and
// frontdoor.jsp refuses.
func (o *Org) SessionToken(username string, scopes ...string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	u, err := o.userNamedLocked(username)
	if err != nil {
		return "", err
	}
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	return o.mintTokenLocked(u, false, scopes), nil
}

// userNamedLocked returns the user with the username.
func (o *Org) userNamedLocked(username string) (*user, error) {
	u, ok := o.auth.users[username]
	if !ok {
		return nil, fmt.Errorf("sftest: no user %q", username)
	}
	return u, nil
}

// SetClientScopes sets the OAuth scopes the token endpoint grants the
// connected app clientID (a JWT bearer or client credentials client).
func (o *Org) SetClientScopes(clientID string, scopes ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.auth.access.clientScopes[clientID] = slices.Clone(scopes)
}

// clientScopesLocked are the scopes granted to clientID.
func (o *Org) clientScopesLocked(clientID string) []string {
	if s, ok := o.auth.access.clientScopes[clientID]; ok {
		return s
	}
	return DefaultScopes
}

// uiSessionLocked reports whether frontdoor.jsp turns the session into a UI
// session: its scopes include web or full (accessFacts).
func (o *Org) uiSessionLocked(token string) bool {
	s := o.auth.access.scopes[token]
	return slices.Contains(s, "web") || slices.Contains(s, "full")
}

// userPermSetsLocked are the ids of every permission set of the user: the
// one its profile owns and those assigned.
func (o *Org) userPermSetsLocked(u *user) map[string]bool {
	a := &o.auth.access
	out := map[string]bool{}
	if p, ok := a.profiles[a.userProfile[u.id]]; ok {
		out[p.permSet] = true
	}
	for id := range a.assigned[u.id] {
		out[id] = true
	}
	return out
}

// setupObjects are the objects only users with View Setup and
// Configuration may query (accessFacts).
var setupObjects = []string{"PermissionSetAssignment", "SetupEntityAccess"}

// refuseSetupQuery answers a query of a setup object by a user without View
// Setup and Configuration as Salesforce answers an object the user cannot
// see, and reports whether it did.
func (o *Org) refuseSetupQuery(w http.ResponseWriter, r *http.Request, q string) bool {
	m := fromObject.FindStringSubmatch(q)
	if m == nil || !slices.ContainsFunc(setupObjects, func(s string) bool { return strings.EqualFold(s, m[1]) }) {
		return false
	}
	o.mu.Lock()
	allowed := false
	if u, ok := o.sessionLocked(bearer(r.Header.Get("Authorization")), false); ok {
		for id := range o.userPermSetsLocked(u) {
			allowed = allowed || o.auth.access.permSets[id].perms[PermissionViewSetup]
		}
	}
	o.mu.Unlock()
	if allowed {
		return false
	}
	writeRESTError(w, 0, codeInvalidType, soqlError(q, strings.Index(q, m[1])+1, notSupportedObject(m[1])))
	return true
}

// accessRowsLocked lists the records of the access objects.
func (o *Org) accessRowsLocked(object string) []map[string]any {
	a := &o.auth.access
	var rows []map[string]any
	switch object {
	case "Profile":
		for _, p := range a.profiles {
			rows = append(rows, map[string]any{"Id": p.id, "Name": p.name})
		}
	case "PermissionSet":
		for _, ps := range a.permSets {
			row := map[string]any{"Id": ps.id, "Name": ps.name, "Label": ps.label,
				"IsOwnedByProfile": ps.profileID != "", "ProfileId": nilIfEmpty(ps.profileID)}
			for _, f := range permissionFields {
				row[f] = ps.perms[f]
			}
			rows = append(rows, row)
		}
	case "PermissionSetAssignment":
		for _, u := range o.auth.users {
			for id := range o.userPermSetsLocked(u) {
				rows = append(rows, map[string]any{"Id": o.rowIDLocked(prefixPermSetAssignment, u.id, id), "AssigneeId": u.id, "PermissionSetId": id})
			}
		}
	case "SetupEntityAccess":
		for typ, apps := range map[string]map[string]*connectedApp{setupEntityConnectedApp: o.st.apps, setupEntityECA: o.st.ecas} {
			for _, app := range apps {
				for _, ps := range o.appPermSetsLocked(app) {
					rows = append(rows, map[string]any{"Id": o.rowIDLocked(prefixSetupEntityAccess, ps, app.id),
						"ParentId": ps, "SetupEntityId": app.id, "SetupEntityType": typ})
				}
			}
		}
	}
	return rows
}

// rowIDLocked is the id of the record joining two parents, made on first
// use.
func (o *Org) rowIDLocked(prefix, a, b string) string {
	acc := &o.auth.access
	k := [2]string{a, b}
	if id, ok := acc.rowIDs[k]; ok {
		return id
	}
	acc.seq++
	id := newID(prefix, acc.seq)
	acc.rowIDs[k] = id
	return id
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scopeString joins scopes as the token endpoint's scope field does.
func scopeString(scopes []string) string { return strings.Join(scopes, " ") }
