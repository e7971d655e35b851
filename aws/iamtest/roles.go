package iamtest

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	MaxSessionDuration       int
}

type getRoleResult struct {
	Role roleXML
}

type listRolesResult struct {
	Roles struct {
		Member []roleXML `xml:"member"`
	}
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (s *Server) getRole(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := req.form.Get("RoleName")
	if name == "" {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"}
	}
	r, ok := s.roles[roleARN(req.account, name)]
	if !ok {
		return nil, &Fault{Code: "NoSuchEntity", Message: "The role with name " + name + " cannot be found."}
	}
	return getRoleResult{Role: r.xml()}, nil
}

func (s *Server) listRoles(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []roleXML
	for _, r := range s.roles {
		if r.account == req.account {
			all = append(all, r.xml())
		}
	}
	slices.SortFunc(all, func(a, b roleXML) int { return strings.Compare(a.RoleName, b.RoleName) })
	page, next, f := paginate(req.form, all)
	if f != nil {
		return nil, f
	}
	var res listRolesResult
	res.Roles.Member, res.IsTruncated, res.Marker = page, next != "", next
	return res, nil
}

func (r *role) xml() roleXML {
	return roleXML{
		Path: "/", RoleName: r.name, RoleId: r.id, Arn: r.arn, CreateDate: isoTime(r.created),
		// [C] IAM returns the trust policy URL-encoded (RFC 3986).
		AssumeRolePolicyDocument: rfc3986(r.policy),
		MaxSessionDuration:       3600,
	}
}

// paginate applies MaxItems (1–1000, default 100) and an opaque Marker.
func paginate[T any](form url.Values, items []T) (page []T, next string, f *Fault) {
	limit := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, "", &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"}
		}
		limit = n
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(m, "iamtest-"))
		if err != nil || n < 0 || n > len(items) {
			return nil, "", &Fault{Code: "InvalidInput", Message: "Invalid Marker."}
		}
		start = n
	}
	end := min(start+limit, len(items))
	if end < len(items) {
		next = "iamtest-" + strconv.Itoa(end)
	}
	return slices.Clone(items[start:end]), next, nil
}
