package aws_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	sbx "github.com/voicecert/voicecert/rotation/sandbox"
)

// TestJudgeSignInInTheSandbox: the Responses the fake org issues for each
// contact center get AWS's verdict through the sandbox's relying party (its
// config reaches the fake STS), and the console sign-in then refuses the
// same Response as a replay.
func TestJudgeSignInInTheSandbox(t *testing.T) {
	w, err := sbx.Start(t.Context(), sbx.Options{})
	require.NoError(t, err)
	t.Cleanup(w.Close)
	var last string
	for _, cc := range w.ContactCenters {
		resp, err := w.IdP.SAMLResponse(t.Context(), rotation.AppRef{Name: cc.App, LoginID: cc.LoginID})
		require.NoError(t, err)
		require.NoError(t, w.RP.JudgeSignIn(t.Context(), rotation.TrustRef{ARN: cc.ProviderARN}, cc.RoleARN, resp), cc.Name)
		last = resp
	}
	r, err := http.PostForm(w.IAM.SignInURL(), url.Values{"SAMLResponse": {last}})
	require.NoError(t, err)
	_ = r.Body.Close()
	assert.Equal(t, http.StatusForbidden, r.StatusCode, "a judged Response is spent")
	assert.Len(t, w.IAM.Issued(), len(w.ContactCenters))
	require.NoError(t, w.Login(t.Context(), w.ContactCenters[0]), "a fresh Response signs in at the console")
}
