package salesforce

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

// Facts about how a CallCenter names Amazon Connect and its connected app
// (reference §4). The item names and values come from Salesforce's
// published samples [C]; that these are the complete set of markers, and
// the "<display name> Connected App" label convention, are inferred [I].
const (
	itemTelephonyProvider = "reqTelephonyProvider"
	itemVendorInfo        = "reqVendorInfoApiName"
	itemConnectedAppID    = "reqConnectedAppId"
	itemIdentityURL       = "reqIdentityUrl"
	itemRelayState        = "reqRelayState"
	itemInstanceID        = "reqInstanceId"
	itemRegion            = "reqRegion"

	nativeTelephonyProvider = "AMAZON_CONNECT"
	partnerVendorInfo       = "c__AMAZON_CONNECT"
	connectedAppLabelSuffix = " Connected App"
)

// telephony reports whether a call center is an Amazon Connect contact
// center, and of which kind.
func telephony(cc *CallCenter) (rotation.Telephony, bool) {
	switch {
	case strings.EqualFold(cc.Item(itemTelephonyProvider), nativeTelephonyProvider):
		return rotation.TelephonyNative, true
	case strings.EqualFold(cc.Item(itemVendorInfo), partnerVendorInfo):
		return rotation.TelephonyPartner, true
	}
	return "", false
}

// relayStateRE matches an Amazon Connect federation URL:
// https://<region>.console.aws.amazon.com/connect/federate/<instance id>.
var relayStateRE = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d)\.console\.aws\.amazon\.com$`)

// connectInstance returns the Amazon Connect instance id and region named
// by a call center: reqInstanceId and reqRegion when present, else parsed
// from reqRelayState.
func connectInstance(cc *CallCenter) (instanceID, region string) {
	instanceID, region = cc.Item(itemInstanceID), cc.Item(itemRegion)
	if u, err := url.Parse(cc.Item(itemRelayState)); err == nil {
		if m := relayStateRE.FindStringSubmatch(u.Hostname()); m != nil && region == "" {
			region = m[1]
		}
		if rest, ok := strings.CutPrefix(u.Path, "/connect/federate/"); ok && instanceID == "" {
			instanceID = strings.Trim(rest, "/")
		}
	}
	return instanceID, region
}

// loginID returns the app= parameter of the call center's reqIdentityUrl
// (the connected app's IdP-initiated login id, 0sp…).
func loginID(cc *CallCenter) string {
	u, err := url.Parse(cc.Item(itemIdentityURL))
	if err != nil {
		return ""
	}
	return u.Query().Get("app")
}

// RoleARNs parses the formula of a connected app's AWS Role attribute,
// "'<role arn>,<provider arn>'" in either order, optionally quoted, and
// returns the IAM role ARN and SAML provider ARN by their resource type.
func RoleARNs(formula string) (roleARN, providerARN string, err error) {
	s := strings.TrimSpace(formula)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	// Split only at commas before "arn:" so that commas inside names survive.
	var parts []string
	prev := 0
	for _, m := range arnSplitRE.FindAllStringIndex(s, -1) {
		parts = append(parts, s[prev:m[0]])
		prev = m[1] - len("arn:")
	}
	parts = append(parts, s[prev:])
	for _, part := range parts {
		part = strings.TrimSpace(part)
		switch kind := iamResourceType(part); kind {
		case "role":
			if roleARN != "" {
				return "", "", fmt.Errorf("two role ARNs in %q", formula)
			}
			roleARN = part
		case "saml-provider":
			if providerARN != "" {
				return "", "", fmt.Errorf("two SAML provider ARNs in %q", formula)
			}
			providerARN = part
		default:
			return "", "", fmt.Errorf("%q is neither an IAM role nor a SAML provider ARN", part)
		}
	}
	if roleARN == "" || providerARN == "" {
		return "", "", fmt.Errorf("the Role attribute %q must name a role ARN and a SAML provider ARN", formula)
	}
	return roleARN, providerARN, nil
}

var arnSplitRE = regexp.MustCompile(`,\s*arn:`)

var iamARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):(role|saml-provider)/.+$`)

