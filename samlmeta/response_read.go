package samlmeta

import (
	"slices"
	"strings"
)

// readAssertion copies the fields of the verified Assertion a into out.
func readAssertion(a *node, out *Assertion) error {
	out.ID = a.attr("ID")
	if iss := a.child(NSAssertion, "Issuer"); iss != nil {
		out.Issuer = strings.TrimSpace(iss.text())
	}
	if out.Issuer == "" {
		return wrapf(ErrInvalidResponse, "Assertion has no Issuer")
	}
	for _, tag := range []string{"Subject", "Conditions"} {
		if n := len(a.children(NSAssertion, tag)); n > 1 {
			return wrapf(ErrDuplicateElement, "%d %s elements in the Assertion, at most one is allowed", n, tag)
		}
	}
	if subj := a.child(NSAssertion, "Subject"); subj != nil {
		if nid := subj.child(NSAssertion, "NameID"); nid != nil {
			out.NameID = strings.TrimSpace(nid.text())
			out.NameIDFormat = nid.attr("Format")
		}
		if err := readConfirmations(subj, out); err != nil {
			return err
		}
	}
	if out.NameID == "" {
		return wrapf(ErrInvalidResponse, "Assertion has no NameID")
	}
	cond := a.child(NSAssertion, "Conditions")
	if cond == nil {
		return wrapf(ErrInvalidResponse, "Assertion has no Conditions")
	}
	var err error
	if out.NotBefore, err = parseDateTime(cond.attr("NotBefore")); err != nil {
		return wrapf(ErrInvalidResponse, "NotBefore: %v", err)
	}
	if out.NotOnOrAfter, err = parseDateTime(cond.attr("NotOnOrAfter")); err != nil {
		return wrapf(ErrInvalidResponse, "NotOnOrAfter: %v", err)
	}
	for _, ar := range cond.children(NSAssertion, "AudienceRestriction") {
		var r []string
		for _, au := range ar.children(NSAssertion, "Audience") {
			r = append(r, strings.TrimSpace(au.text()))
		}
		out.restrictions = append(out.restrictions, r)
		out.audiences = append(out.audiences, r...)
	}
	if len(out.audiences) > 0 {
		out.Audience = out.audiences[0]
	}
	out.Attributes = map[string][]string{}
	for _, st := range a.children(NSAssertion, "AttributeStatement") {
		for _, at := range st.children(NSAssertion, "Attribute") {
			name := at.attr("Name")
			for _, v := range at.children(NSAssertion, "AttributeValue") {
				out.Attributes[name] = append(out.Attributes[name], strings.TrimSpace(v.text()))
			}
		}
	}
	out.Roles = out.Attributes[AttrRole]
	if v := out.Attributes[AttrRoleSessionName]; len(v) > 0 {
		out.RoleSessionName = v[0]
	}
	return nil
}

// checkConditions applies the time window and the audience requirement.
func checkConditions(a *Assertion, o *verifyOptions) error {
	now := o.now()
	if a.NotOnOrAfter.IsZero() {
		return wrapf(ErrInvalidResponse, "Conditions have no NotOnOrAfter")
	}
	if !a.NotBefore.IsZero() && now.Add(o.skew).Before(a.NotBefore) {
		return wrapf(ErrInvalidResponse, "assertion not valid before %s (now %s)", formatDateTime(a.NotBefore), formatDateTime(now))
	}
	if !now.Add(-o.skew).Before(a.NotOnOrAfter) {
		return wrapf(ErrInvalidResponse, "assertion expired at %s (now %s)", formatDateTime(a.NotOnOrAfter), formatDateTime(now))
	}
	if o.audience == "" {
		return nil
	}
	if len(a.restrictions) == 0 {
		return wrapf(ErrAudience, "no AudienceRestriction, want audience %q", o.audience)
	}
	for i, r := range a.restrictions {
		if !slices.Contains(r, o.audience) {
			return wrapf(ErrAudience, "AudienceRestriction %d of %d allows %q, not %q", i+1, len(a.restrictions), r, o.audience)
		}
	}
	return nil
}

// readConfirmations reads the Subject's SubjectConfirmations; Recipient is
// the first SubjectConfirmationData Recipient.
func readConfirmations(subj *node, out *Assertion) error {
	for _, sc := range subj.children(NSAssertion, "SubjectConfirmation") {
		c := confirmation{method: sc.attr("Method")}
		if scd := sc.child(NSAssertion, "SubjectConfirmationData"); scd != nil {
			c.hasData, c.recipient = true, scd.attr("Recipient")
			var err error
			if c.notOnOrAfter, err = parseDateTime(scd.attr("NotOnOrAfter")); err != nil {
				return wrapf(ErrInvalidResponse, "SubjectConfirmationData NotOnOrAfter: %v", err)
			}
			if out.Recipient == "" {
				out.Recipient = c.recipient
			}
		}
		out.confirmations = append(out.confirmations, c)
	}
	return nil
}
