package rotation_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

// effects flattens a usage view: "<certificate name>/<app or trust>" to
// its effect, with "+updated", "+acknowledged" marks for apps.
func effects(u rotation.Usage) map[string]string {
	out := map[string]string{}
	for _, c := range u.Certificates {
		name := c.Certificate.Name
		if name == "" {
			name = c.Certificate.SHA256
		}
		for _, a := range c.Apps {
			e := string(a.Effect)
			if a.Updated {
				e += "+updated"
			}
			if a.Acknowledged {
				e += "+acknowledged"
			}
			out[name+"/"+a.App.Name] = e
		}
		for _, t := range c.Trusts {
			out[name+"/"+t.Trust.ARN] = string(t.Effect)
		}
	}
	return out
}

func TestUsageOfAPlan(t *testing.T) {
	w := newOrgWorld(t)
	rp := withConsole(t, w, "Old_Cert")
	plan := appsPlan(t, withApps(t, w, w.idp), rp, rotation.WithAcceptAffected(appTableau))
	m, steps, err := plan.Transitions(t.Context())
	require.NoError(t, err)
	u := rotation.UsageOf(m, steps)
	require.Len(t, u.Certificates, 2, "the default and West's certificate")
	assert.True(t, u.Certificates[0].Default)
	assert.Equal(t, map[string]string{
		"Old_Cert/North_Connected_App": "changes+updated",
		"Old_Cert/South_Connected_App": "changes+updated",
		"Old_Cert/" + appTableau:       "changes+acknowledged",
		"Old_Cert/" + arnOrg1:          "changes",
		"Old_Cert/" + arnConsole:       "changes",
		"West_Cert/West_Connected_App": "changes+updated",
		"West_Cert/" + appWiki:         "leaves",
		"West_Cert/" + arnWest:         "changes",
	}, effects(u))
	assert.Empty(t, u.Affected())
	for _, a := range u.Certificates[0].Apps {
		assert.Equal(t, rotation.NewCertificate, a.To, "app %s moves to the new certificate", a.App.Name)
	}
}

func TestUsageShowsWhatBreaks(t *testing.T) {
	w := newOrgWorld(t)
	rp := withConsole(t, w, "Old_Cert")
	plan := appsPlan(t, withApps(t, w, w.idp), rp, rotation.WithExcludeTrusts(arnConsole))
	m, steps, err := plan.Transitions(t.Context())
	require.ErrorIs(t, err, rotation.ErrRefused)
	u := rotation.UsageOf(m, steps)
	e := effects(u)
	assert.Equal(t, "breaks", e["Old_Cert/"+appTableau], "changed, not updated, not acknowledged")
	assert.Equal(t, "breaks", e["Old_Cert/"+arnConsole], "excluded while it serves the followers")
	assert.Equal(t, []string{appTableau}, u.Affected())
	for _, c := range u.Certificates {
		for _, tr := range c.Trusts {
			if tr.Trust.ARN == arnConsole {
				assert.True(t, tr.Unattached)
				assert.Contains(t, tr.Reason, "org default")
			}
		}
	}
}
