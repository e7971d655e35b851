package sandbox_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// A whole rotation of a sandbox with zero options: three contact centers
// in two accounts, the last one pinned (its manual gate answered by
// PlayAdmin), then every sign-in checked.
func ExampleStart() {
	ctx := context.Background()
	w, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	before := w.Snapshot()

	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := rotation.New(plan.Steps(), rotation.WithConfirm(w.PlayAdmin))
	if err != nil {
		fmt.Println(err)
		return
	}
	st := plan.NewState("example")
	fmt.Println("rotation:", r.Run(ctx, st))

	after := w.Snapshot()
	fmt.Println("org default:", before.Org.DefaultCertificate, "→", after.Org.DefaultCertificate == rotation.CertificateName(st.ID))
	for _, cc := range w.ContactCenters {
		fmt.Println(cc.Name, cc.Account, cc.Pinned, w.Login(ctx, cc))
	}
	// Output:
	// rotation: <nil>
	// org default: SelfSignedCert_Previous → true
	// ContactCenter01 111111111111 false <nil>
	// ContactCenter02 222222222222 false <nil>
	// ContactCenter03 111111111111 true <nil>
}

// Faults are injected through the fakes, World.Org and World.IAM: here IAM
// refuses the rotation's first update, and the rotation rolls back, leaving
// the world as it was.
func ExampleWorld_Snapshot_faultInjection() {
	ctx := context.Background()
	w, err := sandbox.Start(ctx, sandbox.Options{Pinned: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	before := w.Snapshot()
	w.IAM.InjectFault("UpdateSAMLProvider", iamtest.Fault{Code: "AccessDenied", Status: 403}, 1)

	plan, _ := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	r, _ := rotation.New(plan.Steps())
	err = r.Run(ctx, plan.NewState("faulted"))
	var re *rotation.RotationError
	fmt.Println(errors.As(err, &re), re.Step, re.RolledBack)
	after := w.Snapshot()
	fmt.Println("IAM as before:", fmt.Sprint(after.IAM) == fmt.Sprint(before.IAM))
	fmt.Println("default as before:", after.Org.DefaultCertificate == before.Org.DefaultCertificate)
	// Output:
	// true trust true
	// IAM as before: true
	// default as before: true
}

// The admin endpoint plays the Salesforce admin for another process (see
// `voicecert sandbox admin`).
func ExampleWorld_StartAdmin() {
	ctx := context.Background()
	w, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	admin, err := w.StartAdmin(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer admin.Close()

	c := &sandbox.AdminClient{URL: admin.URL, Token: admin.Token}
	app := w.ContactCenters[0].App
	fmt.Println(c.PinApp(ctx, app, "SelfSignedCert_Previous"))
	st, _ := c.Apps(ctx)
	fmt.Println(st.Pinned)
	// Output:
	// <nil>
	// [ContactCenter01_Connected_App ContactCenter03_Connected_App]
}
