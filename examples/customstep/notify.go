package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// StepNotify is the name of the Notifier step.
const StepNotify = "notify"

// ValueNotify is the State value (see rotation.State.Value) where a Notifier
// records the outcome of its post: "sent", or "failed: " and why. The journal
// keeps it, so a failed notification is visible after the rotation.
const ValueNotify = "notify"

// DefaultNotifyTimeout bounds a Notifier's post.
const DefaultNotifyTimeout = 10 * time.Second

// Notification is the JSON message a Notifier posts.
//
// Text is the field Slack incoming webhooks display. Whether a given chat
// service accepts the other fields is not checked here: Teams "Workflows"
// webhooks expect an Adaptive Card instead, so adapt this type to the
// service you post to.
type Notification struct {
	Text       string `json:"text"`
	RotationID string `json:"rotationId"`
	// Target is the org that was rotated.
	Target string `json:"target"`
	// OldSHA256 is the fingerprint of the org default certificate before
	// the rotation.
	OldSHA256 string `json:"oldSha256"`
	// NewSHA256, NewName and NewNotAfter describe the new certificate.
	NewSHA256   string    `json:"newSha256"`
	NewName     string    `json:"newName"`
	NewNotAfter time.Time `json:"newNotAfter"`
	// ContactCenters are the contact centers the rotation changed.
	ContactCenters []NotifiedCenter `json:"contactCenters"`
}

// NotifiedCenter is one contact center of a Notification.
type NotifiedCenter struct {
	Name string `json:"name"`
	App  string `json:"app"`
	// OldSHA256 is the certificate the app signed with before the rotation
	// (a pinned app may have had its own).
	OldSHA256 string `json:"oldSha256"`
}

// NewNotification builds the message of a rotation from its State.
func NewNotification(s *rotation.State) Notification {
	s.Lock()
	defer s.Unlock()
	n := Notification{
		RotationID: s.ID, Target: s.Target,
		OldSHA256: s.OldDefault.SHA256,
		NewSHA256: s.New.SHA256, NewName: s.New.Name, NewNotAfter: s.New.NotAfter,
	}
	names := make([]string, 0, len(s.ContactCenters))
	for _, cc := range s.ContactCenters {
		n.ContactCenters = append(n.ContactCenters, NotifiedCenter{
			Name: cc.Name, App: cc.App.Name, OldSHA256: s.Apps[cc.App.Name].Before.SHA256,
		})
		names = append(names, cc.Name)
	}
	n.Text = fmt.Sprintf("SAML signing certificate of %s rotated to %s (SHA-256 %s, valid until %s) for %s.",
		s.Target, s.New.Name, s.New.SHA256, s.New.NotAfter.UTC().Format("2006-01-02"), strings.Join(names, ", "))
	return n
}

// NotifierOption configures a Notifier.
type NotifierOption func(*Notifier)

// WithHTTPClient sets the client that posts (default http.DefaultClient).
func WithHTTPClient(c *http.Client) NotifierOption { return func(n *Notifier) { n.client = c } }

// WithNotifyLogger sets the logger of failed posts (default discard).
func WithNotifyLogger(l *slog.Logger) NotifierOption { return func(n *Notifier) { n.log = l } }

// WithNotifyTimeout bounds each post (default DefaultNotifyTimeout).
func WithNotifyTimeout(d time.Duration) NotifierOption { return func(n *Notifier) { n.timeout = d } }

// Notifier is a rotation.Step that posts a Notification to a chat webhook
// (Slack, Teams) once the old certificate is retired. Insert it with
// rotation.WithStepAfter(rotation.StepRetire, notifier).
//
// A notification is best effort: Apply logs a failed post, records it under
// ValueNotify, and returns nil. The other choice, returning the error (with
// the step placed last), makes the engine roll back every step before it: a
// chat outage would undo a rotation that was verified and already serves
// agents, switching the org back to the old, expiring certificate; after
// cleanup (rotation.WithDeleteOld) that certificate is gone and the rollback
// itself would fail. So the post is made once, bounded by a timeout, and never
// fails the rotation; its outcome stays in the State and the log.
//
// Webhook URLs of chat services are secrets (whoever holds one can post):
// the Notifier never logs the URL nor puts it in an error or in Describe.
//
// Rollback does nothing (a message cannot be unsent). A rotation resumed
// after a crash during this step may post twice.
type Notifier struct {
	url     string
	client  *http.Client
	log     *slog.Logger
	timeout time.Duration
}

// NewNotifier returns a Notifier that posts to webhookURL.
func NewNotifier(webhookURL string, opts ...NotifierOption) *Notifier {
	n := &Notifier{url: webhookURL, client: http.DefaultClient, log: slog.New(slog.DiscardHandler), timeout: DefaultNotifyTimeout}
	for _, fn := range opts {
		fn(n)
	}
	return n
}

// Name returns StepNotify.
func (n *Notifier) Name() string { return StepNotify }

// Describe says what the step posts, without the webhook's URL.
func (n *Notifier) Describe() string {
	return "post the old and new fingerprints to the chat webhook (best effort: a failure is logged, not returned)"
}

// Apply posts the rotation's Notification. It always returns nil; see
// Notifier for why.
func (n *Notifier) Apply(ctx context.Context, s *rotation.State) error {
	if err := n.post(ctx, NewNotification(s)); err != nil {
		n.log.WarnContext(ctx, "rotation notification not delivered; the rotation is unaffected",
			"rotation", s.ID, "step", StepNotify, "error", err)
		s.SetValue(ValueNotify, "failed: "+err.Error())
		return nil
	}
	s.SetValue(ValueNotify, "sent")
	return nil
}

// Rollback does nothing: a message cannot be unsent.
func (n *Notifier) Rollback(context.Context, *rotation.State) error { return nil }

func (n *Notifier) post(ctx context.Context, msg Notification) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode notification: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("webhook: invalid URL") // the URL itself is a secret
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		// A *url.Error names the URL; keep only its operation and cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("webhook %s: %w", ue.Op, ue.Err)
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
