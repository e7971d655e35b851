package salesforce_test

import (
	"context"
	"fmt"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
	"github.com/voicecert/voicecert/salesforce/sftest"
)

// Before a rotation: who the provider acts as, whether its session can open
// the UI session sign-in verification uses, the permissions a rotation
// needs, and whether the user may sign in to each contact center's app.
func ExampleProvider_CheckSignIn() {
	org := exampleOrg()
	defer org.Close()
	// A session with the api scope only: the APIs take it, frontdoor.jsp does not.
	token, _ := org.SessionToken(org.Username(), "api")
	c, _ := salesforce.NewClient(org.URL(), salesforce.StaticToken(org.URL(), token),
		func(o *salesforce.Options) { o.HTTPClient = org.Client() })
	p := salesforce.NewProvider(c)
	ctx := context.Background()

	id, err := p.Identity(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("token:", id.TokenKind, "UI session:", id.UISession)

	perms, _ := p.Permissions(ctx)
	for _, perm := range perms {
		fmt.Println(perm.Name+":", perm.Granted)
	}

	_ = org.UnassignPermissionSet(org.Username(), sftest.PermissionSetContactCenterAdmin)
	ccs, _ := p.ContactCenters(ctx)
	var apps []rotation.AppRef
	for _, cc := range ccs {
		apps = append(apps, cc.App)
	}
	r, _ := p.CheckSignIn(ctx, apps)
	for _, a := range r.Apps {
		fmt.Println(a.App, "access:", a.Access)
	}
	// Output:
	// token: static UI session: false
	// API Enabled: true
	// Customize Application: true
	// Modify Metadata Through Metadata API Functions: true
	// View Setup and Configuration: true
	// Billing_Voice_Connected_App access: false
	// Support_Voice_Connected_App access: false
}