func iamResourceType(arn string) string {
	if m := iamARNRE.FindStringSubmatch(arn); m != nil {
		return m[2]
	}
	return ""
}

// ARNAccount returns the account id of an IAM ARN, or "".
func ARNAccount(arn string) string {
	if m := iamARNRE.FindStringSubmatch(arn); m != nil {
		return m[1]
	}
	return ""
}

// sameID compares Salesforce ids, which come in 15- and 18-character forms.
func sameID(a, b string) bool {
	if len(a) < 15 || len(b) < 15 {
		return false
	}
	return a[:15] == b[:15]
}

// ContactCenters lists the org's Amazon Connect contact centers: CallCenters
// whose reqTelephonyProvider is AMAZON_CONNECT (native) or whose
// reqVendorInfoApiName is c__AMAZON_CONNECT (partner telephony). Each is
// linked to the app it signs in through, a connected app or an External
// Client App with SAML policies, by reqConnectedAppId, else by the label
// "<display name> Connected App" (eca_facts.go has the ECA labels); the
// app= of reqIdentityUrl is the login id. The IAM role and SAML provider
// come from the app's Role attribute; an app without one gives a contact
// center with a zero Trust and a warning in the log. Results are sorted by
// call center name.
//
// A call made while another is discovering shares that discovery's answer
// (a rotation's preflight asks twice at once: for the contact centers and,
// through SigningState, for their apps).
func (p *Provider) ContactCenters(ctx context.Context) ([]rotation.ContactCenter, error) {
	d, err := p.discovery(ctx)
	return slices.Clone(d.centers), err
}

// discovered is what one discovery read and resolved.
type discovered struct {
	centers []rotation.ContactCenter
	// apps are the org's connected apps, then its External Client Apps
	// with SAML policies, each sorted by name.
	apps []spApp
}

// discovery runs discover, sharing a run in flight.
func (p *Provider) discovery(ctx context.Context) (discovered, error) {
	return shared(ctx, &p.reads, "contact centers", p.discover)
}

// discover lists and resolves the contact centers and the apps (see
// ContactCenters).
func (p *Provider) discover(ctx context.Context) (discovered, error) {
	// Call centers and apps are listed and read at once: the apps are
	// needed as soon as one call center is an Amazon one.
	var (
		centers []*CallCenter
		apps    []spApp
		ecas    []spApp
	)
	reads := []func(ctx context.Context) error{
		func(ctx context.Context) (err error) { _, centers, err = listAndRead[CallCenter](ctx, p.c); return err },
		func(ctx context.Context) (err error) { apps, err = p.connectedApps(ctx); return err },
	}
	if p.c.ecasListable() {
		reads = append(reads, func(ctx context.Context) (err error) { ecas, err = p.externalApps(ctx); return err })
	}
	if err := p.c.all(ctx, reads...); err != nil {
		return discovered{}, err
	}
	d := discovered{apps: append(apps, ecas...)}
	for _, a := range ecas {
		p.kinds.Store(a.ref.Name, rotation.AppExternal)
	}
	for _, cc := range centers {
		if cc == nil {
			continue
		}
		if _, ok := telephony(cc); ok {
			d.centers = append(d.centers, p.contactCenter(ctx, cc, d.apps))
		}
	}
	return d, nil
}

// spApp is an app of the org that may be a SAML service provider: a
// connected app (with or without samlConfig) or an External Client App with
// SAML policies.
type spApp struct {
	kind rotation.AppKind
	// ref has the app's listMetadata id, API name and label.
	ref rotation.AppRef
	// saml reports a SAML configuration; entityID and acs are its Entity ID
	// and ACS URL.
	saml          bool
	entityID, acs string
	// algorithm is the configured signing algorithm (rotation.AlgorithmSHA1
	// or AlgorithmSHA256), "" when the app does not say.
	algorithm string
	// attribute returns the formula of a custom SAML attribute.
	attribute func(key string) (string, bool)
}

