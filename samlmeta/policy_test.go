package samlmeta

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func awsOpts(extra ...VerifyOption) []VerifyOption {
	return append([]VerifyOption{WithClock(func() time.Time { return testNow }), RequireAWSSignIn(testProviderARN, "")}, extra...)
}

func setAttr(s *ResponseSpec, name string, values ...string) {
	for i, a := range s.Attributes {
		if a.Name == name {
			if values == nil {
				s.Attributes = append(s.Attributes[:i], s.Attributes[i+1:]...)
			} else {
				s.Attributes[i].Values = values
			}
			return
		}
	}
	s.Attributes = append(s.Attributes, Attribute{Name: name, Values: values})
}

func TestRequireAWSSignInAccepts(t *testing.T) {
	kp := testKey(t, "policy", 2048)
	for name, mutate := range map[string]func(*ResponseSpec){
		"global":         nil,
		"regional":       func(s *ResponseSpec) { s.Recipient = "https://eu-west-2.signin.aws.amazon.com/saml" },
		"provider first": func(s *ResponseSpec) { setAttr(s, AttrRole, testProviderARN+","+testRoleARN) },
		"several roles": func(s *ResponseSpec) {
			setAttr(s, AttrRole, "arn:aws:iam::999999999999:role/Other,arn:aws:iam::999999999999:saml-provider/Other", testRoleARN+","+testProviderARN)
		},
		"session name limits": func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName, "a_+=,.@-"+strings.Repeat("z", 56)) },
	} {
		t.Run(name, func(t *testing.T) {
			a, err := VerifyResponse(issue(t, kp, mutate), []*Cert{kp.cert}, awsOpts(RequireAWSSignIn(testProviderARN, testRoleARN))...)
			require.NoError(t, err)
			assert.True(t, IsAWSSignInURL(a.Recipient))
		})
	}
}

func TestRequireAWSSignInRefuses(t *testing.T) {
	kp := testKey(t, "policy", 2048)
	spec := func(mutate func(*ResponseSpec)) []byte { return issue(t, kp, mutate) }
	edit := func(fn func(a *etree.Element)) []byte {
		return resignedResponse(t, kp, func(root *etree.Element) { fn(root.FindElement("./Assertion")) })
	}
	scd := func(fn func(scd *etree.Element)) []byte {
		return edit(func(a *etree.Element) { fn(a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")) })
	}
	method := func(m string) []byte {
		return edit(func(a *etree.Element) { a.FindElement("./Subject/SubjectConfirmation").CreateAttr("Method", m) })
	}
	for _, tc := range []struct {
		name string
		resp []byte
		want error
		opts []VerifyOption
	}{
		{"no SubjectConfirmation", edit(func(a *etree.Element) {
			s := a.FindElement("./Subject")
			s.RemoveChild(s.FindElement("./SubjectConfirmation"))
		}), ErrSubjectConfirmation, nil},
		{"two SubjectConfirmations", edit(func(a *etree.Element) {
			s := a.FindElement("./Subject")
			s.AddChild(s.FindElement("./SubjectConfirmation").Copy())
		}), ErrSubjectConfirmation, nil},
		{"holder-of-key", method(methodHolderOfKey), ErrHolderOfKey, nil},
		{"sender-vouches", method("urn:oasis:names:tc:SAML:2.0:cm:sender-vouches"), ErrSubjectConfirmation, nil},
		{"no SubjectConfirmationData", edit(func(a *etree.Element) {
			sc := a.FindElement("./Subject/SubjectConfirmation")
			sc.RemoveChild(sc.FindElement("./SubjectConfirmationData"))
		}), ErrSubjectConfirmation, nil},
		{"no Recipient", scd(func(e *etree.Element) { e.RemoveAttr("Recipient") }), ErrRecipient, nil},
		{"Recipient elsewhere", spec(func(s *ResponseSpec) { s.Recipient = "https://evil.example.com/saml" }), ErrRecipient, nil},
		{"Recipient look-alike", spec(func(s *ResponseSpec) { s.Recipient = "https://signin.aws.amazon.com.evil.example/saml" }), ErrRecipient, nil},
		{"Recipient http", spec(func(s *ResponseSpec) { s.Recipient = "http://signin.aws.amazon.com/saml" }), ErrRecipient, nil},
		{"no NotOnOrAfter", scd(func(e *etree.Element) { e.RemoveAttr("NotOnOrAfter") }), ErrConfirmationExpired, nil},
		{"NotOnOrAfter in 2020", scd(func(e *etree.Element) { e.CreateAttr("NotOnOrAfter", "2020-01-01T00:00:00Z") }), ErrConfirmationExpired, nil},
		{"no RoleSessionName", spec(func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName) }), ErrRoleSessionName, nil},
		{"RoleSessionName with a space", spec(func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName, "agent one") }), ErrRoleSessionName, nil},
		{"RoleSessionName of 65", spec(func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName, strings.Repeat("a", 65)) }), ErrRoleSessionName, nil},
		{"RoleSessionName of 1", spec(func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName, "a") }), ErrRoleSessionName, nil},
		{"two RoleSessionNames", spec(func(s *ResponseSpec) { setAttr(s, AttrRoleSessionName, "ab", "cd") }), ErrRoleSessionName, nil},
		{"no Role", spec(func(s *ResponseSpec) { setAttr(s, AttrRole) }), ErrRole, nil},
		{"Role of another provider", spec(func(s *ResponseSpec) {
			setAttr(s, AttrRole, "arn:aws:iam::999999999999:role/R,arn:aws:iam::999999999999:saml-provider/P")
		}), ErrRole, nil},
		{"Role without a role", spec(func(s *ResponseSpec) { setAttr(s, AttrRole, testProviderARN) }), ErrRole, nil},
		{"another role", spec(nil), ErrRole, []VerifyOption{RequireAWSSignIn(testProviderARN, "arn:aws:iam::111111111111:role/Other")}},
		{"no provider given", spec(nil), ErrRole, []VerifyOption{RequireAWSSignIn("", "")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyResponse(tc.resp, []*Cert{kp.cert}, awsOpts(tc.opts...)...)
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, ErrInvalidResponse)
			// Each of these Responses is otherwise valid: without the
			// policy it verifies.
			_, err = VerifyResponse(tc.resp, []*Cert{kp.cert}, WithClock(func() time.Time { return testNow }))
			require.NoError(t, err)
		})
	}
}

