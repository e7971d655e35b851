package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newCheckCmd() *cobra.Command {
	var (
		asJSON bool
		within = durationValue(30 * 24 * time.Hour)
		ccs    []string
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Report every contact center's signing certificate, its expiry and IAM agreement",
		Long: `check reads, without changing anything, each Amazon Connect contact center's effective
signing certificate (name, SHA-256 fingerprint, expiry, days left, key size), whether its
connected app is pinned to its own certificate, and whether the IAM SAML provider that trusts
it holds that certificate.

Exit status: 0 healthy; 1 a certificate expires within --within, an app is pinned, or IAM
disagrees with Salesforce; 2 an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			r, err := rotation.Check(cmd.Context(), b.idp, b.rp, func(o *rotation.CheckOptions) { o.ContactCenters = ccs })
			if err != nil {
				return err
			}
			if asJSON {
				err = writeJSON(a.stdout, checkJSON(r, time.Duration(within)))
			} else {
				err = printReport(a.stdout, r)
			}
			if err != nil {
				return err
			}
			if !r.Healthy(time.Duration(within)) {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().Var(&within, "within", "unhealthy when a certificate expires within this long (e.g. 30d, 720h)")
	cmd.Flags().StringSliceVar(&ccs, "contact-center", nil, "only these contact centers (internal names)")
	return cmd
}

type checkOutput struct {
	Healthy bool             `json:"healthy"`
	Within  string           `json:"within"`
	Report  *rotation.Report `json:"report"`
}

func checkJSON(r *rotation.Report, within time.Duration) checkOutput {
	r.Default.Certificate.DER = nil
	for i := range r.ContactCenters {
		r.ContactCenters[i].Effective.Certificate.DER = nil
	}
	return checkOutput{Healthy: r.Healthy(within), Within: within.String(), Report: r}
}

func printReport(w io.Writer, r *rotation.Report) error {
	fmt.Fprintf(w, "Org IdP certificate: %s  %s  expires %s (%d days, %s)\n\n", r.Default.Certificate.Name,
		short(r.Default.Certificate.SHA256), r.Default.Certificate.NotAfter.Format(time.DateOnly), r.Default.DaysLeft, r.Default.Level)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTACT CENTER\tAPP\tCERTIFICATE\tSHA-256\tNOT AFTER\tDAYS\tLEVEL\tBITS\tPINNED\tIAM TRUST")
	for _, c := range r.ContactCenters {
		trust := "agrees"
		if !c.TrustAgrees {
			trust = "DISAGREES"
		}
		cert := c.Effective.Certificate
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%v\t%s\n", c.ContactCenter.Name, c.ContactCenter.App, orDash(cert.Name),
			short(cert.SHA256), cert.NotAfter.Format(time.DateOnly), c.Effective.DaysLeft, c.Effective.Level, cert.KeyBits, c.Pinned, trust)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range r.ContactCenters {
		for _, p := range c.Problems {
			fmt.Fprintf(w, "! %s: %s\n", c.ContactCenter.Name, p)
		}
	}
	return nil
}

func short(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "…"
	}
	return fp
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
