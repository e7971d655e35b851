package sftest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sobject is one query result row: the fields the query selected, in order.
type sobject struct {
	typ, url string
	keys     []string
	values   []any
}

// MarshalJSON writes attributes first, then the selected fields in order.
func (s sobject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	attrs, err := json.Marshal(map[string]string{"type": s.typ, "url": s.url})
	if err != nil {
		return nil, err
	}
	b.WriteString(`{"attributes":`)
	b.Write(attrs)
	for i, k := range s.keys {
		v, err := json.Marshal(s.values[i])
		if err != nil {
			return nil, err
		}
		b.WriteString(`,"` + k + `":`)
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type queryResult struct {
	Size           *int      `json:"size,omitempty"`
	TotalSize      int       `json:"totalSize"`
	Done           bool      `json:"done"`
	NextRecordsURL string    `json:"nextRecordsUrl,omitempty"`
	EntityTypeName string    `json:"entityTypeName,omitempty"`
	Records        []sobject `json:"records"`
}

// locator keeps the rows of a query that did not fit one page.
type locator struct {
	api     queryAPI
	version string
	object  string
	rows    []sobject
}

var restVersion = regexp.MustCompile(`^v[1-9][0-9]\.0$`)

var fromObject = regexp.MustCompile(`(?i)\bfrom\s+([A-Za-z0-9_]+)`)

func opName(api queryAPI) string {
	if api == toolingAPI {
		return "tooling/query"
	}
	return "query"
}

// restBegin records the call, answers faults, and checks the version and
// the Bearer token. It reports whether to go on.
func (o *Org) restBegin(w http.ResponseWriter, r *http.Request, c Call) bool {
	if f := o.begin(r.Context(), c); f != nil {
		writeRESTError(w, f.Status, f.Code, faultMessage(f))
		return false
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeRESTError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED",
			"HTTP Method '"+r.Method+"' not allowed. Allowed are GET")
		return false
	}
	if !restVersion.MatchString(r.PathValue("version")) {
		writeRESTError(w, http.StatusNotFound, codeNotFound, "The requested resource does not exist")
		return false
	}
	o.mu.Lock()
	_, ok := o.sessionLocked(bearer(r.Header.Get("Authorization")), false)
	o.mu.Unlock()
	if !ok {
		writeRESTError(w, http.StatusUnauthorized, codeInvalidSession, "Session expired or invalid")
		return false
	}
	return true
}

func (o *Org) handleQuery(api queryAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		target := ""
		if m := fromObject.FindStringSubmatch(q); m != nil {
			target = m[1]
		}
		if !o.restBegin(w, r, Call{Op: opName(api), Target: target}) {
			return
		}
		if strings.TrimSpace(q) == "" {
			writeRESTError(w, 0, codeMalformedQuery, "A query string has to be specified")
			return
		}
		if o.refuseSetupQuery(w, r, q) {
			return
		}
		if r.URL.Query().Get("columns") == "true" {
			cols, code, msg := queryColumnsOf(api, q)
			if code != "" {
				writeRESTError(w, 0, code, msg)
				return
			}
			writeJSON(w, http.StatusOK, cols)
			return
		}
		res, code, msg := o.runQuery(api, r.PathValue("version"), q)
		if code != "" {
			writeRESTError(w, 0, code, msg)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

func (o *Org) handleQueryMore(api queryAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, offStr, _ := strings.Cut(r.PathValue("locator"), "-")
		o.mu.Lock()
		loc := o.locators[id]
		o.mu.Unlock()
		target := ""
		if loc != nil {
			target = loc.object
		}
		if !o.restBegin(w, r, Call{Op: opName(api), Target: target}) {
			return
		}
		off, err := strconv.Atoi(offStr)
		if loc == nil || loc.api != api || err != nil || off < 0 || off > len(loc.rows) {
			writeRESTError(w, 0, codeInvalidQueryLocator, "invalid query locator")
			return
		}
		writeJSON(w, http.StatusOK, o.page(loc, id, off))
	}
}

// page returns the rows of loc from off, at most one page.
func (o *Org) page(loc *locator, id string, off int) queryResult {
	end := min(off+o.opts.pageSize, len(loc.rows))
	res := queryResult{TotalSize: len(loc.rows), Done: end == len(loc.rows), Records: loc.rows[off:end]}
	if !res.Done {
		prefix := "/services/data/" + loc.version
		if loc.api == toolingAPI {
			prefix += "/tooling"
		}
		res.NextRecordsURL = prefix + "/query/" + id + "-" + strconv.Itoa(end)
	}
	if loc.api == toolingAPI {
		n := end - off
		res.Size, res.EntityTypeName = &n, loc.object
	}
	if res.Records == nil {
		res.Records = []sobject{}
	}
	return res
}

// runQuery parses and runs q, returning the first page or an error code and
// message.
func (o *Org) runQuery(api queryAPI, version, q string) (queryResult, string, string) {
	parsed, object, fields, code, msg := parseQuery(api, q)
	if code != "" {
		return queryResult{}, code, msg
	}
	canon := func(f soqlIdent) (string, bool) {
		i := slices.IndexFunc(fields, func(s string) bool { return strings.EqualFold(s, f.name) })
		if i < 0 {
			return "", false
		}
		return fields[i], true
	}
	check := append([]soqlIdent{}, parsed.fields...)
	for _, c := range parsed.where {
		check = append(check, c.field)
	}
	if parsed.orderBy != nil {
		check = append(check, *parsed.orderBy)
	}
	for _, f := range check {
		if _, ok := canon(f); !ok {
			return queryResult{}, codeInvalidField, soqlError(q, f.col, noSuchColumn(f.name, object))
		}
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	all := o.rowsLocked(object, version, api)
	var rows []map[string]any
	for _, row := range all {
		keep := true
		for _, c := range parsed.where {
			name, _ := canon(c.field)
			keep = keep && c.matches(row[name])
		}
		if keep {
			rows = append(rows, row)
		}
	}
	if parsed.orderBy != nil {
		name, _ := canon(*parsed.orderBy)
		slices.SortStableFunc(rows, func(a, b map[string]any) int {
			if parsed.desc {
				return compareValues(b[name], a[name])
			}
			return compareValues(a[name], b[name])
		})
	}
	if parsed.limit >= 0 && len(rows) > parsed.limit {
		rows = rows[:parsed.limit]
	}
	loc := &locator{api: api, version: version, object: object}
	for _, row := range rows {
		s := sobject{typ: object, url: row["@url"].(string)}
		for _, f := range parsed.fields {
			name, _ := canon(f)
			s.keys, s.values = append(s.keys, name), append(s.values, row[name])
		}
		loc.rows = append(loc.rows, s)
	}
	id := ""
	if len(loc.rows) > o.opts.pageSize {
		id = o.nextID(prefixQueryLocator)
		o.locators[id] = loc
	}
	return o.page(loc, id, 0), "", ""
}

// parseQuery parses q and finds its object and the object's fields, or
// returns the error code and message Salesforce answers.
func parseQuery(api queryAPI, q string) (parsed *soqlQuery, object string, fields []string, code, msg string) {
	parsed, serr := parseSOQL(q)
	if serr != nil {
		return nil, "", nil, codeMalformedQuery, soqlError(q, serr.col, serr.msg)
	}
	object, fields, ok := lookupObject(api, parsed.object.name)
	if !ok {
		return nil, "", nil, codeInvalidType, soqlError(q, parsed.object.col, notSupportedObject(parsed.object.name))
	}
	return parsed, object, fields, "", ""
}

// lookupObject finds an object of the API by case-insensitive name.
func lookupObject(api queryAPI, name string) (string, []string, bool) {
	for obj, fields := range queryObjects[api] {
		if strings.EqualFold(obj, name) {
			return obj, fields, true
		}
	}
	return "", nil, false
}

// rowsLocked lists every record of the object with all its fields, sorted by
// Id, plus its attributes URL under "@url".
func (o *Org) rowsLocked(object, version string, api queryAPI) []map[string]any {
	base := "/services/data/" + version
	if api == toolingAPI {
		base += "/tooling"
	}
	base += "/sobjects/" + object + "/"
	var rows []map[string]any
	switch object {
	case "Certificate":
		for _, c := range o.st.certs {
			rows = append(rows, map[string]any{
				"Id": c.id, "DeveloperName": c.name, "MasterLabel": c.label,
				"ExpirationDate": c.cert.NotAfter.Format("2006-01-02"), "KeySize": c.keyBits,
			})
		}
	case "CallCenter":
		for _, cc := range o.st.callCenters {
			rows = append(rows, map[string]any{"Id": cc.id, "Name": cc.comp.text("displayName"), "InternalName": cc.name})
		}
	case "ConnectedApplication":
		for _, a := range o.st.apps {
			rows = append(rows, map[string]any{"Id": a.id, "Name": a.comp.text("label")})
		}
	case "Organization":
		rows = append(rows, map[string]any{"Id": o.orgID, "Name": "sftest", "InstanceName": "NA1", "IsSandbox": false,
			"TrialExpirationDate": nil, "NamespacePrefix": nil, "OrganizationType": "Enterprise Edition"})
	case "User":
		for _, u := range o.auth.users {
			rows = append(rows, map[string]any{"Id": u.id, "Username": u.username, "Email": u.username, "IsActive": true})
		}
	default:
		rows = o.accessRowsLocked(object)
	}
	for _, r := range rows {
		r["@url"] = base + r["Id"].(string)
	}
	slices.SortFunc(rows, func(a, b map[string]any) int { return strings.Compare(a["Id"].(string), b["Id"].(string)) })
	return rows
}
