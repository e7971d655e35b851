package sftest

import (
	"fmt"
	"net/url"
)

// ContactCenterSeed describes a call center to seed with AddContactCenter.
type ContactCenterSeed struct {
	// InternalName is the call center's API name (required); DisplayName
	// defaults to it.
	InternalName, DisplayName string
	// Telephony is "native" (Service Cloud Voice with Amazon Connect: item
	// reqTelephonyProvider=AMAZON_CONNECT), "partner" (Partner Telephony
	// from Amazon Connect: reqVendorInfoApiName=c__AMAZON_CONNECT), or
	// anything else for a call center that is not Amazon Connect (it gets no
	// connected app).
	Telephony string
	// AppName is the connected app's API name; default
	// "<InternalName>_Connected_App".
	AppName string
	// Pinned makes the app name its own IdP certificate (the org default at
	// seeding time, or a new 2048-bit certificate "<AppName>_Cert" when no
	// default is set) instead of following the org default.
	Pinned bool
	// RoleARN and ProviderARN make the app's
	// https://aws.amazon.com/SAML/Attributes/Role attribute, formula
	// '<RoleARN>,<ProviderARN>'; both empty gives no Role attribute.
	RoleARN, ProviderARN string
	// InstanceID and Region locate the Amazon Connect instance.
	InstanceID, Region string
	// External makes the contact center sign in through an External Client
	// App (labelled "<DisplayName> External Client App", with SAML
	// policies) instead of a connected app.
	External bool
}

// Telephony values of ContactCenterSeed.
const (
	TelephonyNative  = "native"
	TelephonyPartner = "partner"
)

