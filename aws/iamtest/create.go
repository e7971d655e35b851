package iamtest

import (
	"regexp"
)

// providerNamePattern and the quota of SAML providers per account. [C]
// model (Name 1–128 of [\w._-]+) and IAM quotas (100 per account).
var providerNamePattern = regexp.MustCompile(`^[\w._-]{1,128}$`)

const maxProvidersPerAccount = 100

type createSAMLProviderResult struct {
	SAMLProviderArn string
	Tags            *tagList `xml:",omitempty"`
}

// createSAMLProvider creates a provider with the metadata rules of
// UpdateSAMLProvider, the tag rules of TagSAMLProvider and the encryption
// rules (AssertionEncryptionMode, AddPrivateKey; Required needs the key).
// [C model] Name and SAMLMetadataDocument are required; an existing name is
// EntityAlreadyExists.
func (s *Server) createSAMLProvider(req *request) (any, *Fault) {
	name := req.form.Get("Name")
	if !providerNamePattern.MatchString(name) {
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._-]+"}
	}
	doc := []byte(req.form.Get("SAMLMetadataDocument"))
	if f := checkMetadata(doc); f != nil {
		return nil, f
	}
	tags, f := readTags(req.form)
	if f != nil {
		return nil, f
	}
	if len(tags) > maxTags {
		return nil, &Fault{Code: "LimitExceeded", Message: "The number of tags has reached the maximum limit."}
	}
	if req.form.Get("RemovePrivateKey") != "" {
		return nil, &Fault{Code: "InvalidInput", Message: "RemovePrivateKey is not a parameter of CreateSAMLProvider."}
	}
	ch, f := readEncryptionChange(req.form, encryptionAllowed, nil)
	if f != nil {
		return nil, f
	}
	now := s.now().UTC()
	arn := providerARN(req.account, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.providers[arn]; exists {
		return nil, &Fault{Code: "EntityAlreadyExists", Message: "SAMLProvider " + name + " already exists."}
	}
	n := 0
	for _, p := range s.providers {
		if p.account == req.account {
			n++
		}
	}
	if n >= maxProvidersPerAccount {
		return nil, &Fault{Code: "LimitExceeded", Message: "Cannot exceed quota for SAMLProvidersPerAccount: 100"}
	}
	p := &provider{arn: arn, account: req.account, name: name, uuid: randUUID(), created: now,
		encryption: encryptionAllowed, doc: doc, validUntil: validUntil(doc, farValidUntil(now)), tags: sortTags(tags)}
	ch.apply(p, now)
	s.providers[arn] = p
	res := createSAMLProviderResult{SAMLProviderArn: arn}
	if len(p.tags) > 0 {
		res.Tags = &tagList{Member: append([]tag(nil), p.tags...)}
	}
	return res, nil
}
