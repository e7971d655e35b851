package iamtest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
)

const (
	acct  = "123456789012"
	other = "210987654321"
	idp   = "https://example.my.salesforce.com"
)

// newClient returns a real SDK client for srv signed with creds, without
// SDK retries so that every call reaches the server once.
func newClient(srv *iamtest.Server, keyID, secret string) *iam.Client {
	cfg := awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })
}

// newSessionClient is newClient with temporary credentials.
func newSessionClient(srv *iamtest.Server, keyID, secret, token string) *iam.Client {
	cfg := awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, token),
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })
}

func setup(t *testing.T) (*iamtest.Server, *iam.Client, string) {
	t.Helper()
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn := srv.AddProvider(acct, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	keyID, secret := srv.AddAccount(acct)
	return srv, newClient(srv, keyID, secret), arn
}

// apiError returns the code and HTTP status of an SDK error.
func apiError(t *testing.T, err error) (code string, status int) {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	assert.NotEmpty(t, re.ServiceRequestID(), "x-amzn-RequestId")
	return ae.ErrorCode(), re.HTTPStatusCode()
}

func TestGetSAMLProviderRoundTrip(t *testing.T) {
	srv, c, arn := setup(t)
	doc := bytes.ReplaceAll(testmeta.Metadata(idp, testmeta.RSA(0).DER(), testmeta.RSA(1).DER()), []byte("\n"), []byte("\r\n"))
	_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: awssdk.String(string(doc))})
	require.NoError(t, err)

	out, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	require.NoError(t, err)
	assert.Equal(t, string(doc), awssdk.ToString(out.SAMLMetadataDocument), "stored verbatim, CR LF included")
	assert.Equal(t, doc, srv.Document(arn))
	assert.Len(t, awssdk.ToString(out.SAMLProviderUUID), 26)
	assert.Equal(t, time.Date(2126, 1, 1, 0, 0, 0, 0, time.UTC), awssdk.ToTime(out.ValidUntil), "ValidUntil from the metadata")
	assert.WithinDuration(t, time.Now(), awssdk.ToTime(out.CreateDate), time.Minute)
	assert.Equal(t, types.AssertionEncryptionModeTypeAllowed, out.AssertionEncryptionMode)

	list, err := c.ListSAMLProviders(t.Context(), &iam.ListSAMLProvidersInput{})
	require.NoError(t, err)
	require.Len(t, list.SAMLProviderList, 1)
	assert.Equal(t, arn, awssdk.ToString(list.SAMLProviderList[0].Arn))

	assert.Equal(t, []iamtest.Call{
		{Op: "UpdateSAMLProvider", Target: arn, Account: acct},
		{Op: "GetSAMLProvider", Target: arn, Account: acct},
		{Op: "ListSAMLProviders", Account: acct},
	}, srv.Calls())
}

func TestUpdateRefusesWhatIAMRefuses(t *testing.T) {
	valid := string(testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	eleven := make([][]byte, 11)
	for i := range eleven {
		eleven[i] = testmeta.RSA(0).DER()
	}
	cases := map[string]string{
		"999 characters":  strings.Repeat("x", 999),
		"BOM":             "\uFEFF" + valid,
		"not XML":         strings.Repeat("<a", 600),
		"not metadata":    "<root>" + strings.Repeat(" ", 1000) + "</root>",
		"DOCTYPE":         `<!DOCTYPE x [<!ENTITY a "b">]>` + valid[strings.Index(valid, "<md:"):],
		"512-bit key":     string(testmeta.Metadata(idp, testmeta.Weak512())),
		"eleven keys":     string(testmeta.Metadata(idp, eleven...)),
		"no signing keys": string(testmeta.Metadata(idp)) + strings.Repeat(" ", 1000),
		"10,000,001":      valid + strings.Repeat(" ", 10_000_001-len(valid)),
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, c, arn := setup(t)
			before := srv.Snapshot()
			_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &doc})
			code, status := apiError(t, err)
			assert.Equal(t, "InvalidInput", code)
			assert.Equal(t, http.StatusBadRequest, status)
			var ii *types.InvalidInputException
			assert.ErrorAs(t, err, &ii)
			assert.Equal(t, before, srv.Snapshot())
		})
	}
	t.Run("nothing to update", func(t *testing.T) {
		_, c, arn := setup(t)
		_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn})
		code, _ := apiError(t, err)
		assert.Equal(t, "InvalidInput", code)
		assert.ErrorContains(t, err, "No updates are defined")
	})
}

