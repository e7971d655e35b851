package sftest

import (
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// modeledTypes are the metadata types the org stores.
var modeledTypes = []string{"Certificate", "IdentityProviderSettings", "ConnectedApp", "CallCenter", typeECA, typeECAPolicy}

const idpSettingsName = "IdentityProvider"

// saveError is one Error of a SaveResult or DeleteResult.
type saveError struct {
	fields     []string
	message    string
	statusCode string
}

func errorf(code string, fields []string, format string, args ...any) []saveError {
	return []saveError{{fields: fields, message: fmt.Sprintf(format, args...), statusCode: code}}
}

// result renders a SaveResult or DeleteResult.
func result(fullName string, errs []saveError) *node {
	r := parent("result")
	for _, e := range errs {
		en := parent("errors")
		for _, f := range e.fields {
			en.Children = append(en.Children, el("fields", f))
		}
		en.Children = append(en.Children, el("message", e.message), el("statusCode", e.statusCode))
		r.Children = append(r.Children, en)
	}
	r.Children = append(r.Children, el("fullName", fullName), el("success", strconv.FormatBool(len(errs) == 0)))
	return r
}

func texts(ns []*node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strings.TrimSpace(n.Text)
	}
	return out
}

func typed(n *node, typ string) *node {
	n.HasXSIType, n.XSITypeSpace, n.XSIType = true, MetadataNS, typ
	return n
}

func unmodeled(typ string) *soapFault {
	return sfFault(codeInvalidType, fmt.Sprintf("This org does not support metadata type %s", typ))
}

