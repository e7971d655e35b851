package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// TestUserWithoutECAAccessIsRefusedInPreflight: when a contact center's
// External Client App is granted to other users only (a permission set the
// user does not have), the rotation is refused before any change, naming
// that app and where its access is granted, instead of failing at its
// verification's sign-in and rolling back; the other contact centers'
// apps are not named.
func TestUserWithoutECAAccessIsRefusedInPreflight(t *testing.T) {
	w := start(t, sandbox.Options{ContactCenters: 3, ExternalContactCenters: 2})
	eca, other := w.ContactCenters[0], w.ContactCenters[1]
	require.Equal(t, rotation.AppExternal, eca.Kind)
	require.NoError(t, w.Org.GrantExternalClientApp(eca.App, "Night_Shift_Agents"))
	require.NoError(t, w.Org.RevokeExternalClientApp(eca.App, sftest.PermissionSetContactCenterAdmin))
	require.Error(t, w.Login(t.Context(), eca), "the user may not sign in to it")
	before, orgMark, iamMark := w.Snapshot(), len(w.Org.Calls()), len(w.IAM.Calls())

	err := rotateWith(t, w, w.IdP, &verifications{}, nil)
	require.ErrorIs(t, err, rotation.ErrRefused)
	var re *rotation.ReadinessError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, err.Error(), "may not sign in to app "+eca.App)
	assert.Contains(t, err.Error(), "external client app")
	assert.Contains(t, err.Error(), "External Client App Manager")
	assert.Contains(t, err.Error(), "Night_Shift_Agents", "the grant it has")
	assert.NotContains(t, err.Error(), "app "+other.App)
	assert.Empty(t, mutatingCalls(w, orgMark, iamMark))
	assert.Equal(t, before, w.Snapshot())

	// Given access again, it rotates and every contact center signs in.
	require.NoError(t, w.Org.GrantExternalClientApp(eca.App, sftest.PermissionSetContactCenterAdmin))
	require.NoError(t, rotateWith(t, w, w.IdP, &verifications{}, nil))
	for _, cc := range w.ContactCenters {
		require.NoError(t, w.Login(t.Context(), cc), cc.Name)
	}
}
