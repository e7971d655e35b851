package iamtest

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

type tagList struct {
	Member []tag `xml:"member"`
}

type listTagsResult struct {
	Tags        tagList
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (s *Server) listSAMLProviderTags(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	page, next, f := paginate(req.form, p.tags)
	if f != nil {
		return nil, f
	}
	return listTagsResult{Tags: tagList{Member: page}, IsTruncated: next != "", Marker: next}, nil
}

func (s *Server) tagSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	add, f := readTags(req.form)
	if f != nil {
		return nil, f
	}
	if len(add) == 0 {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"}
	}
	tags := slices.Clone(p.tags)
	for _, t := range add {
		if i := slices.IndexFunc(tags, func(x tag) bool { return x.Key == t.Key }); i >= 0 {
			tags[i] = t
		} else {
			tags = append(tags, t)
		}
	}
	if len(tags) > maxTags {
		return nil, &Fault{Code: "LimitExceeded", Message: "The number of tags has reached the maximum limit."}
	}
	p.tags = sortTags(tags)
	return nil, nil
}

func (s *Server) untagSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	var keys []string
	for i := 1; ; i++ {
		k, ok := req.form["TagKeys.member."+strconv.Itoa(i)]
		if !ok {
			break
		}
		keys = append(keys, k[0])
	}
	if len(keys) == 0 {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"}
	}
	p.tags = slices.DeleteFunc(slices.Clone(p.tags), func(t tag) bool { return slices.Contains(keys, t.Key) })
	return nil, nil
}

// tagPattern is the model's pattern for keys and values:
// [\p{L}\p{Z}\p{N}_.:/=+\-@]. [C model]
var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// readTags reads Tags.member.N.Key/Value and applies IAM's tag rules: key
// 1–128 and value 0–256 characters of tagPattern [C model]; no key with the
// reserved aws: prefix, in any case [C IAM User Guide, "Tagging IAM
// resources": "you can't create tag keys or values that begin with the
// text aws:" — keys]; no key twice in one request [C same page: keys are unique
// per resource, U the code].
func readTags(form url.Values) ([]tag, *Fault) {
	invalid := func(msg string) *Fault { return &Fault{Code: "InvalidInput", Message: msg} }
	var out []tag
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		k, ok := form[prefix+"Key"]
		if !ok {
			return out, nil
		}
		t := tag{Key: k[0], Value: form.Get(prefix + "Value")}
		switch {
		case utf8.RuneCountInString(t.Key) < 1 || utf8.RuneCountInString(t.Key) > maxTagKeyLen ||
			utf8.RuneCountInString(t.Value) > maxTagValueLen:
			return nil, invalid("1 validation error detected: tag key must be 1-128 and value 0-256 characters")
		case !tagPattern.MatchString(t.Key) || !tagPattern.MatchString(t.Value):
			return nil, invalid("1 validation error detected: Value at 'tags." + strconv.Itoa(i) + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return nil, invalid("The tag key or value cannot begin with the reserved prefix aws:.")
		case slices.ContainsFunc(out, func(x tag) bool { return strings.EqualFold(x.Key, t.Key) }):
			return nil, invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		out = append(out, t)
	}
}

// sortTags sorts tags by key, as IAM returns them ("The returned list of
// tags is sorted by tag key", [C] API reference of GetSAMLProvider and
// ListSAMLProviderTags).
func sortTags(tags []tag) []tag {
	slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	return tags
}
