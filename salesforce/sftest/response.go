package sftest

import (
	"cmp"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/voicecert/voicecert/samlmeta"
)

// loginSpec prepares the Response of an IdP-initiated login into the app
// for u, shaped as a real org shapes it (facts.go, "SAML Responses"), and
// the URL the auto-post form posts it to; or an HTTP status and message
// when the login cannot happen.
func (o *Org) loginSpec(loginID string, u *user) (spec samlmeta.ResponseSpec, action string, key *rsa.PrivateKey, cert *samlmeta.Cert, status int, msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	app := o.st.samlAppByLoginID(loginID) // a connected app, or an ECA shown as one
	if app == nil {
		return spec, "", nil, nil, http.StatusNotFound, "No connected app has login id " + loginID
	}
	saml := app.comp.child("samlConfig")
	if saml == nil {
		return spec, "", nil, nil, http.StatusBadRequest, "SAML is not enabled for " + app.name
	}
	c, ok := o.st.certs[o.st.effectiveCert(app)]
	if !ok || !o.st.idpEnabled {
		return spec, "", nil, nil, http.StatusBadRequest, "The identity provider is not enabled"
	}
	acs := saml.text("acsUrl")
	now := o.now()
	spec = samlmeta.ResponseSpec{
		Issuer:           o.URL(),
		Destination:      acs,
		Recipient:        acs,
		Audience:         cmp.Or(o.opts.audience, saml.text("entityUrl")),
		NameIDFormat:     nameIDFormat(saml.text("samlNameIdFormat")),
		IssueInstant:     now,
		NotBefore:        now.Add(-responseNotBeforeSkew),
		Validity:         responseValidity,
		SignResponse:     true,
		SignAssertion:    true,
		SigningAlgorithm: signingAlgorithm(saml.text("samlSigningAlgoType")),
	}
	spec.Attributes = defaultAttributes(u)
	custom := map[string]string{}
	for _, a := range app.comp.all("attributes") {
		if v, ok := o.evalFormula(a.text("formula"), u); ok {
			custom[a.text("key")] = v
			spec.Attributes = append(spec.Attributes, samlmeta.Attribute{Name: a.text("key"), Values: []string{v}, Type: attributeType})
		}
	}
	if spec.NameID, msg = o.subjectLocked(app, saml, u, custom); msg != "" {
		return spec, "", nil, nil, http.StatusBadRequest, msg
	}
	if ec, et := saml.text("encryptionCertificate"), saml.text("encryptionType"); ec != "" && et != "" {
		enc, err := assertionEncrypter(ec, et)
		if err != nil {
			return spec, "", nil, nil, http.StatusInternalServerError, "encrypting the assertion: " + err.Error()
		}
		spec.EncryptAssertion = enc
	}
	return spec, cmp.Or(o.opts.signInURL, acs), c.key, c.cert, 0, ""
}

// defaultAttributes are the attributes a real org adds to every Response.
func defaultAttributes(u *user) []samlmeta.Attribute {
	attr := func(name, v string) samlmeta.Attribute {
		return samlmeta.Attribute{Name: name, Values: []string{v}, Type: attributeType}
	}
	return []samlmeta.Attribute{
		attr("userId", u.id[:15]),
		attr("username", u.username),
		attr("email", u.email()),
		attr("is_portal_user", "false"),
	}
}

// subjectLocked is the NameID of u for the app's samlSubjectType, or the
// message of a login that cannot name its subject.
func (o *Org) subjectLocked(app *connectedApp, saml *node, u *user, custom map[string]string) (string, string) {
	switch saml.text("samlSubjectType") {
	case "FederationId":
		if u.federationID == "" {
			return "", "The user has no Federation ID, the subject of " + app.name
		}
		return u.federationID, ""
	case "UserId", "SpokeId":
		return u.id[:15], ""
	case "CustomAttribute":
		name := saml.text("samlSubjectCustomAttr")
		if v, ok := custom[name]; ok && v != "" {
			return v, ""
		}
		return "", "The custom attribute " + name + " that names the subject of " + app.name + " has no value"
	case "PersistentId":
		sum := sha256.Sum256([]byte(o.orgID + "\x00" + app.id + "\x00" + u.id))
		return hex.EncodeToString(sum[:16]), ""
	default: // Username
		return u.username, ""
	}
}

// signingAlgorithm maps samlSigningAlgoType to the algorithm the org signs
// with; absent, SHA256 (facts.go).
func signingAlgorithm(v string) samlmeta.SigningAlgorithm {
	if v == string(samlmeta.SigningSHA1) {
		return samlmeta.SigningSHA1
	}
	return samlmeta.SigningSHA256
}
