package evidence

import (
	"fmt"
	"maps"
	"slices"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
	"github.com/voicecert/voicecert/samlmeta"
)

// stateDiff lists the differences between two world states.
func stateDiff(a, b sandbox.Snapshot) []string {
	var d []string
	if a.Org.DefaultCertificate != b.Org.DefaultCertificate {
		d = append(d, fmt.Sprintf("default certificate %q -> %q", a.Org.DefaultCertificate, b.Org.DefaultCertificate))
	}
	if !maps.Equal(a.Org.Certificates, b.Org.Certificates) {
		d = append(d, fmt.Sprintf("certificates %v -> %v", slices.Sorted(maps.Keys(a.Org.Certificates)), slices.Sorted(maps.Keys(b.Org.Certificates))))
	}
	if !maps.Equal(a.Org.AppCertificates, b.Org.AppCertificates) {
		d = append(d, fmt.Sprintf("app certificates %v -> %v", a.Org.AppCertificates, b.Org.AppCertificates))
	}
	for _, arn := range slices.Sorted(maps.Keys(a.IAM)) {
		if a.IAM[arn] != b.IAM[arn] {
			d = append(d, "IAM document of "+arn+" changed")
		}
	}
	if len(a.IAM) != len(b.IAM) {
		d = append(d, fmt.Sprintf("%d IAM providers -> %d", len(a.IAM), len(b.IAM)))
	}
	return d
}

// rotatedProblems lists how now differs from the fully rotated state of
// rotation id started from initial: the org default and every app on the
// new certificate named after id, the certificates those of initial plus
// the new one, and each in-scope IAM document the original with its signing
// certificates replaced by exactly the new one (byte for byte), every other
// document unchanged.
func rotatedProblems(initial, now sandbox.Snapshot, id string, trusts []string) []string {
	var p []string
	name := rotation.CertificateName(id)
	fp, ok := now.Org.Certificates[name]
	if !ok {
		return []string{"no certificate " + name}
	}
	if now.Org.DefaultCertificate != name {
		p = append(p, fmt.Sprintf("default certificate is %q, want %q", now.Org.DefaultCertificate, name))
	}
	for _, app := range slices.Sorted(maps.Keys(initial.Org.AppCertificates)) {
		if got := now.Org.AppCertificates[app]; got != name {
			p = append(p, fmt.Sprintf("app %s signs with %q, want %q", app, got, name))
		}
	}
	if len(now.Org.AppCertificates) != len(initial.Org.AppCertificates) {
		p = append(p, "the set of apps changed")
	}
	want := maps.Clone(initial.Org.Certificates)
	want[name] = fp
	if !maps.Equal(want, now.Org.Certificates) {
		p = append(p, fmt.Sprintf("certificates are %v, want the initial ones plus %s", slices.Sorted(maps.Keys(now.Org.Certificates)), name))
	}
	if slices.Contains(slices.Collect(maps.Values(initial.Org.Certificates)), fp) {
		p = append(p, "the new certificate has the fingerprint of an old one")
	}
	for _, arn := range slices.Sorted(maps.Keys(initial.IAM)) {
		orig, got := initial.IAM[arn], now.IAM[arn]
		if !slices.Contains(trusts, arn) {
			if orig != got {
				p = append(p, "out-of-scope IAM document "+arn+" changed")
			}
			continue
		}
		if problem := rotatedDocProblem([]byte(orig), []byte(got), fp); problem != "" {
			p = append(p, arn+": "+problem)
		}
	}
	return p
}

// rotatedDocProblem checks that got is orig with its signing certificates
// replaced by exactly the certificate with fingerprint fp (and, as
// anything else is refused by samlmeta.Diff, at most its validUntil
// changed).
func rotatedDocProblem(orig, got []byte, fp string) string {
	gm, err := samlmeta.Parse(got)
	if err != nil {
		return "unparseable: " + err.Error()
	}
	certs, err := gm.SigningCertificates()
	if err != nil {
		return err.Error()
	}
	if len(certs) != 1 || certs[0].SHA256 != fp {
		fps := make([]string, len(certs))
		for i, c := range certs {
			fps[i] = c.SHA256
		}
		return fmt.Sprintf("signing certificates %v, want only %s", fps, fp)
	}
	om, err := samlmeta.Parse(orig)
	if err != nil {
		return "original unparseable: " + err.Error()
	}
	if ch := samlmeta.Diff(om, gm); !ch.OnlyKeys() {
		return "more than keys changed: " + ch.String()
	}
	if err := om.SetSigningCertificates(certs[0]); err != nil {
		return err.Error()
	}
	// The rotation writes the validUntil of the IdP's metadata, not the
	// stored one (rotation's TestOrgPlanTakesValidUntilFromTheIdP).
	om.SetValidUntil(gm.ValidUntil())
	if string(om.Bytes()) != string(got) {
		return "not byte for byte the original with the new signing certificate"
	}
	return ""
}

// requireState fails unless the world is in state want ("initial" or
// "rotated" by id).
