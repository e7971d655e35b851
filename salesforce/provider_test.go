package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
	"github.com/voicecert/voicecert/samlmeta"
)

func TestContactCenterDiscovery(t *testing.T) {
	sb := newSandbox(t)
	got, err := sb.provider.ContactCenters(ctxT(t))
	require.NoError(t, err)
	byName := map[string]rotation.ContactCenter{}
	for _, cc := range got {
		byName[cc.Name] = cc
	}
	want := map[string]rotation.ContactCenter{}
	for _, cc := range sb.centers {
		want[cc.Name] = cc
	}
	require.Len(t, got, len(sb.centers), "the non-Amazon call center is left out")

	t.Run("native", func(t *testing.T) {
		assert.Equal(t, want["Support_Voice"], byName["Support_Voice"])
		assert.Equal(t, "eu-west-2", byName["Support_Voice"].Region, "from reqRelayState")
	})
	t.Run("partner telephony", func(t *testing.T) {
		cc := byName["Sales_Voice"]
		assert.Equal(t, want["Sales_Voice"], cc)
		assert.Equal(t, rotation.TelephonyPartner, cc.Telephony)
		assert.Equal(t, "66666666-7777-8888-9999-000000000000", cc.InstanceID, "from reqInstanceId")
		assert.NotEmpty(t, cc.App.ID, "linked by reqConnectedAppId")
	})
	t.Run("not Amazon", func(t *testing.T) {
		_, ok := byName["Twilio_CC"]
		assert.False(t, ok)
	})
	t.Run("no Role attribute", func(t *testing.T) {
		cc, ok := byName["Legacy_Voice"]
		require.True(t, ok, "an app without Role attribute is still a contact center")
		assert.True(t, cc.Trust.IsZero())
		assert.Empty(t, cc.RoleARN)
		assert.Equal(t, "Legacy_Voice_Connected_App", cc.App.Name)
		assert.Contains(t, sb.logs.String(), "no AWS Role attribute")
		assert.Contains(t, sb.logs.String(), `"contact_center":"Legacy_Voice"`)
	})
}

func TestContactCenterWithoutConnectedApp(t *testing.T) {
	// A call center whose app the org does not have: reported with the
	// expected label and a warning, not an error.
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch between(string(body), "<type>", "</type>") {
		case "CallCenter":
			if soapOp(body) == "listMetadata" {
				soapOK(w, `<listMetadataResponse><result><fullName>Orphan</fullName><id>04v000000000001</id><type>CallCenter</type></result></listMetadataResponse>`)
				return
			}
			soapOK(w, `<readMetadataResponse><result><records xsi:type="CallCenter"><fullName>Orphan</fullName><displayName>Orphan CC</displayName>`+
				`<displayNameLabel>D</displayNameLabel><internalNameLabel>I</internalNameLabel><sections><items><label>x</label><name>reqVendorInfoApiName</name>`+
				`<value>c__AMAZON_CONNECT</value></items><items><label>x</label><name>reqConnectedAppId</name><value>0H4000000000009</value></items>`+
				`<label>G</label><name>reqGeneralInfo</name></sections></records></result></readMetadataResponse>`)
		case "ConnectedApp", salesforce.TypeExternalClientApplication, salesforce.TypeExtlClntAppSamlConfigurablePolicies:
			soapOK(w, `<listMetadataResponse></listMetadataResponse>`)
		}
	})
	logs := &logBuffer{}
	p := salesforce.NewProvider(stubClient(t, s), func(o *salesforce.ProviderOptions) { o.Logger = logs.logger() })
	got, err := p.ContactCenters(ctxT(t))
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "Orphan CC Connected App", got[0].App.Label)
	assert.Empty(t, got[0].App.Name)
	assert.Contains(t, logs.String(), "no connected app found")
}

func TestSigningStateWithoutIdentityProvider(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		soapOK(w, `<readMetadataResponse><result><records xsi:nil="true"/></result></readMetadataResponse>`)
	})
	p := salesforce.NewProvider(stubClient(t, s))
	_, err := p.SigningState(ctxT(t))
	require.ErrorIs(t, err, rotation.ErrNotFound)
	assert.Contains(t, err.Error(), "identity provider is not set up")
	err = p.SetDefaultCertificate(ctxT(t), "SCV_IdP_2026")
	require.ErrorIs(t, err, rotation.ErrNotFound)
	for _, r := range s.requests() {
		assert.Contains(t, []string{"readMetadata", "listMetadata"}, soapOp(r.Body), "nothing but reads")
	}
}

