package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// Permission is one user permission a rotation needs.
type Permission struct {
	// Name is the permission's name in Setup.
	Name string `json:"name"`
	// Fields are the PermissionSet fields of which any one grants it.
	Fields []string `json:"fields"`
	// Granted reports whether the user's profile or one of its assigned
	// permission sets grants it.
	Granted bool `json:"granted"`
	// Needed says what needs it.
	Needed string `json:"needed"`
	// Unknown reports that the user's permission sets could not be read
	// (that needs View Setup and Configuration): Granted is then false
	// without meaning the permission is missing.
	Unknown bool `json:"unknown,omitempty"`
}

// viewSetup is the index in requiredPermissions of View Setup and
// Configuration, without which the user's access cannot be read.
const viewSetup = 3

// errNoViewSetup is the cause of an access object that the user may not read.
func errNoViewSetup(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.ErrorCode == "INVALID_TYPE" || ae.ErrorCode == "INSUFFICIENT_ACCESS")
}

// requiredPermissions are what a rotation needs (the project's Salesforce
// reference: the Metadata API CRUD calls, IdentityProviderSettings and the
// contact centers' connected apps, and the access objects read here).
var requiredPermissions = []Permission{
	{Name: "API Enabled", Fields: []string{"PermissionsApiEnabled"}, Needed: "every API call"},
	{Name: "Customize Application", Fields: []string{"PermissionsCustomizeApplication"},
		Needed: "reading and changing IdentityProviderSettings and the connected apps"},
	{Name: "Modify Metadata Through Metadata API Functions", Fields: []string{"PermissionsModifyMetadata", "PermissionsModifyAllData"},
		Needed: "createMetadata and updateMetadata (Modify All Data grants it too)"},
	{Name: "View Setup and Configuration", Fields: []string{"PermissionsViewSetup"},
		Needed: "reading permission set assignments and app access (SetupEntityAccess)"},
}

// permissionSetRow is a PermissionSet record as queried here.
type permissionSetRow struct {
	ID               string `json:"Id"`
	Name             string `json:"Name"`
	Label            string `json:"Label"`
	IsOwnedByProfile bool   `json:"IsOwnedByProfile"`
	ProfileID        string `json:"ProfileId"`
	perms            map[string]bool
}

// userAccess is the session user and the permission sets it has (its
// profile's and those assigned).
type userAccess struct {
	user     userInfo
	permSets []permissionSetRow
}

func soqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func soqlList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = soqlString(id)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// queryRows runs soql and decodes each record into a T.
func queryRows[T any](ctx context.Context, c *Client, soql string) ([]T, error) {
	recs, err := c.Query(ctx, soql)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("salesforce: decode record: %w", err)
		}
	}
	return out, nil
}

// permissionSets returns the permission sets with the ids, their permission
// fields in perms.
func (p *Provider) permissionSets(ctx context.Context, ids []string) ([]permissionSetRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	fields := []string{"Id", "Name", "Label", "IsOwnedByProfile", "ProfileId"}
	for _, rp := range requiredPermissions {
		fields = append(fields, rp.Fields...)
	}
	raw, err := queryRows[map[string]any](ctx, p.c, "SELECT "+strings.Join(fields, ", ")+" FROM PermissionSet WHERE Id IN "+soqlList(ids))
	if err != nil {
		return nil, err
	}
	out := make([]permissionSetRow, len(raw))
	for i, m := range raw {
		str := func(k string) string { s, _ := m[k].(string); return s }
		owned, _ := m["IsOwnedByProfile"].(bool)
		out[i] = permissionSetRow{ID: str("Id"), Name: str("Name"), Label: str("Label"), IsOwnedByProfile: owned,
			ProfileID: str("ProfileId"), perms: map[string]bool{}}
		for k, v := range m {
			if b, ok := v.(bool); ok && strings.HasPrefix(k, "Permissions") {
				out[i].perms[k] = b
			}
		}
	}
	return out, nil
}