// AddContactCenter seeds a call center and, for Amazon Connect telephony, the
// connected app Salesforce creates for it ("<DisplayName> Connected App",
// SAML to the AWS sign-in endpoint). It returns the app's 0H4… id and the
// 0sp… id its IdP-initiated login URL names (both empty for a call center
// that is not Amazon Connect). It panics when a name is taken.
func (o *Org) AddContactCenter(seed ContactCenterSeed) (appID, loginID string) {
	if seed.InternalName == "" {
		panic("sftest: AddContactCenter needs an InternalName")
	}
	if seed.DisplayName == "" {
		seed.DisplayName = seed.InternalName
	}
	amazon := seed.Telephony == TelephonyNative || seed.Telephony == TelephonyPartner
	if seed.AppName == "" {
		seed.AppName = defaultAppName(seed.InternalName)
	}
	var ownKey bool
	if amazon && seed.Pinned {
		o.mu.Lock()
		ownKey = o.st.idpCert == ""
		o.mu.Unlock()
		if ownKey {
			o.AddCertificate(seed.AppName+"_Cert", 2048)
		}
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.st.callCenters[seed.InternalName]; dup {
		panic(fmt.Sprintf("sftest: AddContactCenter: call center %s exists", seed.InternalName))
	}
	now := o.now()
	switch {
	case amazon && seed.External:
		pinned := ""
		if seed.Pinned {
			pinned = o.st.idpCert
			if ownKey {
				pinned = seed.AppName + "_Cert"
			}
		}
		appID, loginID = o.addSAMLAppLocked(SAMLAppSeed{Name: seed.AppName, Label: seed.DisplayName + " External Client App",
			EntityID: seed.DisplayName, ACS: DefaultSignInURL, External: true}, roleAttributes(seed), pinned)
		// Its users are the contact center's, as a connected app's are.
		o.st.ecas[seed.AppName].granted = []string{PermissionSetContactCenterAdmin}
	case amazon:
		if _, dup := o.st.apps[seed.AppName]; dup {
			panic(fmt.Sprintf("sftest: AddContactCenter: connected app %s exists", seed.AppName))
		}
		app := &connectedApp{
			name:    seed.AppName,
			id:      o.nextID(prefixConnectedApp),
			loginID: o.nextID(prefixSAMLLogin),
			comp:    seedAppComponent(seed, o.defaultUser.username),
			created: now, modified: now,
		}
		if seed.Pinned {
			app.pinned = o.st.idpCert
			if ownKey {
				app.pinned = seed.AppName + "_Cert"
			}
		}
		o.st.apps[app.name] = app
		appID, loginID = app.id, app.loginID
	}
	o.st.callCenters[seed.InternalName] = &callCenter{
		name:    seed.InternalName,
		id:      o.nextID(prefixCallCenter),
		comp:    seedCallCenterComponent(seed, o.URL()+"/idp/login?app="+url.QueryEscape(loginID), appID),
		created: now, modified: now,
	}
	return appID, loginID
}

// seedAppComponent is the ConnectedApp metadata of a contact center's app,
// elements in WSDL order.
func seedAppComponent(seed ContactCenterSeed, contact string) *node {
	c := parent("metadata", roleAttributes(seed)...)
	c.Children = append(c.Children,
		el("contactEmail", contact),
		el("description", "Created by Service Cloud Voice for "+seed.DisplayName),
		el("label", appLabel(seed.DisplayName)),
		parent("oauthConfig",
			el("callbackUrl", "https://login.salesforce.com/services/oauth2/callback"),
			el("consumerKey", "3MVG9"+randomToken(40)),
			el("isAdminApproved", "true"),
			el("scopes", "Api"),
			el("scopes", "RefreshToken"),
		),
		el("permissionSetName", PermissionSetContactCenterAdmin),
		parent("samlConfig",
			el("acsUrl", DefaultSignInURL),
			el("entityUrl", seed.DisplayName),
			el("samlNameIdFormat", "Persistent"),
			el("samlSigningAlgoType", "SHA256"),
			el("samlSubjectType", "PersistentId"),
		),
	)
	return c
}

func item(label, name, value string) *node {
	return parent("items", el("label", label), el("name", name), el("value", value))
}

// seedCallCenterComponent is the CallCenter metadata of a seeded contact
// center, elements in WSDL order.
func seedCallCenterComponent(seed ContactCenterSeed, identityURL, appID string) *node {
	c := parent("metadata")
	var section *node
	switch seed.Telephony {
	case TelephonyNative:
		c.Children = append(c.Children, el("customSettings", `{"reqCallCenterType":"SCVOOTBTelephony"}`))
		section = parent("sections",
			item("Telephony Provider", "reqTelephonyProvider", "AMAZON_CONNECT"),
			item("Amazon Connect Instance Alias", "reqInstanceName", seed.InternalName),
			item("Relay State", "reqRelayState",
				"https://"+seed.Region+".console.aws.amazon.com/connect/federate/"+seed.InstanceID),
			item("Identity URL", "reqIdentityUrl", identityURL),
			el("label", "Service Voice Settings"),
			el("name", "reqHvcc"),
		)
	case TelephonyPartner:
		section = parent("sections",
			item("Vendor Info API Name", "reqVendorInfoApiName", "c__AMAZON_CONNECT"),
			item("Connected App Id", "reqConnectedAppId", appID),
			item("Identity URL", "reqIdentityUrl", identityURL),
			item("Instance Id", "reqInstanceId", seed.InstanceID),
			item("Region", "reqRegion", seed.Region),
			item("Version", "reqVersion", "18.0"),
			el("label", "General Information"),
			el("name", "reqGeneralInfo"),
		)
	default:
		c.Children = append(c.Children, el("adapterUrl", "https://cti.example.com/adapter"))
		section = parent("sections",
			item("CTI Adapter URL", "reqAdapterUrl", "https://cti.example.com/adapter"),
			item("Use CTI API", "reqUseApi", "true"),
			el("label", "General Information"),
			el("name", "reqGeneralInfo"),
		)
	}
	c.Children = append(c.Children,
		el("displayName", seed.DisplayName),
		el("displayNameLabel", "Display Name"),
		el("internalNameLabel", "Internal Name"),
		section,
		el("version", "5"),
	)
	return c
}