func TestSigningStateNamesPinnedCertificate(t *testing.T) {
	sb := newSandbox(t)
	st, err := sb.provider.SigningState(ctxT(t))
	require.NoError(t, err)
	assert.Equal(t, defaultCert, st.Default.Name)
	assert.Equal(t, sb.org.Snapshot().Certificates[defaultCert], st.Default.SHA256)
	pinned, ok := st.App(sb.pinned.Name)
	require.True(t, ok)
	assert.True(t, pinned.Pinned)
	assert.Equal(t, pinnedCert, pinned.Certificate.Name, "matched to its certificate by fingerprint")
	assert.Equal(t, sb.org.Snapshot().Certificates[pinnedCert], pinned.Certificate.SHA256)
	assert.Equal(t, 2048, pinned.Certificate.KeyBits)
	for _, a := range st.Apps {
		assert.Equal(t, rotation.AlgorithmSHA256, a.Algorithm, "app %s: its samlConfig.samlSigningAlgoType", a.App.Name)
	}
}

func TestManualGate(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	newCert, err := sb.provider.CreateCertificate(ctx, rotation.CertificateSpec{Name: "SCV_IdP_20260315", Label: "SCV IdP 2026", KeyBits: 2048})
	require.NoError(t, err)

	err = sb.provider.SetAppCertificate(ctx, sb.pinned, newCert.Name)
	var mae *rotation.ManualActionError
	require.ErrorAs(t, err, &mae)
	assert.Contains(t, mae.Instructions, "once the org's identity provider certificate", "the target is not yet the default")

	// The usual order: the org default moves first, then the pinned app.
	require.NoError(t, sb.provider.SetDefaultCertificate(ctx, newCert.Name))
	err = sb.provider.SetAppCertificate(ctx, sb.pinned, newCert.Name)
	require.ErrorAs(t, err, &mae)
	assert.Equal(t, sb.pinned, mae.App)
	assert.Equal(t, newCert.Name, mae.Certificate)
	assert.Contains(t, mae.Action, "Billing Voice Connected App")
	for _, s := range []string{"App Manager", "Manage Connected Apps", `"Billing Voice Connected App"`, "Edit Policies",
		"SAML Service Provider Settings", "IdP Certificate", `"SCV IdP 2026"`, "unique name SCV_IdP_20260315", "Save",
		`"Default IdP Certificate"`, "is now the org's default IdP certificate"} {
		assert.Contains(t, mae.Instructions, s)
	}

	t.Run("gives up with a clear error", func(t *testing.T) {
		// The wait gives up once it has looked at the app's metadata at
		// least once: the second look's arrival means the first was answered.
		short, cancel := context.WithCancel(ctx)
		defer cancel()
		var looks atomic.Int32
		sb.org.SetHook(func(c sftest.Call) *sftest.Fault {
			if c.Op == "metadata" && looks.Add(1) == 2 {
				cancel()
			}
			return nil
		})
		defer sb.org.SetHook(nil)
		err := mae.Wait(short)
		require.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), sb.pinned.Name)
		assert.Contains(t, err.Error(), newCert.SHA256)
		assert.Contains(t, err.Error(), "still signs with SHA-256 "+sb.org.Snapshot().Certificates[pinnedCert])
	})
	t.Run("completes when the admin acts", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			time.Sleep(50 * time.Millisecond)
			done <- sb.org.SetAppCertificate(sb.pinned.Name, newCert.Name)
		}()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		require.NoError(t, mae.Wait(wctx))
		require.NoError(t, <-done)
		assert.Equal(t, newCert.Name, sb.org.Snapshot().AppCertificates[sb.pinned.Name])
		assert.NoError(t, sb.provider.SetAppCertificate(ctx, sb.pinned, newCert.Name), "nothing left to do")
	})
	t.Run("completes when the admin chooses Default IdP Certificate", func(t *testing.T) {
		require.NoError(t, sb.org.SetAppCertificate(sb.pinned.Name, pinnedCert))
		err := sb.provider.SetAppCertificate(ctx, sb.pinned, newCert.Name)
		require.ErrorAs(t, err, &mae)
		go func() { _ = sb.org.FollowDefault(sb.pinned.Name) }()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		require.NoError(t, mae.Wait(wctx))
		assert.NotContains(t, sb.org.Snapshot().Pinned, sb.pinned.Name)
	})
}

