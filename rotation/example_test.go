package rotation_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

// printStep is a step that says what it does.
func printStep(name string) rotation.Step {
	return rotation.StepFunc(name, "the "+name+" step",
		func(context.Context, *rotation.State) error { fmt.Println("apply", name); return nil },
		func(context.Context, *rotation.State) error { fmt.Println("rollback", name); return nil })
}

// A failing step rolls back itself and every completed step, in reverse
// order, and the error says so.
func ExampleRotator_Run() {
	fail := rotation.StepFunc("activate", "switch the certificate",
		func(context.Context, *rotation.State) error { return errors.New("refused by the org") },
		func(context.Context, *rotation.State) error { fmt.Println("rollback activate"); return nil })
	r, err := rotation.New([]rotation.Step{printStep("stage"), printStep("trust"), fail})
	if err != nil {
		panic(err)
	}
	err = r.Run(context.Background(), &rotation.State{Target: "00D000000000001"})
	fmt.Println(err)

	var re *rotation.RotationError
	if errors.As(err, &re) {
		fmt.Println("failed step:", re.Step, "- rolled back:", re.RolledBack)
	}
	// Output:
	// apply stage
	// apply trust
	// rollback activate
	// rollback trust
	// rollback stage
	// rotation: step "activate" failed: refused by the org; rolled back completely (activate, trust, stage)
	// failed step: activate - rolled back: true
}

// Plan lists the steps without running any.
func ExampleRotator_Plan() {
	r, err := rotation.New([]rotation.Step{printStep("stage"), printStep("trust"), printStep("activate")})
	if err != nil {
		panic(err)
	}
	for i, p := range r.Plan() {
		fmt.Printf("%d. %s: %s\n", i+1, p.Name, p.Description)
	}
	// Output:
	// 1. stage: the stage step
	// 2. trust: the trust step
	// 3. activate: the activate step
}

// Users insert their own steps before or after any named step: here an
// approval gate before activation and a notification after it.
func ExampleWithStepBefore() {
	approval := rotation.StepFunc("approval", "wait for the change ticket",
		func(_ context.Context, s *rotation.State) error {
			s.SetValue("ticket", "CHG-42")
			fmt.Println("approved by", s.Value("ticket"))
			return nil
		}, nil)
	r, err := rotation.New([]rotation.Step{printStep("stage"), printStep("activate")},
		rotation.WithStepBefore("activate", approval),
		rotation.WithStepAfter("activate", printStep("notify")))
	if err != nil {
		panic(err)
	}
	if err := r.Run(context.Background(), &rotation.State{}); err != nil {
		panic(err)
	}
	// Output:
	// apply stage
	// approved by CHG-42
	// apply activate
	// apply notify
}

// A rotation whose process died is taken over from its journal record
// (usually read with LoadJournal): ResumeContinue applies what is left,
// ResumeRollback undoes what was done.
func ExampleRotator_Resume() {
	r, err := rotation.New([]rotation.Step{printStep("stage"), printStep("trust"), printStep("activate")})
	if err != nil {
		panic(err)
	}
	crashed := func() *rotation.JournalRecord {
		return &rotation.JournalRecord{
			Version: rotation.JournalVersion,
			State:   &rotation.State{ID: "r-1", Target: "00D000000000001"},
			Status:  rotation.StatusRunning,
			Steps: []rotation.StepRecord{
				{Name: "stage", Status: rotation.StepDone},
				{Name: "trust", Status: rotation.StepRunning}, // in progress at the crash
				{Name: "activate", Status: rotation.StepPending},
			},
		}
	}
	fmt.Println("continue:")
	if err := r.Resume(context.Background(), crashed(), rotation.ResumeContinue); err != nil {
		panic(err)
	}
	fmt.Println("rollback:")
	if err := r.Resume(context.Background(), crashed(), rotation.ResumeRollback); err != nil {
		panic(err)
	}
	// Output:
	// continue:
	// apply trust
	// apply activate
	// rollback:
	// rollback trust
	// rollback stage
}

