package iamtest_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/aws/internal/testmeta"
)

func pemKey(k int) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testmeta.RSA(k).Private)}))
}

func getProvider(t *testing.T, c *iam.Client, arn string) *iam.GetSAMLProviderOutput {
	t.Helper()
	out, err := c.GetSAMLProvider(t.Context(), &iam.GetSAMLProviderInput{SAMLProviderArn: &arn})
	require.NoError(t, err)
	return out
}

func TestPrivateKeysAndEncryptionMode(t *testing.T) {
	srv, c, arn := setup(t)
	update := func(in iam.UpdateSAMLProviderInput) error {
		in.SAMLProviderArn = &arn
		_, err := c.UpdateSAMLProvider(t.Context(), &in)
		return err
	}
	out := getProvider(t, c, arn)
	assert.Equal(t, types.AssertionEncryptionModeTypeAllowed, out.AssertionEncryptionMode)
	assert.Empty(t, out.PrivateKeyList)
	assert.Regexp(t, `^[A-Z0-9]{22,64}$`, awssdk.ToString(out.SAMLProviderUUID))

	refusals := map[string]struct {
		in   iam.UpdateSAMLProviderInput
		code string
	}{
		"Required without a key":   {iam.UpdateSAMLProviderInput{AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired}, "InvalidInput"},
		"not PEM":                  {iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String("not a key")}, "InvalidInput"},
		"a certificate, not a key": {iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: testmeta.RSA(3).DER()})))}, "InvalidInput"},
		"over 16384 characters":    {iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(pemKey(3) + strings.Repeat(" ", 16384))}, "InvalidInput"},
		"add and remove together":  {iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(pemKey(3)), RemovePrivateKey: awssdk.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}, "InvalidInput"},
		"remove an unknown key":    {iam.UpdateSAMLProviderInput{RemovePrivateKey: awssdk.String("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}, "InvalidInput"},
		"an unknown mode":          {iam.UpdateSAMLProviderInput{AssertionEncryptionMode: "Sometimes"}, "InvalidInput"},
		"nothing to update":        {iam.UpdateSAMLProviderInput{}, "InvalidInput"},
	}
	for name, tc := range refusals {
		code, status := apiError(t, update(tc.in))
		assert.Equal(t, tc.code, code, name)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}

	require.NoError(t, update(iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(pemKey(3)),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired}))
	require.NoError(t, update(iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(pemKey(4))}))
	code, status := apiError(t, update(iam.UpdateSAMLProviderInput{AddPrivateKey: awssdk.String(pemKey(5))}))
	assert.Equal(t, "LimitExceeded", code, "at most two keys")
	assert.Equal(t, http.StatusConflict, status)

	out = getProvider(t, c, arn)
	assert.Equal(t, types.AssertionEncryptionModeTypeRequired, out.AssertionEncryptionMode)
	require.Len(t, out.PrivateKeyList, 2)
	ids := []string{*out.PrivateKeyList[0].KeyId, *out.PrivateKeyList[1].KeyId}
	for _, k := range out.PrivateKeyList {
		assert.Regexp(t, `^[A-Z0-9]{22,64}$`, *k.KeyId)
		assert.WithinDuration(t, time.Now(), awssdk.ToTime(k.Timestamp), time.Minute)
	}
	uuid, validUntil := *out.SAMLProviderUUID, *out.ValidUntil

	// A document-only update leaves mode, keys, UUID and ValidUntil alone.
	require.NoError(t, update(iam.UpdateSAMLProviderInput{SAMLMetadataDocument: awssdk.String(string(testmeta.Metadata(idp, testmeta.RSA(1).DER())))}))
	after := getProvider(t, c, arn)
	assert.Equal(t, types.AssertionEncryptionModeTypeRequired, after.AssertionEncryptionMode)
	assert.Equal(t, out.PrivateKeyList, after.PrivateKeyList)
	assert.Equal(t, uuid, *after.SAMLProviderUUID)
	assert.Equal(t, validUntil, *after.ValidUntil, "ValidUntil is not reset by an update without validUntil")

	// Keys go one at a time; the last one cannot go while Required.
	require.NoError(t, update(iam.UpdateSAMLProviderInput{RemovePrivateKey: &ids[0]}))
	code, _ = apiError(t, update(iam.UpdateSAMLProviderInput{RemovePrivateKey: &ids[1]}))
	assert.Equal(t, "InvalidInput", code)
	require.NoError(t, update(iam.UpdateSAMLProviderInput{RemovePrivateKey: &ids[1], AssertionEncryptionMode: types.AssertionEncryptionModeTypeAllowed}))
	out = getProvider(t, c, arn)
	assert.Empty(t, out.PrivateKeyList)
	assert.Equal(t, types.AssertionEncryptionModeTypeAllowed, out.AssertionEncryptionMode)
	_ = srv
}