func TestSetAppCertificateFollowingAppNeedsNothing(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	following := sb.centers[0].App
	before := len(sb.org.Calls())
	require.NoError(t, sb.provider.SetAppCertificate(ctx, following, pinnedCert), "an app that follows the default needs nothing")
	for _, c := range sb.org.Calls()[before:] {
		assert.NotContains(t, []string{"updateMetadata", "createMetadata", "deleteMetadata", "upsertMetadata"}, c.Op)
	}
	err := sb.provider.SetAppCertificate(ctx, following, "No_Such_Cert")
	assert.ErrorIs(t, err, rotation.ErrNotFound)
	err = sb.provider.SetAppCertificate(ctx, rotation.AppRef{}, pinnedCert)
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestCreateCertificate(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	t.Run("4096 bits", func(t *testing.T) {
		c, err := sb.provider.CreateCertificate(ctx, rotation.CertificateSpec{Name: "SCV_4096", KeyBits: 4096})
		require.NoError(t, err)
		assert.Equal(t, 4096, c.KeyBits)
		assert.Equal(t, "SCV_4096", c.Label, "the label defaults to the name")
		assert.WithinDuration(t, time.Now().AddDate(2, 0, 0), c.NotAfter, 48*time.Hour, "4096-bit self-signed certificates last two years")
		assert.Equal(t, sb.org.Snapshot().Certificates["SCV_4096"], c.SHA256)
	})
	t.Run("refused before any call", func(t *testing.T) {
		before := len(sb.org.Calls())
		for _, spec := range []rotation.CertificateSpec{{Name: "Bad_Size", KeyBits: 3072}, {Name: "bad name", KeyBits: 2048}} {
			_, err := sb.provider.CreateCertificate(ctx, spec)
			var ise *salesforce.InvalidCertificateSpecError
			require.ErrorAs(t, err, &ise)
			assert.ErrorIs(t, err, rotation.ErrInvalidInput)
		}
		assert.Len(t, sb.org.Calls(), before)
	})
	t.Run("existing name is adopted", func(t *testing.T) {
		before := countOps(sb.org, "createMetadata")
		c, err := sb.provider.CreateCertificate(ctx, rotation.CertificateSpec{Name: pinnedCert, KeyBits: 2048})
		require.NoError(t, err)
		assert.Equal(t, sb.org.Snapshot().Certificates[pinnedCert], c.SHA256)
		assert.Equal(t, before, countOps(sb.org, "createMetadata"))
		_, err = sb.provider.CreateCertificate(ctx, rotation.CertificateSpec{Name: pinnedCert, KeyBits: 4096})
		assert.Error(t, err, "same name with another key size is a conflict")
	})
	t.Run("expired on arrival", func(t *testing.T) {
		p := salesforce.NewProvider(sb.client, func(o *salesforce.ProviderOptions) {
			o.Now = func() time.Time { return time.Now().AddDate(5, 0, 0) }
		})
		_, err := p.CreateCertificate(ctx, rotation.CertificateSpec{Name: "SCV_Future", KeyBits: 2048})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "expired")
		assert.False(t, rotation.IsTransient(err))
	})
}

func TestCreateCertificateDuplicateValueIsAdopted(t *testing.T) {
	// The first read misses (a concurrent creator), createMetadata answers
	// DUPLICATE_VALUE: the certificate is read back and returned.
	reads := 0
	s := newStub(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch soapOp(body) {
		case "readMetadata":
			reads++
			if reads == 1 {
				soapOK(w, `<readMetadataResponse><result><records xsi:nil="true"/></result></readMetadataResponse>`)
				return
			}
			soapOK(w, `<readMetadataResponse><result><records xsi:type="Certificate"><fullName>SCV_Dup</fullName><content>`+testCertPEMBase64(t)+
				`</content><caSigned>false</caSigned><keySize>2048</keySize><masterLabel>SCV Dup</masterLabel></records></result></readMetadataResponse>`)
		case "createMetadata":
			soapOK(w, `<createMetadataResponse><result><errors><message>duplicate value found: DeveloperName</message><statusCode>DUPLICATE_VALUE</statusCode></errors>`+
				`<fullName>SCV_Dup</fullName><success>false</success></result></createMetadataResponse>`)
		}
	})
	c, err := salesforce.NewProvider(stubClient(t, s)).CreateCertificate(ctxT(t), rotation.CertificateSpec{Name: "SCV_Dup", KeyBits: 2048})
	require.NoError(t, err)
	assert.Equal(t, "SCV_Dup", c.Name)
	assert.Equal(t, "SCV Dup", c.Label)
	assert.Len(t, s.requests(), 3)
}

