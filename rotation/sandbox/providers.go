package sandbox

// addExtraProviders seeds, in the first account, an IAM SAML provider per
// name with doc, the document of the account's contact centers' provider
// (the org's entityID), named by no app's Role attribute: a provider made
// by hand for console access, say. Their ARNs go to ExtraProviderARNs.
func (w *World) addExtraProviders(acct string, doc []byte, names []string) {
	if acct != w.Accounts[0] {
		return
	}
	for _, name := range names {
		w.ExtraProviderARNs = append(w.ExtraProviderARNs, w.IAM.AddProvider(acct, name, doc))
	}
}
