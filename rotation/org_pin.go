package rotation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// pinPoll is how often the manual gate of WithPinAffected reads the apps.
const pinPoll = time.Second

// pinGate returns, when apps named by WithPinAffected still follow the
// default, a *ManualActionError asking a person to pin each to the current
// default certificate. Its Wait reads the apps until each is pinned to it
// and then runs again (the preflight that asked), so that the step's State
// is what the org is once they are pinned.
func (e *orgEnv) pinGate(st *State, again func(context.Context, *State) error) error {
	var changes []AppChange
	for _, a := range st.Org.Apps {
		if a.ToPin {
			changes = append(changes, AppChange{App: a.App, Certificate: st.OldDefault.Name})
		}
	}
	lister, ok := e.idp.(AppLister)
	if len(changes) == 0 || !ok {
		return nil
	}
	names := make([]string, len(changes))
	for i, c := range changes {
		names[i] = c.App.Name
	}
	cert := st.OldDefault
	return &ManualActionError{
		Action: fmt.Sprintf("pin %s to the current certificate %s", strings.Join(names, ", "), cert.Name),
		Instructions: fmt.Sprintf("In Setup, for each of %s, set the app's IdP certificate to %s (it now follows the org default, "+
			"which the rotation is about to switch); nothing has been changed yet.", strings.Join(names, ", "), cert.Name),
		App: changes[0].App, Certificate: cert.Name, Changes: changes,
		Wait: func(ctx context.Context) error {
			for {
				apps, err := lister.SAMLApps(ctx)
				if err != nil {
					return fmt.Errorf("list SAML apps: %w", err)
				}
				if allPinned(apps, names, cert.SHA256) {
					return again(ctx, st)
				}
				if err := e.opts.Sleep(ctx, pinPoll); err != nil {
					return err
				}
			}
		},
	}
}

// allPinned reports whether every app named is pinned to the certificate
// with fingerprint fp.
func allPinned(apps []SAMLApp, names []string, fp string) bool {
	for _, name := range names {
		i := slices.IndexFunc(apps, func(a SAMLApp) bool { return a.App.Name == name })
		if i < 0 || !apps[i].Pinned || apps[i].Certificate.SHA256 != fp {
			return false
		}
	}
	return true
}
