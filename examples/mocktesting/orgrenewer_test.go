package mocktesting_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/examples/mocktesting"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// OrgRenewer is tested with the fakes, which hold state: a mock would only
// repeat the org plan's calls back to it.
func TestOrgRenewerRotatesTheOrg(t *testing.T) {
	idp, rp, old, err := fakeOrg()
	require.NoError(t, err)

	today := func() string { return rotation.CertificateName(time.Now().UTC().Format("20060102")) }
	before := today()
	require.NoError(t, mocktesting.OrgRenewer{IdP: idp, RP: rp, Plan: []rotation.OrgOption{rotation.WithKeyBits(2048)}}.
		Renew(context.Background()))

	snap := idp.Snapshot()
	require.Contains(t, []string{before, today()}, snap.DefaultCertificate, "the default ID is the UTC date")
	for arn, doc := range rp.Snapshot() {
		fps, err := rotationtest.MetadataFingerprints([]byte(doc))
		require.NoError(t, err)
		assert.Equal(t, []string{snap.Certificates[snap.DefaultCertificate]}, fps, "trust %s", arn)
		assert.NotContains(t, fps, old.SHA256)
	}
}

func TestOrgRenewerFailureRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plan    []rotation.OrgOption
		fault   func(*rotationtest.IdentityProvider, *rotationtest.RelyingParty)
		wantErr error
	}{
		{name: "bad plan option", plan: []rotation.OrgOption{rotation.WithKeyBits(1024)}, wantErr: rotation.ErrInvalidInput},
		{name: "IdP refuses the switch", plan: []rotation.OrgOption{rotation.WithKeyBits(2048)},
			fault: func(idp *rotationtest.IdentityProvider, _ *rotationtest.RelyingParty) {
				idp.FailCall("SetDefaultCertificate", 1, errors.New("INSUFFICIENT_ACCESS"))
			}},
		{name: "IAM refuses the overlap", plan: []rotation.OrgOption{rotation.WithKeyBits(2048)},
			fault: func(_ *rotationtest.IdentityProvider, rp *rotationtest.RelyingParty) {
				rp.FailCall("SetTrust", 2, errors.New("AccessDenied"))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp, rp, _, err := fakeOrg()
			require.NoError(t, err)
			before, beforeRP := idp.Snapshot(), rp.Snapshot()
			if tc.fault != nil {
				tc.fault(idp, rp)
			}

			err = mocktesting.OrgRenewer{IdP: idp, RP: rp, ID: "r1", Plan: tc.plan}.Renew(context.Background())

			require.Error(t, err)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			} else {
				var re *rotation.RotationError
				require.ErrorAs(t, err, &re)
				assert.True(t, re.RolledBack)
			}
			assert.Equal(t, before, idp.Snapshot())
			assert.Equal(t, beforeRP, rp.Snapshot())
		})
	}
}
