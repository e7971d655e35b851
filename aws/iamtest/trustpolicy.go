package iamtest

import (
	"encoding/json"
	"path"
	"strings"
)

// trustAllows says whether a role's trust policy lets the SAML provider
// providerARN call sts:AssumeRoleWithSAML for a Response whose Recipient
// (the SAML:aud key) is aud. [C trust] The statement must Allow the action
// for Principal.Federated = the provider and, the fake requires, carry a
// SAML:aud condition the Recipient satisfies (StringEquals or StringLike;
// condition keys are case-insensitive, values case-sensitive [C IAM policy
// reference]). A matching Deny wins. [U] Statements with any other
// condition operator or key are not evaluated and allow nothing: the fake
// is stricter than IAM there.
func trustAllows(policy, providerARN, aud string) bool {
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []trustStatement
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one trustStatement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []trustStatement{one}
	}
	allowed := false
	for _, st := range stmts {
		if !st.applies(providerARN, aud) {
			continue
		}
		switch st.Effect {
		case "Deny":
			return false
		case "Allow":
			allowed = true
		}
	}
	return allowed
}

type trustStatement struct {
	Effect    string
	Action    stringList
	Principal struct {
		Federated stringList
	}
	Condition map[string]map[string]stringList
}

func (st trustStatement) applies(providerARN, aud string) bool {
	action := false
	for _, a := range st.Action {
		if matchGlob(strings.ToLower(a), "sts:assumerolewithsaml") {
			action = true
		}
	}
	principal := false
	for _, p := range st.Principal.Federated {
		principal = principal || p == providerARN
	}
	if !action || !principal {
		return false
	}
	hasAud := false
	for op, keys := range st.Condition {
		for key, values := range keys {
			if !strings.EqualFold(key, "SAML:aud") {
				return false
			}
			ok := false
			for _, v := range values {
				switch op {
				case "StringEquals":
					ok = ok || v == aud
				case "StringLike":
					ok = ok || matchGlob(v, aud)
				default:
					return false
				}
			}
			if !ok {
				return false
			}
			hasAud = true
		}
	}
	return hasAud
}

// matchGlob matches IAM's * and ? wildcards.
func matchGlob(pattern, s string) bool {
	// path.Match treats "/" specially and knows character classes: escape
	// everything but the IAM wildcards and compare segment-free.
	esc := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "/", "\x00").Replace(pattern)
	ok, err := path.Match(esc, strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// stringList is a policy value that is a string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = stringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}
