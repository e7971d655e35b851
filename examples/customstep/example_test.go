package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// The gate goes before activate. Outside the window the engine rolls back
// what the steps before it did, so the org and IAM are left as they were.
func ExampleWindowGate() {
	window, err := ParseWindow("22:00-02:00", "Europe/Berlin")
	if err != nil {
		panic(err)
	}
	o, err := seedOrg() // fakes: an org with two contact centers
	if err != nil {
		panic(err)
	}
	mondayAfternoon := func() time.Time { return time.Date(2026, 1, 5, 14, 0, 0, 0, window.Location) }
	plan, err := rotation.NewOrgPlan(o.idp, o.rp, rotation.WithKeyBits(2048))
	if err != nil {
		panic(err)
	}
	r, err := rotation.New(plan.Steps(),
		rotation.WithStepBefore(rotation.StepActivate, NewWindowGate(window, mondayAfternoon)))
	if err != nil {
		panic(err)
	}
	var names []string
	for _, p := range r.Plan() {
		names = append(names, p.Name)
	}
	fmt.Println(strings.Join(names, " > "))

	before := o.snapshot()
	err = r.Run(context.Background(), plan.NewState("r1"))
	var out *OutsideWindowError
	if errors.As(err, &out) {
		fmt.Println("refused at", out.At.Format("Mon 15:04 MST"), "- opens", out.NextOpen.Format("Mon 15:04 MST"))
	}
	fmt.Println("permanent:", !rotation.IsTransient(err), "- org and IAM unchanged:", reflect.DeepEqual(before, o.snapshot()))
	// Output:
	// preflight > stage > trust > maintenance-window > activate > verify > soak > retire
	// refused at Mon 14:00 CET - opens Mon 22:00 CET
	// permanent: true - org and IAM unchanged: true
}

// The notifier posts the rotation's summary, built from its State, to a
// chat webhook.
func ExampleNotifier() {
	hook := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var n Notification
		if err := json.NewDecoder(r.Body).Decode(&n); err == nil {
			fmt.Println(n.Text)
			fmt.Println("was", n.OldSHA256, "for", len(n.ContactCenters), "contact center(s)")
		}
	}))
	defer hook.Close()

	cc := rotation.ContactCenter{Name: "East", App: rotation.AppRef{Name: "East_Connected_App"}}
	old := rotation.Certificate{Name: "SCV_IdP_2025", SHA256: "AA:BB"}
	st := &rotation.State{
		ID: "r1", Target: "00D000000000001EAA", ContactCenters: []rotation.ContactCenter{cc}, OldDefault: old,
		New:  rotation.Certificate{Name: "voicecert_r1", SHA256: "CC:DD", NotAfter: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)},
		Apps: map[string]rotation.AppState{cc.App.Name: {App: cc.App, Before: old}},
	}
	n := NewNotifier(hook.URL)
	if err := n.Apply(context.Background(), st); err != nil {
		panic(err)
	}
	fmt.Println("notification", st.Value(ValueNotify))
	// Output:
	// SAML signing certificate of 00D000000000001EAA rotated to voicecert_r1 (SHA-256 CC:DD, valid until 2027-01-05) for East.
	// was AA:BB for 1 contact center(s)
	// notification sent
}

// The audit log writes one JSON line per event of a rotation.
func ExampleAuditLog() {
	at := time.Date(2026, 1, 5, 22, 0, 0, 0, time.UTC)
	r, err := rotation.New([]rotation.Step{rotation.StepFunc("hello", "say hello", nil, nil)},
		rotation.WithObserver(NewAuditLog(os.Stdout)),
		rotation.WithClock(func() time.Time { return at }))
	if err != nil {
		panic(err)
	}
	if err := r.Run(context.Background(), &rotation.State{ID: "r1"}); err != nil {
		panic(err)
	}
	// Output:
	// {"time":"2026-01-05T22:00:00Z","rotation":"r1","event":"rotation.started","message":"run"}
	// {"time":"2026-01-05T22:00:00Z","rotation":"r1","event":"step.started","step":"hello","attempt":1}
	// {"time":"2026-01-05T22:00:00Z","rotation":"r1","event":"step.succeeded","step":"hello"}
	// {"time":"2026-01-05T22:00:00Z","rotation":"r1","event":"rotation.succeeded"}
}

// A window that wraps past midnight, with its end excluded.
func ExampleWindow_Contains() {
	w, err := ParseWindow("22:00-02:00", "Europe/Berlin")
	if err != nil {
		panic(err)
	}
	for _, hm := range []string{"21:59", "22:00", "01:59", "02:00"} {
		t, err := time.ParseInLocation("2006-01-02 15:04", "2026-01-05 "+hm, w.Location)
		if err != nil {
			panic(err)
		}
		fmt.Println(hm, w.Contains(t))
	}
	// Output:
	// 21:59 false
	// 22:00 true
	// 01:59 true
	// 02:00 false
}