// A step that needs a person returns a *ManualActionError; the Rotator asks
// the operator through the confirmation callback, then counts the step as
// applied.
func ExampleWithConfirm() {
	pin := rotation.StepFunc("pin", "set the pinned app's certificate",
		func(context.Context, *rotation.State) error {
			return &rotation.ManualActionError{
				Action:       "set the IdP certificate of app West",
				Instructions: "In Setup, edit the connected app West and choose VC_2026.",
				App:          rotation.AppRef{Name: "West"},
				Certificate:  "VC_2026",
			}
		}, nil)
	r, err := rotation.New([]rotation.Step{pin},
		rotation.WithConfirm(func(_ context.Context, req rotation.ManualRequest) error {
			fmt.Println("please:", req.Instructions)
			return nil // the operator confirmed
		}))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Run(context.Background(), &rotation.State{}))
	// Output:
	// please: In Setup, edit the connected app West and choose VC_2026.
	// <nil>
}

// A SAML app of no contact center that follows the org default is switched
// by a rotation; preflight refuses until it is handled. Here the app's
// service provider is given a relying party, so its trust is updated and
// verified too, and the usage view shows what changes.
func ExampleWithAppRelyingParty() {
	w := newExampleOrg()
	plan, err := rotation.NewOrgPlan(w.idp, w.rp, rotation.WithKeyBits(2048),
		rotation.WithAppRelyingParty("Wiki_SSO", w.wiki, w.wikiTrust))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, steps, err := plan.Transitions(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rotation.UsageOf(m, steps).Certificates {
		for _, a := range c.Apps {
			fmt.Printf("%s %s (updated: %v)\n", a.App.Name, a.Effect, a.Updated)
		}
	}
	// Output:
	// East_Connected_App changes (updated: true)
	// Wiki_SSO changes (updated: true)
}

// exampleOrg is an org with one contact center, East, and one other SAML
// app, Wiki_SSO, that follows the org default; the Wiki's service provider
// is a relying party of its own.
type exampleOrg struct {
	idp       *appsIdP
	rp, wiki  *rotationtest.RelyingParty
	wikiTrust rotation.TrustRef
}

// appsIdP is the fake identity provider listing Wiki_SSO besides its
// contact centers' apps, as a backend that is an AppLister does.
type appsIdP struct{ *rotationtest.IdentityProvider }

func (p *appsIdP) SAMLApps(ctx context.Context) ([]rotation.SAMLApp, error) {
	sig, err := p.SigningState(ctx)
	if err != nil {
		return nil, err
	}
	return []rotation.SAMLApp{{App: rotation.AppRef{Name: "Wiki_SSO"}, Kind: rotation.AppExternal, Certificate: sig.Default}}, nil
}

func newExampleOrg() *exampleOrg {
	idp := rotationtest.NewIdentityProvider(rotationtest.WithKeyGenerator(rotationtest.CachedKey), rotationtest.WithEntityID(entityID))
	old, err := idp.AddCertificate("Old_Cert", 2048)
	if err != nil {
		panic(err)
	}
	if err := idp.UseDefault("Old_Cert"); err != nil {
		panic(err)
	}
	idp.AddContactCenter(ccEast)
	w := &exampleOrg{idp: &appsIdP{idp}, rp: rotationtest.NewRelyingParty(), wiki: rotationtest.NewRelyingParty(),
		wikiTrust: rotation.TrustRef{Account: "wiki", ARN: "urn:wiki:idp"}}
	doc := rotationtest.MetadataDocument(entityID, old.DER)
	if err := w.rp.AddTrust(ccEast.Trust, doc); err != nil {
		panic(err)
	}
	if err := w.wiki.AddTrust(w.wikiTrust, doc); err != nil {
		panic(err)
	}
	return w
}