func TestValidUntilFollowsTheMetadata(t *testing.T) {
	_, c, arn := setup(t)
	validUntilAttr := regexp.MustCompile(` validUntil="[^"]*"`)
	withValidUntil := validUntilAttr.ReplaceAllString(string(testmeta.Metadata(idp, testmeta.RSA(0).DER())), ` validUntil="2031-02-03T04:05:06Z"`)
	require.Contains(t, withValidUntil, `validUntil="2031-02-03T04:05:06Z"`)
	_, err := c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &withValidUntil})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC), *getProvider(t, c, arn).ValidUntil)
	without := validUntilAttr.ReplaceAllString(string(testmeta.Metadata(idp, testmeta.RSA(1).DER())), "")
	require.NotContains(t, without, "validUntil")
	_, err = c.UpdateSAMLProvider(t.Context(), &iam.UpdateSAMLProviderInput{SAMLProviderArn: &arn, SAMLMetadataDocument: &without})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC), *getProvider(t, c, arn).ValidUntil, "kept")
}

func TestCreateSAMLProvider(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	keyID, secret := srv.AddAccount(acct)
	c := newClient(srv, keyID, secret)
	meta := awssdk.String(string(testmeta.Metadata(idp, testmeta.RSA(0).DER())))
	out, err := c.CreateSAMLProvider(t.Context(), &iam.CreateSAMLProviderInput{
		Name: awssdk.String("Voice"), SAMLMetadataDocument: meta,
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired, AddPrivateKey: awssdk.String(pemKey(3)),
		Tags: []types.Tag{{Key: awssdk.String("b"), Value: awssdk.String("2")}, {Key: awssdk.String("a"), Value: awssdk.String("1")}},
	})
	require.NoError(t, err)
	arn := awssdk.ToString(out.SAMLProviderArn)
	assert.Equal(t, "arn:aws:iam::"+acct+":saml-provider/Voice", arn)
	got := getProvider(t, c, arn)
	assert.Equal(t, types.AssertionEncryptionModeTypeRequired, got.AssertionEncryptionMode)
	assert.Len(t, got.PrivateKeyList, 1)
	require.Len(t, got.Tags, 2)
	assert.Equal(t, "a", *got.Tags[0].Key, "sorted by key")

	for name, in := range map[string]iam.CreateSAMLProviderInput{
		"exists":                 {Name: awssdk.String("Voice"), SAMLMetadataDocument: meta},
		"Required without a key": {Name: awssdk.String("V2"), SAMLMetadataDocument: meta, AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired},
		"bad name":               {Name: awssdk.String("a b"), SAMLMetadataDocument: meta},
		"aws: tag":               {Name: awssdk.String("V3"), SAMLMetadataDocument: meta, Tags: []types.Tag{{Key: awssdk.String("aws:x"), Value: awssdk.String("1")}}},
	} {
		_, err := c.CreateSAMLProvider(t.Context(), &in)
		code, _ := apiError(t, err)
		want := "InvalidInput"
		if name == "exists" {
			want = "EntityAlreadyExists"
		}
		assert.Equal(t, want, code, name)
	}
	assert.Len(t, srv.Snapshot(), 1, "refusals create nothing")
}

func TestTagRules(t *testing.T) {
	srv, c, arn := setup(t)
	tag := func(tags ...types.Tag) error {
		_, err := c.TagSAMLProvider(t.Context(), &iam.TagSAMLProviderInput{SAMLProviderArn: &arn, Tags: tags})
		return err
	}
	kv := func(k, v string) types.Tag { return types.Tag{Key: awssdk.String(k), Value: awssdk.String(v)} }
	for name, tags := range map[string][]types.Tag{
		"aws: prefix":            {kv("aws:owner", "x")},
		"AWS: prefix":            {kv("AWS:owner", "x")},
		"key with a comma":       {kv("a,b", "x")},
		"value with a semicolon": {kv("a", "x;y")},
		"key of 129 characters":  {kv(strings.Repeat("k", 129), "x")},
		"value of 257":           {kv("a", strings.Repeat("v", 257))},
		"the same key twice":     {kv("a", "1"), kv("A", "2")},
	} {
		code, _ := apiError(t, tag(tags...))
		assert.Equal(t, "InvalidInput", code, name)
	}
	assert.Empty(t, srv.Tags(arn), "refusals change nothing")
	require.NoError(t, tag(kv("zeta", "1"), kv("alpha", "x y:z/=+-@_."), kv("mid", "")))
	out, err := c.ListSAMLProviderTags(t.Context(), &iam.ListSAMLProviderTagsInput{SAMLProviderArn: &arn})
	require.NoError(t, err)
	var keys []string
	for _, tg := range out.Tags {
		keys = append(keys, *tg.Key)
	}
	assert.Equal(t, []string{"alpha", "mid", "zeta"}, keys, "sorted by key")
}