func TestAuthentication(t *testing.T) {
	srv, _, arn := setup(t)
	keyID, secret := srv.AddAccount(acct)
	get := func(c *iam.Client) error {
		_, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
		return err
	}
	require.NoError(t, get(newClient(srv, keyID, secret)))

	code, status := apiError(t, get(newClient(srv, keyID, secret+"x")))
	assert.Equal(t, "SignatureDoesNotMatch", code)
	assert.Equal(t, http.StatusForbidden, status)

	code, status = apiError(t, get(newClient(srv, "AKIAUNKNOWN000000000", secret)))
	assert.Equal(t, "InvalidClientTokenId", code)
	assert.Equal(t, http.StatusForbidden, status)

	// An unsigned request, and one whose body was changed after signing.
	form := url.Values{"Action": {"GetSAMLProvider"}, "Version": {iamtest.Version}, "SAMLProviderArn": {arn}}
	resp, err := http.Post(srv.URL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	body := readAll(t, resp)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body, "<Code>MissingAuthenticationToken</Code>")
	assert.NotEmpty(t, resp.Header.Get("x-amzn-RequestId"))

	var signed *http.Request
	c := iam.NewFromConfig(awssdk.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		Retryer:     func() awssdk.Retryer { return awssdk.NopRetryer{} },
		HTTPClient: doerFunc(func(r *http.Request) (*http.Response, error) {
			signed = r
			return nil, errors.New("captured")
		}),
	}, func(o *iam.Options) { o.BaseEndpoint = awssdk.String(srv.URL()) })
	_ = get(c)
	require.NotNil(t, signed)
	tampered := form
	tampered.Set("SAMLProviderArn", "arn:aws:iam::"+acct+":saml-provider/Other")
	req, err := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(tampered.Encode()))
	require.NoError(t, err)
	req.Header = signed.Header.Clone()
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, readAll(t, resp), "<Code>SignatureDoesNotMatch</Code>")

	for _, call := range srv.Calls() {
		assert.Equal(t, "GetSAMLProvider", call.Op)
	}
	assert.Equal(t, arn, srv.Calls()[0].Target)
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err := b.ReadFrom(resp.Body)
	require.NoError(t, err)
	return b.String()
}

func TestOtherAccountAndUnknownAction(t *testing.T) {
	srv, c, arn := setup(t)
	otherARN := srv.AddProvider(other, "SalesforceServiceVoiceIdp", testmeta.Metadata(idp, testmeta.RSA(0).DER()))
	_, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &otherARN})
	code, status := apiError(t, err)
	assert.Equal(t, "AccessDenied", code)
	assert.Equal(t, http.StatusForbidden, status)

	missing := strings.Replace(arn, "SalesforceServiceVoiceIdp", "Missing", 1)
	_, err = c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &missing})
	code, status = apiError(t, err)
	assert.Equal(t, "NoSuchEntity", code)
	assert.Equal(t, http.StatusNotFound, status)
	var nse *types.NoSuchEntityException
	assert.ErrorAs(t, err, &nse)

	_, err = c.DeleteSAMLProvider(t.Context(), &iam.DeleteSAMLProviderInput{SAMLProviderArn: &arn})
	code, status = apiError(t, err)
	assert.Equal(t, "InvalidAction", code)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.NotNil(t, srv.Document(arn), "nothing deleted")

	list, err := c.ListSAMLProviders(t.Context(), &iam.ListSAMLProvidersInput{})
	require.NoError(t, err)
	require.Len(t, list.SAMLProviderList, 1, "only the caller's account")
}

// TestFaultsOnTheWire checks that each error code reaches the SDK with the
// status IAM uses.
func TestFaultsOnTheWire(t *testing.T) {
	cases := []struct {
		code   string
		status int
		as     any
	}{
		{"NoSuchEntity", 404, new(*types.NoSuchEntityException)},
		{"InvalidInput", 400, new(*types.InvalidInputException)},
		{"LimitExceeded", 409, new(*types.LimitExceededException)},
		{"ConcurrentModification", 409, new(*types.ConcurrentModificationException)},
		{"EntityAlreadyExists", 409, new(*types.EntityAlreadyExistsException)},
		{"ServiceFailure", 500, new(*types.ServiceFailureException)},
		{"Throttling", 400, new(*smithy.GenericAPIError)},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			srv, c, arn := setup(t)
			srv.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: tc.code, Message: "injected " + tc.code}, 1)
			doc := string(testmeta.Metadata(idp, testmeta.RSA(1).DER()))
			before := srv.Snapshot()
			_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &doc})
			code, status := apiError(t, err)
			assert.Equal(t, tc.code, code)
			assert.Equal(t, tc.status, status)
			assert.ErrorAs(t, err, tc.as)
			assert.ErrorContains(t, err, "injected "+tc.code)
			assert.Equal(t, before, srv.Snapshot(), "a faulted call changes nothing")

			_, err = c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &doc})
			require.NoError(t, err, "the fault was for one call only")
			assert.Equal(t, doc, string(srv.Document(arn)))
		})
	}
}

