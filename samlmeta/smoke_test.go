package samlmeta

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	old := testKey(t, "old", 2048)
	nw := testKey(t, "new", 2048)
	doc := buildTestMetadata(t, old.cert)
	t.Log(string(doc))
	require.NoError(t, ValidateIAM(doc, testNow))
	signed, err := Sign(doc, old.key, old.cert)
	require.NoError(t, err)
	t.Log(string(signed))
	c, err := VerifySignature(signed, []*Cert{nw.cert, old.cert}, WithClock(testClock))
	require.NoError(t, err)
	require.Equal(t, old.cert.SHA256, c.SHA256)
	m, err := Parse(signed)
	require.NoError(t, err)
	require.NoError(t, m.AddSigningCertificate(nw.cert))
	t.Log(string(m.Bytes()))
	resp, err := IssueResponse(ResponseSpec{Issuer: "https://example.my.salesforce.com", NameID: "agent@example.com", Audience: "https://signin.aws.amazon.com/saml",
		Destination: "https://signin.aws.amazon.com/saml", IssueInstant: testNow, SignResponse: true, SignAssertion: true,
		Attributes: []Attribute{{Name: AttrRole, Values: []string{"arn:aws:iam::123456789012:role/cc-SAMLRole,arn:aws:iam::123456789012:saml-provider/SalesforceServiceVoiceIdp"}}}}, nw.key, nw.cert)
	require.NoError(t, err)
	t.Log(string(resp))
	a, err := VerifyResponseWithMetadata(resp, m.Bytes(), WithClock(testClock))
	require.NoError(t, err)
	t.Logf("%+v", a)
}
