package iamtest

import (
	"crypto/sha1" //nolint:gosec // NameQualifier is a SHA-1 hash by AWS's definition.
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// stsHandlers are the STS actions the fake implements (unsigned, [C
// model]: AssumeRoleWithSAML has auth none); every other STS action is
// answered InvalidAction.
var stsHandlers = map[string]handler{
	"AssumeRoleWithSAML": (*Server).assumeRoleWithSAML,
}

// Credentials are temporary credentials the fake STS issued. The fake
// knows them so that a request signed with them (and carrying the session
// token) is accepted, and so that tests can check a caller never leaks
// them.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	// RoleARN is the role assumed.
	RoleARN    string
	Expiration time.Time
}

// Issued returns every set of credentials AssumeRoleWithSAML issued, in
// order.
func (s *Server) Issued() []Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Credentials(nil), s.issued...)
}

// STSURL is the endpoint to give the STS client as BaseEndpoint (or
// AWS_ENDPOINT_URL_STS): the same listener as IAM; requests are routed by
// their Version.
func (s *Server) STSURL() string { return s.srv.URL }

type assumeRoleWithSAMLResult struct {
	Audience        string
	AssumedRoleUser struct {
		AssumedRoleId string
		Arn           string
	}
	Credentials struct {
		AccessKeyId     string
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	Issuer           string
	NameQualifier    string
	PackedPolicySize int    `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
	Subject          string
	SubjectType      string
}

func (s *Server) assumeRoleWithSAML(req *request) (any, *Fault) {
	in, f := readSTSInput(req)
	if f != nil {
		return nil, f
	}
	c, ro, f := s.judgeSAML(in.assertion, in.principal, in.role, in.duration, false)
	if f != nil {
		return nil, f
	}
	now := s.now().UTC()
	cred := Credentials{
		AccessKeyID:     "ASIA" + strings.ToUpper(randHex(8)),
		SecretAccessKey: base64.StdEncoding.EncodeToString([]byte(randHex(15))),
		SessionToken:    "IQoJb3JpZ2luX2Vj" + base64.StdEncoding.EncodeToString([]byte(randHex(96))),
		RoleARN:         ro.arn,
		Expiration:      now.Add(time.Duration(in.duration) * time.Second).Truncate(time.Second),
	}
	s.mu.Lock()
	s.keys[cred.AccessKeyID] = credential{account: ro.account, secret: cred.SecretAccessKey, token: cred.SessionToken}
	s.issued = append(s.issued, cred)
	s.mu.Unlock()

	var res assumeRoleWithSAMLResult
	res.Audience = c.recipient
	res.AssumedRoleUser.AssumedRoleId = ro.id + ":" + c.sessionName
	res.AssumedRoleUser.Arn = "arn:aws:sts::" + ro.account + ":assumed-role/" + ro.name + "/" + c.sessionName
	res.Credentials.AccessKeyId = cred.AccessKeyID
	res.Credentials.SecretAccessKey = cred.SecretAccessKey
	res.Credentials.SessionToken = cred.SessionToken
	res.Credentials.Expiration = isoTime(cred.Expiration)
	res.Issuer = c.issuer
	// [C apiref] NameQualifier = base64(SHA1(Issuer + AccountID + "/" +
	// provider name)); SubjectType is transient or persistent for those
	// formats, else the format URI.
	_, providerName, _ := parseARN(in.principal, "saml-provider/")
	sum := sha1.Sum([]byte(c.issuer + ro.account + "/" + providerName))
	res.NameQualifier = base64.StdEncoding.EncodeToString(sum[:])
	res.SourceIdentity = c.sourceID
	res.Subject = c.nameID
	res.SubjectType = c.nameIDFormat
	switch c.nameIDFormat {
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
		res.SubjectType = "transient"
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
		res.SubjectType = "persistent"
	}
	return res, nil
}

type stsInput struct {
	role, principal, assertion string
	duration                   int
}

// readSTSInput applies the model's constraints on the parameters. [C model]
func readSTSInput(req *request) (stsInput, *Fault) {
	validation := func(msg string) *Fault { return &Fault{Code: "ValidationError", Message: msg} }
	in := stsInput{role: req.form.Get("RoleArn"), principal: req.form.Get("PrincipalArn"),
		assertion: req.form.Get("SAMLAssertion"), duration: defaultSessionSeconds}
	for _, p := range []struct{ name, value string }{{"roleArn", in.role}, {"principalArn", in.principal}, {"sAMLAssertion", in.assertion}} {
		if p.value == "" {
			return in, validation("1 validation error detected: Value null at '" + p.name + "' failed to satisfy constraint: Member must not be null")
		}
	}
	if n := len(in.assertion); n < minAssertionLen || n > maxAssertionLen {
		return in, validation("1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length between 4 and 100000")
	}
	if _, _, ok := parseARN(in.principal, "saml-provider/"); !ok || len(in.principal) < minARNLen || len(in.principal) > maxARNLen {
		return in, validation("Principal ARN is invalid")
	}
	if _, _, ok := parseARN(in.role, "role/"); !ok || len(in.role) < minARNLen || len(in.role) > maxARNLen {
		return in, validation("Request ARN is invalid")
	}
	if v := req.form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minSessionSeconds || n > maxSessionSeconds {
			return in, validation("1 validation error detected: Value '" + v + "' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200")
		}
		in.duration = n
	}
	if p, ok := req.form["Policy"]; ok {
		if len(p[0]) < 1 || len(p[0]) > maxPolicyLen {
			return in, validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length between 1 and 2048")
		}
		var v map[string]any
		if json.Unmarshal([]byte(p[0]), &v) != nil {
			return in, &Fault{Code: "MalformedPolicyDocument", Message: "The policy is not in the valid JSON format."}
		}
	}
	return in, nil
}
