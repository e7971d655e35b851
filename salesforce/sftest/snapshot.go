package sftest

import "slices"

// Snapshot is the org's signing configuration at one moment, comparable
// with assert.Equal. rotationtest.IdPSnapshot has the same fields.
type Snapshot struct {
	// DefaultCertificate is IdentityProviderSettings.certificateName.
	DefaultCertificate string
	// Certificates maps each certificate's unique name to the SHA-256
	// fingerprint of its DER (upper-case hex pairs joined by ':').
	Certificates map[string]string
	// AppCertificates maps each connected app's and External Client App's
	// name to the name of the certificate it signs with ("" when it follows
	// a default that is unset).
	AppCertificates map[string]string
	// Pinned lists the apps that name their own certificate, sorted.
	Pinned []string
}

// Snapshot returns a copy of the org's signing configuration.
func (o *Org) Snapshot() Snapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := Snapshot{
		DefaultCertificate: o.st.idpCert,
		Certificates:       map[string]string{},
		AppCertificates:    map[string]string{},
	}
	for n, c := range o.st.certs {
		s.Certificates[n] = c.cert.SHA256
	}
	for _, apps := range []map[string]*connectedApp{o.st.apps, o.st.ecas} {
		for n, a := range apps {
			s.AppCertificates[n] = o.st.effectiveCert(a)
			if a.pinned != "" {
				s.Pinned = append(s.Pinned, n)
			}
		}
	}
	slices.Sort(s.Pinned)
	return s
}

// MetadataURL returns the app's metadata discovery endpoint,
// <URL>/.well-known/samlidp/<appName>.xml.
func (o *Org) MetadataURL(appName string) string {
	return o.URL() + "/.well-known/samlidp/" + appName + ".xml"
}

// OrgMetadataURL returns the org-wide IdP metadata endpoint,
// <URL>/.well-known/samlidp.xml.
func (o *Org) OrgMetadataURL() string { return o.URL() + "/.well-known/samlidp.xml" }

// effectiveCert is the name of the certificate the app signs with.
func (s *state) effectiveCert(a *connectedApp) string {
	if a.pinned != "" {
		return a.pinned
	}
	return s.idpCert
}