func TestHookLatencyAndStatus(t *testing.T) {
	srv, c, arn := setup(t)
	var seen []iamtest.Call
	srv.SetHook(func(call iamtest.Call) *iamtest.Fault {
		seen = append(seen, call)
		if call.Op == "UpdateSAMLProvider" {
			return &iamtest.Fault{Code: "ServiceFailure", Status: http.StatusBadGateway, Latency: 30 * time.Millisecond}
		}
		return nil
	})
	doc := string(testmeta.Metadata(idp, testmeta.RSA(1).DER()))
	start := time.Now()
	_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &doc})
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
	code, status := apiError(t, err)
	assert.Equal(t, "ServiceFailure", code)
	assert.Equal(t, http.StatusBadGateway, status)
	assert.Equal(t, []iamtest.Call{{Op: "UpdateSAMLProvider", Target: arn, Account: acct}}, seen)
	assert.NotEqual(t, doc, string(srv.Document(arn)))

	srv.SetHook(nil)
	srv.SetLatency(20 * time.Millisecond)
	start = time.Now()
	_, err = c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
	defer cancel()
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestStaleReads(t *testing.T) {
	srv, c, arn := setup(t)
	old := srv.Document(arn)
	srv.StaleReads(arn, 2)
	doc := string(testmeta.Metadata(idp, testmeta.RSA(1).DER()))
	_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &doc})
	require.NoError(t, err)
	var got []string
	for range 3 {
		out, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
		require.NoError(t, err)
		got = append(got, awssdk.ToString(out.SAMLMetadataDocument))
	}
	assert.Equal(t, []string{string(old), string(old), doc}, got)
	assert.Equal(t, doc, string(srv.Document(arn)))
}

func TestTags(t *testing.T) {
	srv, c, arn := setup(t)
	_, err := c.TagSAMLProvider(t.Context(), &iam.TagSAMLProviderInput{SAMLProviderArn: &arn, Tags: []types.Tag{
		{Key: awssdk.String("a"), Value: awssdk.String("1")}, {Key: awssdk.String("b"), Value: awssdk.String("2")},
	}})
	require.NoError(t, err)
	_, err = c.TagSAMLProvider(t.Context(), &iam.TagSAMLProviderInput{SAMLProviderArn: &arn, Tags: []types.Tag{
		{Key: awssdk.String("a"), Value: awssdk.String("3")},
	}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "3", "b": "2"}, srv.Tags(arn))

	page, err := c.ListSAMLProviderTags(t.Context(), &iam.ListSAMLProviderTagsInput{SAMLProviderArn: &arn, MaxItems: awssdk.Int32(1)})
	require.NoError(t, err)
	require.True(t, page.IsTruncated)
	require.Len(t, page.Tags, 1)
	assert.Equal(t, "a", awssdk.ToString(page.Tags[0].Key))
	page, err = c.ListSAMLProviderTags(t.Context(), &iam.ListSAMLProviderTagsInput{SAMLProviderArn: &arn, Marker: page.Marker})
	require.NoError(t, err)
	assert.False(t, page.IsTruncated)
	require.Len(t, page.Tags, 1)
	assert.Equal(t, "b", awssdk.ToString(page.Tags[0].Key))

	out, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	require.NoError(t, err)
	assert.Len(t, out.Tags, 2)

	_, err = c.UntagSAMLProvider(t.Context(), &iam.UntagSAMLProviderInput{SAMLProviderArn: &arn, TagKeys: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, srv.Tags(arn))

	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: awssdk.String(strings.Repeat("k", i+1)), Value: awssdk.String("v")}
	}
	_, err = c.TagSAMLProvider(t.Context(), &iam.TagSAMLProviderInput{SAMLProviderArn: &arn, Tags: many})
	code, status := apiError(t, err)
	assert.Equal(t, "LimitExceeded", code)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, map[string]string{"b": "2"}, srv.Tags(arn))
}

func TestRoles(t *testing.T) {
	srv, c, _ := setup(t)
	policy := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithSAML","Principal":{"Federated":"x y+z"}}}`
	roleARN := srv.AddRole(acct, "cc1-SAMLRole", policy)
	srv.AddRole(acct, "cc2-SAMLRole", policy)
	srv.AddRole(other, "elsewhere", policy)

	out, err := c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: awssdk.String("cc1-SAMLRole")})
	require.NoError(t, err)
	assert.Equal(t, roleARN, awssdk.ToString(out.Role.Arn))
	raw := awssdk.ToString(out.Role.AssumeRolePolicyDocument)
	assert.NotContains(t, raw, "{", "URL-encoded on the wire")
	decoded, err := url.QueryUnescape(raw)
	require.NoError(t, err)
	assert.Equal(t, policy, decoded)

	_, err = c.GetRole(t.Context(), &iam.GetRoleInput{RoleName: awssdk.String("elsewhere")})
	code, _ := apiError(t, err)
	assert.Equal(t, "NoSuchEntity", code)

	var names []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: awssdk.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, r := range page.Roles {
			names = append(names, awssdk.ToString(r.RoleName))
		}
	}
	assert.Equal(t, []string{"cc1-SAMLRole", "cc2-SAMLRole"}, names)
	assert.Equal(t, 2, srv.CallCount("ListRoles"))
}
