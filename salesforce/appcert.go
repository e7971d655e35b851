package salesforce

// This file holds the one behaviour built on an unsettled fact: the Metadata
// API has no documented field for a connected app's "IdP Certificate"
// (reference §1; ConnectedAppSamlConfig.certificate is most likely the SP's
// request-signing certificate). So an app's certificate is observed through
// its metadata endpoint and changed by a person in Setup. If Salesforce
// documents a field, replace SetAppCertificate here (a read-modify-write of
// the ConnectedApp with Modify) and nothing else changes.

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// SetAppCertificate makes the app sign with certificate name (a connected
// app or an External Client App, which discovery tells apart). An app whose
// effective certificate is the org default follows the default and needs
// nothing (nil); so does an app already signing with name. Otherwise the app
// names its own certificate (pinned) and only a person can change it: the
// result is a *rotation.ManualActionError with step-by-step instructions and
// a Wait that polls the app's metadata endpoint until name's certificate
// appears there.
//
// The certificate, the app's metadata and the IdP setting are read at once
// (unless the client sends one request at a time, when the setting is read
// only for an app not already on name); the default certificate is read
// only when it is not name itself.
func (p *Provider) SetAppCertificate(ctx context.Context, app rotation.AppRef, name string) error {
	if app.Name == "" {
		return fmt.Errorf("salesforce: set app certificate: the app has no API name: %w", rotation.ErrInvalidInput)
	}
	var (
		target   rotation.Certificate
		eff      *samlmeta.Cert
		settings *IdentityProviderSettings
	)
	readSettings := func(ctx context.Context) (err error) { settings, err = p.idpSettings(ctx); return err }
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) { target, err = p.certificate(ctx, name); return err },
		func(ctx context.Context) (err error) { eff, err = p.appCertificate(ctx, app.Name); return err },
	}
	if p.c.concurrent() {
		reads = append(reads, readSettings)
	}
	if err := p.c.all(ctx, reads...); err != nil {
		return err
	}
	if eff.SHA256 == target.SHA256 {
		return nil
	}
	if settings == nil {
		if err := readSettings(ctx); err != nil {
			return err
		}
	}
	def := target
	if settings.CertificateName != name {
		var err error
		if def, err = p.certificateOf(ctx, settings); err != nil {
			return err
		}
	}
	if eff.SHA256 == def.SHA256 {
		return nil // follows the org default
	}
	label := app.Label
	if label == "" {
		label = app.Name
	}
	certLabel := target.Label
	if certLabel == "" {
		certLabel = name
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: app has its own IdP certificate; a person must change it",
		slog.String("app", app.Name), slog.String("certificate", name))
	kind, instructions := "connected app", appCertInstructions(label, app.Name, certLabel, name, def.Name == name)
	if p.external(app) {
		kind, instructions = "external client app", ecaCertInstructions(label, app.Name, certLabel, name)
	}
	return &rotation.ManualActionError{
		Action:       fmt.Sprintf("set the IdP certificate of %s %q to %q", kind, label, name),
		Instructions: instructions,
		App:          app,
		Certificate:  name,
		Wait:         p.waitAppCertificate(app.Name, name, target.SHA256),
		Timeout:      p.opts.ManualTimeout,
	}
}

// appCertInstructions tells an admin how to set a connected app's IdP
// certificate, and how to make the app follow the org default for good.
func appCertInstructions(appLabel, appName, certLabel, certName string, targetIsDefault bool) string {
	s := fmt.Sprintf(`In Salesforce Setup:
1. Open App Manager (Lightning Experience; Manage Connected Apps in Salesforce Classic) and find the connected app %q (API name %s).
2. Choose Edit Policies.
3. Under SAML Service Provider Settings, set IdP Certificate to %q (unique name %s).
4. Click Save.
`, appLabel, appName, certLabel, certName)
	if targetIsDefault {
		s += fmt.Sprintf(`
%q is now the org's default IdP certificate, so in step 3 you may choose "Default IdP Certificate" instead: the app then follows the org's identity provider certificate and future rotations need no person.
`, certLabel)
	} else {
		s += `
To make future rotations need no person, choose "Default IdP Certificate" in step 3 once the org's identity provider certificate (Setup > Identity Provider) is this certificate: the app then follows the org default, which is changed through the Metadata API.
`
	}
	return s
}

// waitAppCertificate returns a Wait that polls the app's metadata endpoint
// every PollInterval until it publishes the certificate with fingerprint
// sha256. Fetch errors are logged and retried at the next poll.
func (p *Provider) waitAppCertificate(appName, certName, sha256 string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(p.opts.PollInterval)
		defer t.Stop()
		last := "unknown"
		for {
			eff, err := p.appCertificate(ctx, appName)
			switch {
			case err == nil && eff.SHA256 == sha256:
				p.log.LogAttrs(ctx, slog.LevelInfo, "salesforce: app now signs with the new certificate",
					slog.String("app", appName), slog.String("certificate", certName))
				return nil
			case err == nil:
				last = eff.SHA256
			case ctx.Err() == nil:
				p.log.LogAttrs(ctx, slog.LevelWarn, "salesforce: polling app metadata failed",
					slog.String("app", appName), slog.String("error", err.Error()))
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("salesforce: waited for connected app %q to sign with certificate %q (SHA-256 %s), but it still signs with SHA-256 %s: %w",
					appName, certName, sha256, last, ctx.Err())
			case <-t.C:
			}
		}
	}
}
