package samlmeta

// decoyNames are the local names of the attributes SAML 2.0 metadata,
// protocol and assertion elements and XML-DSig elements define. All of them
// are unqualified, so a prefixed attribute with one of these names is
// another attribute to a namespace-aware reader; a reader that matches by
// local name alone (as samlmeta once did) would take whichever comes first.
// Such an attribute on an element of those namespaces, and a namespace
// declaration xmlns:NAME with one of these names anywhere, are refused with
// ErrDecoy, so that every reader sees the same document.
var decoyNames = map[string]bool{
	// md:EntityDescriptor and role descriptors
	"entityID": true, "ID": true, "validUntil": true, "cacheDuration": true,
	"protocolSupportEnumeration": true, "WantAuthnRequestsSigned": true, "errorURL": true,
	"AuthnRequestsSigned": true, "WantAssertionsSigned": true,
	// md:KeyDescriptor, endpoints
	"use": true, "Binding": true, "Location": true, "ResponseLocation": true,
	"index": true, "isDefault": true,
	// ds:Signature
	"URI": true, "Type": true, "Id": true, "Algorithm": true, "PrefixList": true,
	// samlp:Response, saml:Assertion
	"Destination": true, "IssueInstant": true, "Version": true, "InResponseTo": true,
	"Consent": true, "Value": true, "Format": true, "NameQualifier": true,
	"SPNameQualifier": true, "SPProvidedID": true, "Method": true, "Recipient": true,
	"NotBefore": true, "NotOnOrAfter": true, "Address": true, "Name": true,
	"NameFormat": true, "FriendlyName": true, "AuthnInstant": true,
	"SessionIndex": true, "SessionNotOnOrAfter": true,
}

// decoyChecked are the namespaces whose elements get the decoy rule.
var decoyChecked = map[string]bool{
	NSMetadata: true, NSAssertion: true, NSProtocol: true, NSDSig: true,
	"http://www.w3.org/2001/10/xml-exc-c14n#": true,
}

func checkDecoyAttrs(el *node, tag string) error {
	if !decoyChecked[el.space] {
		return nil
	}
	for _, a := range el.attrs {
		if a.prefix != "" && a.space != nsXML && decoyNames[a.local] {
			return wrapf(ErrDecoy, "<%s> carries %s, a prefixed copy of the SAML attribute %s", tag, qname(a.prefix, a.local), a.local)
		}
	}
	return nil
}
