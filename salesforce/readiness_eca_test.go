package salesforce_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// CheckSignIn reads an External Client App's grants as a connected app's:
// the user's permission set gives access; grants to others only are a
// refusal naming them and where ECA access is managed; no grant found at
// all is not a refusal (how a grant names an ECA is inferred: see
// eca_facts.go), where a connected app without one is.
func TestCheckSignInOfExternalClientApps(t *testing.T) {
	org := seededOrg(t)
	org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Alpha", Telephony: sftest.TelephonyNative, External: true})
	org.AddContactCenter(sftest.ContactCenterSeed{InternalName: "Beta", Telephony: sftest.TelephonyNative})
	p := staticProvider(t, org, org.Username())
	ccs, err := p.ContactCenters(t.Context())
	require.NoError(t, err)
	byName := map[string]rotation.AppRef{}
	for _, c := range ccs {
		byName[c.Name] = c.App
	}
	eca := byName["Alpha"]
	require.NotEmpty(t, eca.ID, "%v", ccs)
	apps := []rotation.AppRef{eca, byName["Beta"]}
	check := func() rotation.AppReadiness {
		t.Helper()
		r, err := p.CheckSignIn(t.Context(), apps)
		require.NoError(t, err)
		require.Len(t, r.Apps, 2)
		assert.True(t, r.Apps[1].Access, "the connected app: %s", r.Apps[1].Why)
		return r.Apps[0]
	}
	r := check()
	assert.True(t, r.Access, r.Why)
	assert.Empty(t, r.Why)

	require.NoError(t, org.GrantExternalClientApp(eca.Name, "Night_Shift_Agents"))
	require.NoError(t, org.RevokeExternalClientApp(eca.Name, sftest.PermissionSetContactCenterAdmin))
	r = check()
	assert.False(t, r.Access)
	assert.Contains(t, r.Why, "external client app "+eca.String())
	assert.Contains(t, r.Why, "Night_Shift_Agents")
	assert.Contains(t, r.Why, "External Client App Manager")
	_, err = p.SAMLResponse(t.Context(), eca)
	require.Error(t, err, "what the readiness says is what the sign-in does")

	require.NoError(t, org.RevokeExternalClientApp(eca.Name, "Night_Shift_Agents"))
	r = check()
	assert.True(t, r.Access, "no grant found is not a refusal")
	assert.Contains(t, r.Why, "no grant of this external client app was found")
}