func TestDeleteAndDefaultCertificate(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	err := sb.provider.DeleteCertificate(ctx, defaultCert)
	var se *salesforce.SaveError
	require.ErrorAs(t, err, &se, "the IdP certificate cannot be deleted")
	assert.Equal(t, "DELETE_FAILED", se.StatusCode)
	assert.Contains(t, sb.org.Snapshot().Certificates, defaultCert)

	before := countOps(sb.org, "updateMetadata")
	require.NoError(t, sb.provider.SetDefaultCertificate(ctx, defaultCert))
	assert.Equal(t, before, countOps(sb.org, "updateMetadata"), "already the default: no update")

	c, err := sb.provider.CreateCertificate(ctx, rotation.CertificateSpec{Name: "SCV_Next", KeyBits: 2048})
	require.NoError(t, err)
	require.NoError(t, sb.provider.SetDefaultCertificate(ctx, c.Name))
	assert.Equal(t, "SCV_Next", sb.org.Snapshot().DefaultCertificate)
	require.NoError(t, sb.provider.DeleteCertificate(ctx, defaultCert), "no longer in use")
	assert.NotContains(t, sb.org.Snapshot().Certificates, defaultCert)
	require.NoError(t, sb.provider.DeleteCertificate(ctx, defaultCert), "already gone")
	assert.Zero(t, countOps(sb.org, "upsertMetadata"), "never upsertMetadata")

	err = sb.provider.SetDefaultCertificate(ctx, "not valid!")
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
}

func TestSAMLResponseVerifiesAgainstAppMetadata(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	for _, cc := range sb.centers[:3] {
		t.Run(cc.Name, func(t *testing.T) {
			resp, err := sb.provider.SAMLResponse(ctx, cc.App)
			require.NoError(t, err)
			md, err := sb.provider.Metadata(ctx, cc.App)
			require.NoError(t, err)
			a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), md)
			require.NoError(t, err)
			assert.Contains(t, a.Roles, cc.RoleARN+","+cc.Trust.ARN)
		})
	}
	t.Run("after RevokeSessions", func(t *testing.T) {
		sb.org.RevokeSessions()
		_, err := sb.provider.SAMLResponse(ctx, sb.centers[0].App)
		require.NoError(t, err)
	})
	t.Run("no login id", func(t *testing.T) {
		app := sb.centers[0].App
		app.LoginID = ""
		_, err := sb.provider.SAMLResponse(ctx, app)
		assert.ErrorIs(t, err, rotation.ErrInvalidInput)
	})
}

func TestMetadataAndName(t *testing.T) {
	sb := newSandbox(t)
	ctx := ctxT(t)
	doc, err := sb.provider.Metadata(ctx, rotation.AppRef{})
	require.NoError(t, err)
	md, err := samlmeta.Parse(doc)
	require.NoError(t, err)
	assert.Equal(t, sb.org.URL(), md.EntityID())
	certs, err := md.SigningCertificates()
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, sb.org.Snapshot().Certificates[defaultCert], certs[0].SHA256)

	_, err = sb.provider.Metadata(ctx, rotation.AppRef{Name: "No_Such_App"})
	assert.ErrorIs(t, err, rotation.ErrNotFound)

	assert.Equal(t, "salesforce:"+strings.TrimPrefix(sb.org.URL(), "http://"), sb.provider.Name())
	named := salesforce.NewProvider(sb.client, func(o *salesforce.ProviderOptions) { o.OrgID = sb.org.OrgID() })
	assert.Equal(t, "salesforce:"+sb.org.OrgID(), named.Name())
	id, err := sb.client.OrgID(ctx)
	require.NoError(t, err)
	assert.Equal(t, sb.org.OrgID()[:15], id)
	assert.False(t, errors.Is(err, rotation.ErrNotFound))
}
