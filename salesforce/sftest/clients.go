package sftest

import (
	"net/http"
	"strconv"
	"strings"
)

// The endpoints in this file are not used by voicecert. They are what other
// clients of an org call around the APIs voicecert uses, so that a person
// can point the Salesforce CLI (sf org login access-token, sf org display,
// sf data query) or jsforce at the fake org. Each answer has the shape the
// Salesforce REST API documents; see clientFacts in facts.go.

// apiVersions are the REST API versions the org serves, oldest first.
func apiVersions() []string {
	var out []string
	for v := minAPIVersion; v <= maxAPIVersion; v++ {
		out = append(out, strconv.Itoa(v)+".0")
	}
	return out
}

// versionStatus is the HTTP status a request to the path's "vNN.0" gets
// before anything else: 0 for a version the org serves, 410 for a retired
// one and 404 for any other.
func versionStatus(v string) int {
	if !restVersion.MatchString(v) {
		return http.StatusNotFound
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(v[1:], ".0"))
	switch {
	case n < minAPIVersion:
		return http.StatusGone
	case n > maxAPIVersion:
		return http.StatusNotFound
	}
	return 0
}

type restAPIVersion struct {
	Label   string `json:"label"`
	URL     string `json:"url"`
	Version string `json:"version"`
}

// handleVersions answers GET /services/data: every version served, with no
// session needed.
func (o *Org) handleVersions(w http.ResponseWriter, r *http.Request) {
	if f := o.begin(r.Context(), Call{Op: "versions"}); f != nil {
		writeRESTError(w, f.Status, f.Code, faultMessage(f))
		return
	}
	var out []restAPIVersion
	for _, v := range apiVersions() {
		out = append(out, restAPIVersion{Label: "API " + v, URL: "/services/data/v" + v, Version: v})
	}
	writeJSON(w, http.StatusOK, out)
}

// restSession is restBegin that also returns the session's user and
// refuses a version the org does not serve.
func (o *Org) restSession(w http.ResponseWriter, r *http.Request, c Call) (*user, bool) {
	switch versionStatus(r.PathValue("version")) {
	case http.StatusGone:
		writeRESTError(w, http.StatusGone, "GONE", "The requested resource no longer exists")
		return nil, false
	case http.StatusNotFound:
		writeRESTError(w, http.StatusNotFound, codeNotFound, "The requested resource does not exist")
		return nil, false
	}
	if !o.restBegin(w, r, c) {
		return nil, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	u, _ := o.sessionLocked(bearer(r.Header.Get("Authorization")), false)
	return u, u != nil
}

// handleResources answers GET /services/data/vNN.0: the resources of the
// version.
func (o *Org) handleResources(w http.ResponseWriter, r *http.Request) {
	if _, ok := o.restSession(w, r, Call{Op: "resources"}); !ok {
		return
	}
	base := "/services/data/" + r.PathValue("version")
	out := map[string]string{}
	for _, res := range []string{"limits", "query", "sobjects", "tooling"} {
		out[res] = base + "/" + res
	}
	writeJSON(w, http.StatusOK, out)
}

// handleUserInfo answers the OpenID Connect UserInfo endpoint for the
// session's user.
func (o *Org) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	if f := o.begin(r.Context(), Call{Op: "userinfo"}); f != nil {
		writeRESTError(w, f.Status, f.Code, faultMessage(f))
		return
	}
	o.mu.Lock()
	u, ok := o.sessionLocked(bearer(r.Header.Get("Authorization")), false)
	o.mu.Unlock()
	if !ok {
		// The UserInfo endpoint answers a bad token with 403 and a plain
		// text body (clientFacts).
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("Bad_OAuth_Token"))
		return
	}
	base := "https://" + r.Host
	if r.TLS == nil {
		base = "http://" + r.Host
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub":                base + "/id/" + o.orgID + "/" + u.id,
		"user_id":            u.id,
		"organization_id":    o.orgID,
		"preferred_username": u.username,
		"nickname":           strings.SplitN(u.username, "@", 2)[0],
		"name":               u.username,
		"email":              u.username,
		"email_verified":     true,
		"active":             true,
		"user_type":          "STANDARD",
		"urls": map[string]string{
			"rest":     base + "/services/data/v{version}/",
			"metadata": base + "/services/Soap/m/{version}/" + o.orgID[:15],
			"query":    base + "/services/data/v{version}/query/",
			"sobjects": base + "/services/data/v{version}/sobjects/",
		},
	})
}

