package mocktesting_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/examples/mocktesting"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// startSandbox is the whole setup of a test on the public test kit: a fake
// org and a fake IAM over loopback HTTP, seeded with three contact centers
// in two AWS accounts (one app pinned), the real backends wired to them,
// and the tool's renewer on them. Counted honestly, setup is these 9
// lines, signature and brace included, 7 in the body (the test kit needs
// no hand-written seeding, trust policy or relying party), plus the
// one-line everything option below for tests that want a renewal due.
func startSandbox(t *testing.T, id string) (*sandbox.World, mocktesting.OrgRenewer) {
	t.Helper()
	w, err := sandbox.Start(t.Context(), sandbox.Options{})
	require.NoError(t, err)
	t.Cleanup(w.Close)
	return w, mocktesting.OrgRenewer{IdP: w.IdP, RP: w.RP, ID: id,
		Plan:    []rotation.OrgOption{rotation.WithKeyBits(2048)},
		Rotator: []rotation.Option{rotation.WithConfirm(w.PlayAdmin)}}
}

// everything is due when renewing a century ahead.
var everything = mocktesting.WithRenewBefore(100 * 365 * 24 * time.Hour)

// The tool rotates a sandbox org through the real salesforce and aws
// backends: every app then signs with the new certificate, every IAM
// provider trusts it alone, and agents still sign in everywhere.
func TestRenewIfDueRotatesSandboxOrg(t *testing.T) {
	w, renewer := startSandbox(t, "r1")

	d, err := mocktesting.RenewIfDue(t.Context(), w.IdP, w.RP, renewer, everything)
	require.NoError(t, err)
	require.True(t, d.Renewed, d.Message())

	snap := w.Snapshot()
	newCert := rotation.CertificateName("r1")
	require.Equal(t, newCert, snap.Org.DefaultCertificate)
	for _, cc := range w.ContactCenters {
		assert.Equal(t, newCert, snap.Org.AppCertificates[cc.App], cc.Name)
		assert.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
	require.Len(t, snap.IAM, len(w.Accounts))
	for arn, doc := range snap.IAM {
		fps, err := rotationtest.MetadataFingerprints([]byte(doc))
		require.NoError(t, err)
		assert.Equal(t, []string{snap.Org.Certificates[newCert]}, fps, arn)
	}

	// A fresh certificate is not due by the tool's default rule.
	d, err = mocktesting.RenewIfDue(t.Context(), w.IdP, w.RP, renewer)
	require.NoError(t, err)
	assert.False(t, d.Renewed)
	assert.Empty(t, d.Due)
}

// A fault injected through the kit's fake IAM: the rotation rolls back and
// the sandbox is as it was.
func TestRenewIfDueRollsBackSandboxOrgOnFault(t *testing.T) {
	w, renewer := startSandbox(t, "r2")
	before := w.Snapshot()
	w.IAM.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: "AccessDenied", Status: 403}, 1)

	d, err := mocktesting.RenewIfDue(t.Context(), w.IdP, w.RP, renewer, everything)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.True(t, re.RolledBack)
	assert.False(t, d.Renewed)
	assert.Equal(t, before, w.Snapshot())
}