func TestSecondSubjectOrConditionsRefused(t *testing.T) {
	kp := testKey(t, "policy", 2048)
	for _, tag := range []string{"Subject", "Conditions"} {
		resp := resignedResponse(t, kp, func(root *etree.Element) {
			a := root.FindElement("./Assertion")
			el := a.FindElement("./" + tag)
			a.InsertChildAt(el.Index()+1, el.Copy())
		})
		_, err := VerifyResponse(resp, []*Cert{kp.cert}, WithClock(func() time.Time { return testNow }))
		require.ErrorIs(t, err, ErrDuplicateElement, tag)
	}
}

// WithAudience used to pass when any one AudienceRestriction named the
// audience; each must.
func TestWithAudienceEveryRestriction(t *testing.T) {
	kp := testKey(t, "policy", 2048)
	clock := WithClock(func() time.Time { return testNow })
	resp := resignedResponse(t, kp, func(root *etree.Element) {
		c := root.FindElement("./Assertion/Conditions")
		c.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText("https://other-sp.example.com")
	})
	_, err := VerifyResponse(resp, []*Cert{kp.cert}, clock, WithAudience(AWSSignInURL))
	require.ErrorIs(t, err, ErrAudience)
	require.ErrorIs(t, err, ErrInvalidResponse)

	_, err = VerifyResponse(issue(t, kp, func(s *ResponseSpec) { s.Audience = "" }), []*Cert{kp.cert}, clock, WithAudience(AWSSignInURL))
	require.ErrorIs(t, err, ErrAudience, "no AudienceRestriction")

	a, err := VerifyResponse(issue(t, kp, nil), []*Cert{kp.cert}, clock, WithAudience(AWSSignInURL))
	require.NoError(t, err)
	assert.True(t, a.HasAWSAudience())
}

// AWS only says its audience "should" be there: a Response whose audience
// is the app's Entity ID passes the policy and reports it.
func TestAWSAudienceReportedNotRequired(t *testing.T) {
	kp := testKey(t, "policy", 2048)
	for aud, want := range map[string]bool{"CC1": false, AWSAudienceURN: true, AWSSignInURL: true} {
		a, err := VerifyResponse(issue(t, kp, func(s *ResponseSpec) { s.Audience = aud }), []*Cert{kp.cert}, awsOpts()...)
		require.NoError(t, err)
		assert.Equal(t, want, a.HasAWSAudience(), aud)
	}
}

func TestIsAWSSignInURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://signin.aws.amazon.com/saml":                true,
		"https://us-east-2.signin.aws.amazon.com/saml":      true,
		"https://ap-southeast-5.signin.aws.amazon.com/saml": true,
		"https://us-gov-west-1.signin.aws.amazon.com/saml":  true,
		"https://signin.aws.amazon.com/saml/":               false,
		"https://evil.signin.aws.amazon.com/saml":           false,
		"https://us-east-2.signin.aws.amazon.com/saml?x=1":  false,
		"https://signin.aws.amazon.com.evil.example/saml":   false,
		"": false,
	} {
		assert.Equal(t, want, IsAWSSignInURL(u), u)
	}
}

func TestSplitRole(t *testing.T) {
	r, p, ok := SplitRole(" " + testProviderARN + " , " + testRoleARN)
	require.True(t, ok)
	assert.Equal(t, testRoleARN, r)
	assert.Equal(t, testProviderARN, p)
	for _, v := range []string{testRoleARN, testRoleARN + "," + testRoleARN, testRoleARN + "," + testProviderARN + ",x", "a,b"} {
		_, _, ok := SplitRole(v)
		assert.False(t, ok, v)
	}
}

func TestPolicyErrorsAreDistinct(t *testing.T) {
	errs := []error{ErrDuplicateElement, ErrAudience, ErrSubjectConfirmation, ErrHolderOfKey, ErrRecipient,
		ErrConfirmationExpired, ErrRoleSessionName, ErrRole, ErrEncryptedAssertion}
	for i, a := range errs {
		for j, b := range errs {
			assert.Equal(t, i == j, errors.Is(a, b), "%v / %v", a, b)
		}
	}
}