// handleUser answers GET .../sobjects/User/{id}.
func (o *Org) handleUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := o.restSession(w, r, Call{Op: "sobjects", Target: "User/" + id}); !ok {
		return
	}
	o.mu.Lock()
	var found *user
	for _, u := range o.auth.users {
		if u.id == id || (len(id) == 15 && u.id[:15] == id) {
			found = u
		}
	}
	o.mu.Unlock()
	if found == nil {
		writeRESTError(w, http.StatusNotFound, codeNotFound, "Provided external ID field does not exist or is not accessible: "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"attributes": map[string]string{"type": "User", "url": "/services/data/" + r.PathValue("version") + "/sobjects/User/" + found.id},
		"Id":         found.id, "Username": found.username, "Email": found.username, "IsActive": true,
	})
}

type limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// handleLimits answers GET .../limits with the org's API allowance.
func (o *Org) handleLimits(w http.ResponseWriter, r *http.Request) {
	if _, ok := o.restSession(w, r, Call{Op: "limits"}); !ok {
		return
	}
	o.mu.Lock()
	used := len(o.calls)
	o.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]limit{
		"DailyApiRequests":    {Max: dailyAPIRequests, Remaining: max(dailyAPIRequests-used, 0)},
		"DailyBulkApiBatches": {Max: 15000, Remaining: 15000},
		"DataStorageMB":       {Max: 5, Remaining: 5},
		"FileStorageMB":       {Max: 20, Remaining: 20},
	})
}

// columnMetadata is one column of a query's columns=true answer.
type columnMetadata struct {
	Aggregate      bool             `json:"aggregate"`
	ApexType       string           `json:"apexType"`
	BooleanType    bool             `json:"booleanType"`
	ColumnName     string           `json:"columnName"`
	Custom         bool             `json:"custom"`
	DisplayName    string           `json:"displayName"`
	ForeignKeyName *string          `json:"foreignKeyName"`
	Insertable     bool             `json:"insertable"`
	JoinColumns    []columnMetadata `json:"joinColumns"`
	NumberType     bool             `json:"numberType"`
	TextType       bool             `json:"textType"`
	Updatable      bool             `json:"updatable"`
}

type queryColumns struct {
	ColumnMetadata []columnMetadata `json:"columnMetadata"`
	EntityName     string           `json:"entityName"`
	GroupBy        bool             `json:"groupBy"`
	IDSelected     bool             `json:"idSelected"`
	KeyPrefix      *string          `json:"keyPrefix"`
}

// queryColumnsOf describes the columns q selects, or returns the error code
// and message the query itself would give.
func queryColumnsOf(api queryAPI, q string) (queryColumns, string, string) {
	parsed, object, fields, code, msg := parseQuery(api, q)
	if code != "" {
		return queryColumns{}, code, msg
	}
	out := queryColumns{EntityName: object, ColumnMetadata: []columnMetadata{}}
	for _, f := range parsed.fields {
		i := -1
		for j, name := range fields {
			if strings.EqualFold(name, f.name) {
				i = j
			}
		}
		if i < 0 {
			return queryColumns{}, codeInvalidField, soqlError(q, f.col, noSuchColumn(f.name, object))
		}
		name := fields[i]
		typ := fieldTypes[name]
		out.IDSelected = out.IDSelected || name == "Id"
		out.ColumnMetadata = append(out.ColumnMetadata, columnMetadata{
			ApexType: typ, BooleanType: typ == "Boolean", ColumnName: name, DisplayName: name,
			JoinColumns: []columnMetadata{}, NumberType: typ == "Integer", TextType: typ == "String" || typ == "Id",
		})
	}
	return out, "", ""
}