// connectedApps lists and reads every connected app of the org.
func (p *Provider) connectedApps(ctx context.Context) ([]spApp, error) {
	files, read, err := listAndRead[ConnectedApp](ctx, p.c)
	if err != nil {
		return nil, err
	}
	var out []spApp
	for i, a := range read {
		if a == nil {
			continue
		}
		sp := spApp{kind: rotation.AppConnected, ref: rotation.AppRef{ID: files[i].ID, Name: a.FullName, Label: a.Label}, attribute: a.Attribute}
		if a.SamlConfig != nil {
			sp.saml, sp.entityID, sp.acs = true, a.SamlConfig.EntityURL, a.SamlConfig.AcsURL
			sp.algorithm = signingAlgorithm(a.SamlConfig.SamlSigningAlgoType)
		}
		out = append(out, sp)
	}
	return out, nil
}

// externalApps lists and reads every External Client App of the org and
// every SAML policies component, and returns the apps that have SAML
// policies.
func (p *Provider) externalApps(ctx context.Context) ([]spApp, error) {
	var (
		files    []FileProperties
		apps     []*ExternalClientApplication
		policies []*ExtlClntAppSamlConfigurablePolicies
	)
	err := p.c.all(ctx,
		func(ctx context.Context) (err error) {
			files, apps, err = listAndRead[ExternalClientApplication](ctx, p.c)
			return err
		},
		func(ctx context.Context) (err error) {
			_, policies, err = listAndRead[ExtlClntAppSamlConfigurablePolicies](ctx, p.c)
			return err
		})
	if err != nil {
		return nil, err
	}
	byApp := map[string]*ExtlClntAppSamlConfigurablePolicies{}
	for _, s := range policies {
		if s != nil && byApp[s.ExternalClientApplication] == nil {
			byApp[s.ExternalClientApplication] = s
		}
	}
	var out []spApp
	for i, a := range apps {
		if a == nil || byApp[a.FullName] == nil {
			continue
		}
		s := byApp[a.FullName]
		label := a.Label
		if label == "" {
			label = s.Label
		}
		out = append(out, spApp{
			kind: rotation.AppExternal, ref: rotation.AppRef{ID: files[i].ID, Name: ecaMetadataName(a), Label: label},
			saml: true, entityID: s.EntityURL, acs: s.AcsURL, attribute: s.Attribute,
			algorithm: signingAlgorithm(s.SigningAlgorithmType),
		})
	}
	return out, nil
}

// contactCenter resolves one Amazon call center against the org's apps.
func (p *Provider) contactCenter(ctx context.Context, cc *CallCenter, apps []spApp) rotation.ContactCenter {
	tel, _ := telephony(cc)
	out := rotation.ContactCenter{Name: cc.FullName, DisplayName: cc.DisplayName, Telephony: tel}
	out.InstanceID, out.Region = connectInstance(cc)
	log := p.log.With(slog.String("contact_center", cc.FullName))

	found := findApp(cc, apps)
	out.App.LoginID = loginID(cc)
	if found == nil {
		out.App.Label = cc.DisplayName + connectedAppLabelSuffix
		log.LogAttrs(ctx, slog.LevelWarn, "salesforce: no connected app found for contact center",
			slog.String("connected_app_id", cc.Item(itemConnectedAppID)), slog.String("expected_label", out.App.Label))
		return out
	}
	out.App.ID, out.App.Name, out.App.Label = found.ref.ID, found.ref.Name, found.ref.Label
	p.noteAlgorithm(found.ref.Name, found.algorithm)

	formula, ok := found.attribute(samlmeta.AttrRole)
	if !ok {
		log.LogAttrs(ctx, slog.LevelWarn, "salesforce: app has no AWS Role attribute; its IAM SAML provider is unknown",
			slog.String("app", found.ref.Name))
		return out
	}
	role, provider, err := RoleARNs(formula)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "salesforce: cannot parse the app's AWS Role attribute",
			slog.String("app", found.ref.Name), slog.String("error", err.Error()))
		return out
	}
	out.RoleARN = role
	out.Trust = rotation.TrustRef{Account: ARNAccount(provider), ARN: provider}
	return out
}
