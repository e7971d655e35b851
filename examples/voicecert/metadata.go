package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/samlmeta"
)

func (a *app) newMetadataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metadata",
		Short: "Work with SAML IdP metadata documents",
	}
	cmd.AddCommand(a.newMetadataInspectCmd())
	return cmd
}

// metadataReport is what `metadata inspect --json` prints.
type metadataReport struct {
	EntityID            string              `json:"entityID"`
	ValidUntil          string              `json:"validUntil,omitempty"`
	Signed              bool                `json:"signed"`
	SSOServices         []samlmeta.Endpoint `json:"ssoServices"`
	NameIDFormats       []string            `json:"nameIDFormats"`
	SigningCertificates []certReport        `json:"signingCertificates"`
	IAMProblems         []string            `json:"iamProblems"`
}

type certReport struct {
	Subject   string `json:"subject"`
	Issuer    string `json:"issuer"`
	Serial    string `json:"serial"`
	SHA256    string `json:"sha256"`
	SHA1      string `json:"sha1"`
	NotBefore string `json:"notBefore"`
	NotAfter  string `json:"notAfter"`
	KeyAlg    string `json:"keyAlgorithm"`
	KeyBits   int    `json:"keyBits"`
	DaysLeft  int    `json:"daysLeft"`
}

func (a *app) newMetadataInspectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inspect [--json] FILE",
		Short: "Show the entityID, endpoints and signing certificates of a metadata file (- for stdin)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(fmt.Errorf("%s: want one FILE (or - for stdin), got %d arguments", cmd.CommandPath(), len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			doc, err := readInput(cmd.InOrStdin(), args[0])
			if err != nil {
				return usageErr(err)
			}
			rep, err := inspectMetadata(doc, time.Now())
			if err != nil {
				return err
			}
			a.result(rep)
			return printMetadataReport(a.out(), rep)
		},
	}
	addJSON(cmd)
	return cmd
}

func readInput(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(stdin, samlmeta.DefaultMaxSize+1))
	}
	return os.ReadFile(name)
}

func inspectMetadata(doc []byte, now time.Time) (*metadataReport, error) {
	m, err := samlmeta.Parse(doc)
	if err != nil {
		return nil, err
	}
	certs, err := m.SigningCertificates()
	if err != nil {
		return nil, err
	}
	rep := &metadataReport{
		EntityID:            m.EntityID(),
		Signed:              m.Signed(),
		SSOServices:         m.SSOServices(),
		NameIDFormats:       m.NameIDFormats(),
		SigningCertificates: []certReport{},
		IAMProblems:         []string{},
	}
	if rep.SSOServices == nil {
		rep.SSOServices = []samlmeta.Endpoint{}
	}
	if rep.NameIDFormats == nil {
		rep.NameIDFormats = []string{}
	}
	if vu := m.ValidUntil(); !vu.IsZero() {
		rep.ValidUntil = vu.Format(time.RFC3339Nano)
	}
	for _, c := range certs {
		rep.SigningCertificates = append(rep.SigningCertificates, certReport{
			Subject:   c.Subject,
			Issuer:    c.Issuer,
			Serial:    c.Serial,
			SHA256:    c.SHA256,
			SHA1:      c.SHA1,
			NotBefore: c.NotBefore.Format(time.RFC3339),
			NotAfter:  c.NotAfter.Format(time.RFC3339),
			KeyAlg:    c.KeyAlgorithm,
			KeyBits:   c.KeyBits,
			DaysLeft:  int(c.NotAfter.Sub(now).Hours() / 24),
		})
	}
	if err := samlmeta.ValidateIAM(doc, now); err != nil {
		rep.IAMProblems = append(rep.IAMProblems, err.Error())
	}
	return rep, nil
}

func printMetadataReport(w io.Writer, rep *metadataReport) error {
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(w, format, args...) }
	p("entityID:    %s\n", rep.EntityID)
	if rep.ValidUntil != "" {
		p("validUntil:  %s\n", rep.ValidUntil)
	}
	p("signed:      %t\n", rep.Signed)
	for _, e := range rep.SSOServices {
		p("SSO:         %s %s\n", e.Binding, e.Location)
	}
	for _, f := range rep.NameIDFormats {
		p("NameIDFormat: %s\n", f)
	}
	for i, c := range rep.SigningCertificates {
		p("certificate %d:\n  subject:  %s\n  sha256:   %s\n  notAfter: %s (%d days left)\n  key:      %s %d bits\n",
			i+1, c.Subject, c.SHA256, c.NotAfter, c.DaysLeft, c.KeyAlg, c.KeyBits)
	}
	if len(rep.IAMProblems) == 0 {
		p("AWS IAM:     acceptable\n")
	}
	for _, pr := range rep.IAMProblems {
		p("AWS IAM:     %s\n", pr)
	}
	return nil
}
