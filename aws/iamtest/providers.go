package iamtest

import (
	"slices"
	"strings"
)

type getSAMLProviderResult struct {
	SAMLProviderUUID        string
	SAMLMetadataDocument    string
	CreateDate              string
	ValidUntil              string
	AssertionEncryptionMode string
	PrivateKeyList          *struct {
		Member []privateKeyXML `xml:"member"`
	} `xml:",omitempty"`
	Tags *tagList `xml:",omitempty"`
}

type providerEntry struct {
	Arn        string
	ValidUntil string
	CreateDate string
}

type listSAMLProvidersResult struct {
	SAMLProviderList struct {
		Member []providerEntry `xml:"member"`
	}
}

type updateSAMLProviderResult struct {
	SAMLProviderArn string
}

// lookupProvider returns the provider named by the request's
// SAMLProviderArn. The caller holds s.mu.
func (s *Server) lookupProvider(req *request) (*provider, *Fault) {
	arn := req.form.Get("SAMLProviderArn")
	account, _, ok := parseARN(arn, "saml-provider/")
	switch {
	case arn == "":
		return nil, &Fault{Code: "InvalidInput", Message: "1 validation error detected: Value null at 'sAMLProviderArn' failed to satisfy constraint: Member must not be null"}
	case !ok || len(arn) < 20 || len(arn) > 2048:
		return nil, &Fault{Code: "InvalidInput", Message: "ARN " + arn + " is not valid."}
	case account != req.account:
		return nil, &Fault{Code: "AccessDenied", Message: "User is not authorized to perform: iam:" + req.op + " on resource: " + arn}
	}
	p, found := s.providers[arn]
	if !found {
		return nil, &Fault{Code: "NoSuchEntity", Message: "SAMLProvider " + arn + " does not exist."}
	}
	return p, nil
}

// parseARN splits arn:<partition>:iam::<account>:<kind><name>.
func parseARN(arn, kind string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "iam" || parts[3] != "" {
		return "", "", false
	}
	name, ok = strings.CutPrefix(parts[5], kind)
	if !ok || name == "" || len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return "", "", false
	}
	return parts[4], name, true
}

func (s *Server) getSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	doc := p.doc
	if p.staleLeft > 0 {
		p.staleLeft--
		doc = p.staleDoc
	}
	res := getSAMLProviderResult{
		SAMLProviderUUID:        p.uuid,
		SAMLMetadataDocument:    string(doc),
		CreateDate:              isoTime(p.created),
		ValidUntil:              isoTime(p.validUntil),
		AssertionEncryptionMode: p.encryption,
	}
	if keys := p.privateKeyList(); len(keys) > 0 {
		res.PrivateKeyList = &struct {
			Member []privateKeyXML `xml:"member"`
		}{keys}
	}
	if len(p.tags) > 0 {
		res.Tags = &tagList{Member: slices.Clone(p.tags)}
	}
	return res, nil
}

func (s *Server) updateSAMLProvider(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, f := s.lookupProvider(req)
	if f != nil {
		return nil, f
	}
	_, hasDoc := req.form["SAMLMetadataDocument"]
	ch, f := readEncryptionChange(req.form, p.encryption, p.keys)
	if f != nil {
		return nil, f
	}
	if !hasDoc && ch.empty() {
		return nil, &Fault{Code: "InvalidInput", Message: msgNoUpdates}
	}
	if hasDoc {
		doc := []byte(req.form.Get("SAMLMetadataDocument"))
		if f := checkMetadata(doc); f != nil {
			return nil, f
		}
		if p.staleArmed > 0 {
			p.staleLeft, p.staleArmed, p.staleDoc = p.staleArmed, 0, p.doc
		}
		p.doc = doc
		p.validUntil = validUntil(doc, p.validUntil)
	}
	// [C] Only what the request names changes: a document-only update
	// leaves the mode and the keys as they are.
	ch.apply(p, s.now())
	return updateSAMLProviderResult{SAMLProviderArn: p.arn}, nil
}

func (s *Server) listSAMLProviders(req *request) (any, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res listSAMLProvidersResult
	for _, p := range s.providers {
		if p.account == req.account {
			res.SAMLProviderList.Member = append(res.SAMLProviderList.Member,
				providerEntry{Arn: p.arn, ValidUntil: isoTime(p.validUntil), CreateDate: isoTime(p.created)})
		}
	}
	slices.SortFunc(res.SAMLProviderList.Member, func(a, b providerEntry) int { return strings.Compare(a.Arn, b.Arn) })
	return res, nil
}
