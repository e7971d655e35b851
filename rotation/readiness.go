package rotation

import "context"

// SignInChecker is implemented by identity providers that can tell, before
// any change, whether verification's sign-ins can work: whether the
// session can open a UI session (a Salesforce token needs the web or full
// scope for frontdoor.jsp) and whether the user may sign in to each app
// (a profile or permission set assigned to it). Preflight uses it to refuse
// a rotation whose verification could never pass, instead of discovering
// it at verify time and rolling back.
type SignInChecker interface {
	CheckSignIn(ctx context.Context, apps []AppRef) (SignInReadiness, error)
}

// SignInReadiness is what a [SignInChecker] found.
type SignInReadiness struct {
	// UISession reports whether the session can open a UI session.
	UISession bool `json:"uiSession"`
	// Scopes are the session's OAuth scopes, when known.
	Scopes []string `json:"scopes,omitempty"`
	// Why says what is missing when UISession is false, and how to fix it.
	Why string `json:"why,omitempty"`
	// Apps has one entry per app asked about, in the order asked.
	Apps []AppReadiness `json:"apps"`
}

// AppReadiness says whether the user may sign in to one app.
type AppReadiness struct {
	App AppRef `json:"app"`
	// Access reports whether the user may sign in to the app.
	Access bool `json:"access"`
	// Why says what is missing when Access is false (the profiles or
	// permission sets that would grant it), and how to fix it.
	Why string `json:"why,omitempty"`
}