// access reads the session user and its permission sets.
func (p *Provider) access(ctx context.Context) (*userAccess, error) {
	var ui userInfo
	if err := p.c.getJSON(ctx, "userinfo", "/services/oauth2/userinfo", &ui); err != nil {
		return nil, err
	}
	assigned, err := queryRows[struct {
		PermissionSetID string `json:"PermissionSetId"`
	}](ctx, p.c, "SELECT Id, PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = "+soqlString(ui.UserID))
	if err != nil {
		return nil, fmt.Errorf("salesforce: read the permission set assignments of %s (needs View Setup and Configuration): %w", ui.Username, err)
	}
	var ids []string
	for _, a := range assigned {
		ids = append(ids, a.PermissionSetID)
	}
	sets, err := p.permissionSets(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("salesforce: read the permission sets of %s: %w", ui.Username, err)
	}
	return &userAccess{user: ui, permSets: sets}, nil
}

// Permissions reports, for each user permission a rotation needs, whether
// the session user has it (its profile or an assigned permission set). It
// changes nothing.
func (p *Provider) Permissions(ctx context.Context) ([]Permission, error) {
	ua, err := p.access(ctx)
	if err != nil && !errNoViewSetup(err) {
		return nil, err
	}
	out := slices.Clone(requiredPermissions)
	for i := range out {
		out[i].Fields = slices.Clone(out[i].Fields)
		if ua == nil {
			out[i].Unknown = i != viewSetup
			continue
		}
		for _, ps := range ua.permSets {
			out[i].Granted = out[i].Granted || slices.ContainsFunc(out[i].Fields, func(f string) bool { return ps.perms[f] })
		}
	}
	return out, nil
}

// CheckSignIn implements rotation.SignInChecker: whether the session can
// open a UI session (Identity) and, per app, whether the user has one of
// the profiles or permission sets the app is assigned to (SetupEntityAccess
// of type ConnectedApplication, or ExternalClientApplication for an
// External Client App: see eca_facts.go). It changes nothing.
func (p *Provider) CheckSignIn(ctx context.Context, apps []rotation.AppRef) (rotation.SignInReadiness, error) {
	var appIDs []string
	for _, a := range apps {
		if a.ID != "" {
			appIDs = append(appIDs, a.ID)
		}
	}
	// Who the session is, what the user holds and what grants each app do
	// not depend on one another: they are read at once.
	var (
		id            Identity
		ua            *userAccess
		uaErr         error
		grants, names map[string][]string
		grantsErr     error
	)
	err := p.c.all(ctx,
		func(ctx context.Context) (err error) { id, err = p.Identity(ctx); return err },
		func(ctx context.Context) error {
			if len(apps) > 0 {
				ua, uaErr = p.access(ctx)
			}
			return nil
		},
		func(ctx context.Context) error { grants, names, grantsErr = p.appGrants(ctx, appIDs); return nil })
	if err != nil {
		return rotation.SignInReadiness{}, err
	}
	out := rotation.SignInReadiness{UISession: id.UISession, Scopes: id.Scopes, Why: id.Why, Apps: []rotation.AppReadiness{}}
	if len(apps) == 0 {
		return out, nil
	}
	if errNoViewSetup(uaErr) || (uaErr == nil && errNoViewSetup(grantsErr)) {
		for _, a := range apps {
			out.Apps = append(out.Apps, rotation.AppReadiness{App: a, Why: "cannot tell whether the user may sign in to " + a.String() +
				": reading permission set assignments and app access needs View Setup and Configuration, which the user lacks: grant it to the user's profile or a permission set"})
		}
		return out, nil
	}
	if uaErr != nil {
		return rotation.SignInReadiness{}, uaErr
	}
	if grantsErr != nil {
		return rotation.SignInReadiness{}, grantsErr
	}
	mine := map[string]bool{}
	for _, ps := range ua.permSets {
		mine[ps.ID] = true
	}
	for _, a := range apps {
		r := rotation.AppReadiness{App: a}
		kind, add := "connected app", fmt.Sprintf("in Setup, Connected Apps > Manage > %s, add a profile or permission set of %s", a, ua.user.Username)
		if p.external(a) {
			kind, add = "external client app", ecaAccessInstructions(a)
		}
		switch g := grants[a.ID]; {
		case a.ID == "":
			r.Why = "the app's id is unknown, so its access cannot be read"
		case slices.ContainsFunc(g, func(ps string) bool { return mine[ps] }):
			r.Access = true
		case len(g) == 0 && p.external(a):
			r.Access, r.Why = true, ecaNoGrantFound
		case len(g) == 0:
			r.Why = fmt.Sprintf("no profile or permission set is assigned to the %s %s, so %s cannot sign in to it: "+
				"%s (Service Cloud Voice grants it by its contact center permission set)", kind, a, ua.user.Username, add)
		default:
			r.Why = fmt.Sprintf("%s has none of the profiles or permission sets assigned to the %s %s (%s): "+
				"assign one of them to %s (Setup > Users > Permission Set Assignments), or %s",
				ua.user.Username, kind, a, strings.Join(names[a.ID], "; "), ua.user.Username, add)
		}
		out.Apps = append(out.Apps, r)
	}
	return out, nil
}

