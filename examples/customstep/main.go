package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sync"
	"time"
	_ "time/tzdata" // the window's time zone, even where the system has no zoneinfo

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationtest"
)

func main() {
	window := flag.String("window", "22:00-02:00", "the maintenance window, HH:MM-HH:MM")
	zone := flag.String("zone", "Europe/Berlin", "the window's IANA time zone")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *window, *zone); err != nil {
		fmt.Fprintln(os.Stderr, "customstep:", err)
		os.Exit(1)
	}
}

// The demo org: two contact centers that follow the org default
// certificate, each trusted by an IAM SAML provider in its own AWS account.
const (
	orgName  = "00D000000000001EAA"
	entityID = "https://acme.my.salesforce.com"
	oldCert  = "SCV_IdP_2025"
)

var contactCenters = []rotation.ContactCenter{
	{Name: "East", Telephony: rotation.TelephonyNative, App: rotation.AppRef{Name: "East_Connected_App"},
		Trust: rotation.TrustRef{Account: "111111111111", ARN: "arn:aws:iam::111111111111:saml-provider/SalesforceServiceVoiceIdp"}},
	{Name: "West", Telephony: rotation.TelephonyPartner, App: rotation.AppRef{Name: "West_Connected_App"},
		Trust: rotation.TrustRef{Account: "222222222222", ARN: "arn:aws:iam::222222222222:saml-provider/SalesforceServiceVoiceIdp"}},
}

// org is the in-memory stand-in for a Salesforce org and its AWS accounts.
type org struct {
	idp *rotationtest.IdentityProvider
	rp  *rotationtest.RelyingParty
}

// seedOrg returns the demo org, its default certificate trusted by every
// contact center's IAM provider.
func seedOrg() (*org, error) {
	o := &org{
		idp: rotationtest.NewIdentityProvider(rotationtest.WithIdPName(orgName), rotationtest.WithEntityID(entityID),
			rotationtest.WithKeyGenerator(rotationtest.CachedKey)),
		rp: rotationtest.NewRelyingParty(rotationtest.WithRPName("aws")),
	}
	old, err := o.idp.AddCertificate(oldCert, 2048)
	if err != nil {
		return nil, err
	}
	if err := o.idp.UseDefault(oldCert); err != nil {
		return nil, err
	}
	for _, cc := range contactCenters {
		o.idp.AddContactCenter(cc)
		if err := o.rp.AddTrust(cc.Trust, rotationtest.MetadataDocument(entityID, old.DER)); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// orgSnapshot is everything the org holds, comparable with reflect.DeepEqual.
type orgSnapshot struct {
	IdP rotationtest.IdPSnapshot
	RP  map[string]string
}

func (o *org) snapshot() orgSnapshot { return orgSnapshot{IdP: o.idp.Snapshot(), RP: o.rp.Snapshot()} }

// rotator returns the org plan with the user's steps inserted: the gate
// before activate, the notifier after retire, and the observer.
func (o *org) rotator(gate *WindowGate, notifier *Notifier, audit rotation.Observer, opts ...rotation.Option) (*rotation.Rotator, *rotation.OrgPlan, error) {
	plan, err := rotation.NewOrgPlan(o.idp, o.rp, rotation.WithKeyBits(2048))
	if err != nil {
		return nil, nil, err
	}
	r, err := rotation.New(plan.Steps(), append([]rotation.Option{
		rotation.WithStepBefore(rotation.StepActivate, gate),
		rotation.WithStepAfter(rotation.StepRetire, notifier),
		rotation.WithObserver(audit),
	}, opts...)...)
	if err != nil {
		return nil, nil, err
	}
	return r, plan, nil
}

// webhook stands in for a Slack or Teams incoming webhook: it keeps every
// Notification posted to it.
type webhook struct {
	*httptest.Server
	mu       sync.Mutex
	messages []Notification
}

func newWebhook() *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var n Notification
		if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
			http.Error(rw, "not a notification", http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.messages = append(w.messages, n)
		w.mu.Unlock()
	}))
	return w
}

// Messages returns the notifications received so far.
func (w *webhook) Messages() []Notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Notification(nil), w.messages...)
}

// run rotates the demo org twice: at the window's end, which the gate
// refuses (and the rotation rolls back), then at its start, which succeeds
// and posts the notification.
func run(ctx context.Context, out io.Writer, windowSpec, zone string) error {
	window, err := ParseWindow(windowSpec, zone)
	if err != nil {
		return err
	}
	o, err := seedOrg()
	if err != nil {
		return err
	}
	hook := newWebhook()
	defer hook.Close()
	log := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	audit := NewAuditLog(out)

	// The gate's clock: today's date in the window's zone, at a time of day.
	var clockAt time.Time
	today := time.Now()
	gate := NewWindowGate(window, func() time.Time { return clockAt })
	r, plan, err := o.rotator(gate, NewNotifier(hook.URL, WithNotifyLogger(log)), audit)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Org %s: contact centers East and West on certificate %s.\nPlan:\n", orgName, oldCert)
	for i, p := range r.Plan() {
		fmt.Fprintf(out, "%2d. %-18s %s\n", i+1, p.Name, p.Description)
	}

	clockAt = window.On(today, window.End)
	fmt.Fprintf(out, "\n== Rotation at %s (the window's end: outside [start, end))\n", clockAt.Format("15:04 MST"))
	before := o.snapshot()
	err = r.Run(ctx, plan.NewState("demo1"))
	if !errors.Is(err, ErrOutsideWindow) {
		return fmt.Errorf("the gate should have refused: %v", err)
	}
	fmt.Fprintf(out, "Refused: %v\nOrg and IAM unchanged: %t\n", err, reflect.DeepEqual(before, o.snapshot()))

	clockAt = window.On(today, window.Start)
	fmt.Fprintf(out, "\n== Rotation at %s (the window's start)\n", clockAt.Format("15:04 MST"))
	st := plan.NewState("demo2")
	if err := r.Run(ctx, st); err != nil {
		return err
	}
	fmt.Fprintf(out, "Rotated: org default is now %s (%s); notification %s.\n",
		o.idp.Snapshot().DefaultCertificate, st.New.SHA256, st.Value(ValueNotify))
	for _, m := range hook.Messages() {
		fmt.Fprintf(out, "Webhook received: %s\n", m.Text)
	}
	return audit.Err()
}