func (o *Org) readMetadata(op *node) (*node, *soapFault) {
	if f := checkOperation(op); f != nil {
		return nil, f
	}
	typ, names := op.text("type"), texts(op.all("fullNames"))
	if len(names) > maxComponentsPerCall {
		return nil, sfFault(codeExceededIDLimit, tooManyComponents())
	}
	if !slices.Contains(modeledTypes, typ) {
		return nil, unmodeled(typ)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	res := parent("result")
	for _, name := range names {
		rec := o.recordLocked(typ, name)
		if rec == nil {
			rec = &node{Space: MetadataNS, Name: "records", Nil: true} // [C] no fault for a missing name
		} else {
			typed(rec, typ)
		}
		res.Children = append(res.Children, rec)
	}
	return parent("readMetadataResponse", res), nil
}

// recordLocked renders the named component as a readMetadata record, or nil.
func (o *Org) recordLocked(typ, name string) *node {
	st := o.st
	switch typ {
	case "Certificate":
		if c, ok := st.certs[name]; ok {
			return c.record()
		}
	case "IdentityProviderSettings":
		if name == idpSettingsName {
			rec := parent("records", el("fullName", name))
			if st.idpCert != "" {
				rec.Children = append(rec.Children, el("certificateName", st.idpCert))
			}
			rec.Children = append(rec.Children, el("enableIdentityProvider", strconv.FormatBool(st.idpEnabled)))
			return rec
		}
	case "ConnectedApp":
		if a, ok := st.apps[name]; ok {
			return componentRecord(name, a.comp)
		}
	case "CallCenter":
		if cc, ok := st.callCenters[name]; ok {
			return componentRecord(name, cc.comp)
		}
	case typeECA, typeECAPolicy:
		return st.ecaRecord(typ, name)
	}
	return nil
}

func componentRecord(name string, comp *node) *node {
	rec := comp.clone()
	rec.Name, rec.HasXSIType = "records", false
	rec.Children = append([]*node{el("fullName", name)}, rec.Children...)
	return rec
}

// storedComponent keeps a sent component's elements after fullName.
func storedComponent(comp *node) *node {
	c := comp.clone()
	c.HasXSIType = false
	c.Children = slices.DeleteFunc(c.Children, func(n *node) bool { return n.Name == "fullName" })
	return c
}

// saveMetadata serves createMetadata and updateMetadata.
func (o *Org) saveMetadata(op *node, allOrNone bool) (*node, *soapFault) {
	if f := checkOperation(op); f != nil {
		return nil, f
	}
	comps := op.all("metadata")
	if len(comps) > maxComponentsPerCall {
		return nil, sfFault(codeExceededIDLimit, tooManyComponents())
	}
	var typ string
	for i, c := range comps {
		if !c.HasXSIType {
			return nil, clientFault(fmt.Sprintf("Element {%s}metadata needs an xsi:type naming its metadata type", MetadataNS))
		}
		if c.XSITypeSpace != MetadataNS && c.XSITypeSpace != "" {
			return nil, sfFault(codeInvalidType, fmt.Sprintf("Unknown type {%s}%s", c.XSITypeSpace, c.XSIType))
		}
		if i == 0 {
			typ = c.XSIType
		} else if c.XSIType != typ {
			return nil, sfFault(codeInvalidType, "all components in one call must be of the same type")
		}
	}
	if len(comps) > 0 && !slices.Contains(modeledTypes, typ) {
		return nil, unmodeled(typ)
	}
	for _, c := range comps {
		if f := checkSchema(c, typ); f != nil {
			return nil, f
		}
	}
	create := op.Name == "createMetadata"
	keys := make([]*rsa.PrivateKey, len(comps))
	if create && typ == "Certificate" {
		for i, c := range comps {
			if bits := keySizeOf(c); bits == 2048 || bits == 4096 {
				k, err := o.newKey(bits)
				if err != nil {
					return nil, sfFault(codeUnknownException, "key generation failed")
				}
				keys[i] = k
			}
		}
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	work := o.st.clone()
	results := make([]*node, len(comps))
	failed := false
	for i, c := range comps {
		errs := o.saveOneLocked(work, create, typ, c, keys[i])
		failed = failed || len(errs) > 0
		results[i] = result(c.text("fullName"), errs)
	}
	if allOrNone && failed {
		for i, c := range comps {
			if results[i].text("success") == "true" {
				results[i] = result(c.text("fullName"), errorf(codeAllOrNone, nil,
					"Record rolled back because not all records were valid and the request was using AllOrNone header"))
			}
		}
	} else {
		o.st = work
	}
	return parent(op.Name+"Response", results...), nil
}

// saveOneLocked validates one component and applies it to st.
func (o *Org) saveOneLocked(st *state, create bool, typ string, c *node, key *rsa.PrivateKey) []saveError {
	name := c.text("fullName")
	if name == "" {
		return errorf(codeRequiredFieldMissing, []string{"fullName"}, "%s", requiredMissing("fullName"))
	}
	if missing := missingRequired(c, typ, ""); len(missing) > 0 {
		var errs []saveError
		for _, m := range missing {
			leaf := m[strings.LastIndexByte(m, '.')+1:]
			errs = append(errs, errorf(codeRequiredFieldMissing, []string{leaf}, "%s", requiredMissing(m))...)
		}
		return errs
	}
	now := o.now()
	switch typ {
	case "Certificate":
		if create {
			return o.createCertificateLocked(st, c, key)
		}
		return updateCertificate(st, c, now)
	case "IdentityProviderSettings":
		if create {
			return errorf(codeInsufficientAccess, nil, "Settings cannot be created; use updateMetadata on %s", idpSettingsName)
		}
		if name != idpSettingsName {
			return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", typ, name))
		}
		certName := c.text("certificateName")
		if _, ok := st.certs[certName]; !ok {
			return errorf(codeInvalidCrossRef, []string{"certificateName"}, "%s",
				noSuchComponent("certificateName", "Certificate", certName))
		}
		st.idpCert, st.idpEnabled, st.idpModified = certName, parseBool(c.text("enableIdentityProvider")), now
		return nil
	case "ConnectedApp":
		if create {
			return errorf(codeInsufficientAccess, nil, "Creating connected apps is restricted; contact Salesforce Support")
		}
		app, ok := st.apps[name]
		if !ok {
			return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", typ, name))
		}
		for _, f := range []string{"certificate", "encryptionCertificate"} {
			if saml := c.child("samlConfig"); saml != nil && saml.child(f) != nil {
				if blk, _ := pem.Decode([]byte(saml.text(f))); blk == nil || blk.Type != "CERTIFICATE" {
					return errorf(codeFieldIntegrity, []string{f},
						"samlConfig.%s must be a PEM-encoded X.509 certificate", f)
				}
			}
		}
		app.comp, app.modified = storedComponent(c), now
		return nil
	case typeECA, typeECAPolicy:
		return o.saveECALocked(st, create, typ, c)
	default: // CallCenter
		if create {
			return errorf(codeInsufficientAccess, nil, "This org does not create call centers")
		}
		cc, ok := st.callCenters[name]
		if !ok {
			return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", typ, name))
		}
		cp := *cc
		cp.comp, cp.modified = storedComponent(c), now
		st.callCenters[name] = &cp
		return nil
	}
}

func (o *Org) deleteMetadata(op *node) (*node, *soapFault) {
	if f := checkOperation(op); f != nil {
		return nil, f
	}
	typ, names := op.text("type"), texts(op.all("fullNames"))
	if len(names) > maxComponentsPerCall {
		return nil, sfFault(codeExceededIDLimit, tooManyComponents())
	}
	if typ != "Certificate" {
		return nil, sfFault(codeInvalidType, fmt.Sprintf("This org deletes Certificate components only, not %s", typ))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var results []*node
	for _, name := range names {
		results = append(results, result(name, o.deleteCertificateLocked(name)))
	}
	return parent("deleteMetadataResponse", results...), nil
}

func (o *Org) deleteCertificateLocked(name string) []saveError {
	st := o.st
	if _, ok := st.certs[name]; !ok {
		return errorf(codeInvalidCrossRef, []string{"fullName"}, "%s", noSuchComponent("fullName", "Certificate", name))
	}
	if st.idpCert == name {
		return errorf(codeDeleteFailed, nil, "This certificate is in use by the Identity Provider and cannot be deleted")
	}
	if appName := st.pinnedBy(name); appName != "" {
		return errorf(codeDeleteFailed, nil, "This certificate is in use by the app %s and cannot be deleted", appName)
	}
	delete(st.certs, name)
	return nil
}

func (o *Org) listMetadata(op *node) (*node, *soapFault) {
	if f := checkOperation(op, "asOfVersion"); f != nil {
		return nil, f
	}
	queries := op.all("queries")
	if len(queries) > maxListQueries {
		return nil, sfFault(codeInvalidOperation, fmt.Sprintf("Too many queries: at most %d per call", maxListQueries))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	st := o.st
	var results []*node
	for _, q := range queries {
		switch typ := q.text("type"); typ {
		case "Certificate":
			for _, n := range sortedKeys(st.certs) {
				c := st.certs[n]
				results = append(results, o.fileProperties(typ, n, c.id, "certs/"+n+".crt", c.created, c.modified))
			}
		case "ConnectedApp":
			for _, n := range sortedKeys(st.apps) {
				a := st.apps[n]
				results = append(results, o.fileProperties(typ, n, a.id, "connectedApps/"+n+".connectedApp", a.created, a.modified))
			}
		case "CallCenter":
			for _, n := range sortedKeys(st.callCenters) {
				cc := st.callCenters[n]
				results = append(results, o.fileProperties(typ, n, cc.id, "callCenters/"+n+".callCenter", cc.created, cc.modified))
			}
		case typeECA, typeECAPolicy:
			results = append(results, o.ecaFileProperties(typ)...)
		}
	}
	return parent("listMetadataResponse", results...), nil
}

func (o *Org) fileProperties(typ, name, id, file string, created, modified time.Time) *node {
	u := o.defaultUser
	return parent("result",
		el("createdById", u.id),
		el("createdByName", u.username),
		el("createdDate", soapTime(created)),
		el("fileName", file),
		el("fullName", name),
		el("id", id),
		el("lastModifiedById", u.id),
		el("lastModifiedByName", u.username),
		el("lastModifiedDate", soapTime(modified)),
		el("manageableState", "unmanaged"),
		el("type", typ),
	)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