// appGrants reads, per app id, the permission sets that grant it
// (SetupEntityAccess of type ConnectedApplication or, for an External
// Client App, ExternalClientApplication) and their names.
func (p *Provider) appGrants(ctx context.Context, appIDs []string) (grants, names map[string][]string, err error) {
	grants = map[string][]string{} // app id -> permission set ids that grant it
	if len(appIDs) == 0 {
		return grants, map[string][]string{}, nil
	}
	rows, err := queryRows[struct {
		ParentID      string `json:"ParentId"`
		SetupEntityID string `json:"SetupEntityId"`
	}](ctx, p.c, "SELECT Id, ParentId, SetupEntityId FROM SetupEntityAccess WHERE SetupEntityType IN "+
		soqlList([]string{connectedAppGrantEntity, ecaGrantEntity})+" AND SetupEntityId IN "+soqlList(appIDs))
	if err != nil {
		return nil, nil, fmt.Errorf("salesforce: read which permission sets grant the apps (needs View Setup and Configuration): %w", err)
	}
	for _, r := range rows {
		app := idAmong(r.SetupEntityID, appIDs)
		grants[app] = append(grants[app], r.ParentID)
	}
	names, err = p.grantNames(ctx, grants)
	return grants, names, err
}

// grantNames names, per app, the profiles and permission sets that grant it.
func (p *Provider) grantNames(ctx context.Context, grants map[string][]string) (map[string][]string, error) {
	var ids []string
	for _, g := range grants {
		ids = append(ids, g...)
	}
	slices.Sort(ids)
	sets, err := p.permissionSets(ctx, slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	var profileIDs []string
	for _, ps := range sets {
		if ps.IsOwnedByProfile && ps.ProfileID != "" {
			profileIDs = append(profileIDs, ps.ProfileID)
		}
	}
	profiles := map[string]string{}
	if len(profileIDs) > 0 {
		rows, err := queryRows[struct{ ID, Name string }](ctx, p.c, "SELECT Id, Name FROM Profile WHERE Id IN "+soqlList(profileIDs))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			profiles[r.ID] = r.Name
		}
	}
	byID := map[string]string{}
	for _, ps := range sets {
		byID[ps.ID] = "permission set " + ps.Label + " (" + ps.Name + ")"
		if ps.IsOwnedByProfile {
			byID[ps.ID] = "profile " + profiles[ps.ProfileID]
		}
	}
	out := map[string][]string{}
	for app, g := range grants {
		for _, id := range g {
			out[app] = append(out[app], byID[id])
		}
		slices.Sort(out[app])
	}
	return out, nil
}

// idAmong returns the id of ids that id names (15- or 18-character forms).
func idAmong(id string, ids []string) string {
	for _, x := range ids {
		if sameID(x, id) {
			return x
		}
	}
	return id
}

var _ rotation.SignInChecker = (*Provider)(nil)
