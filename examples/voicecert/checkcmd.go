package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newCheckCmd() *cobra.Command {
	var (
		within = durationValue(30 * 24 * time.Hour)
		ccs    []string
		format string
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Report every contact center's signing certificate, its expiry and IAM agreement",
		Long: `check reads, without changing anything, each Amazon Connect contact center's effective
signing certificate (name, SHA-256 fingerprint, expiry, days left, key size), whether its
connected app is pinned to its own certificate, and whether the IAM SAML provider that trusts
it holds that certificate, and the certificate-usage view: for each certificate, every SAML app
that signs with it (contact center or not) and every IAM provider that trusts it, with what a
rotation would change, leave or break. Every reason for an unhealthy result is printed (a "!" line) and
is in the JSON's reasons.

check exits 1 when a certificate expires within --within, an app is pinned, or IAM disagrees
with Salesforce; an unknown --contact-center is a usage error.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "openmetrics" {
				return usageErr(fmt.Errorf("--format %q: want text or openmetrics", format))
			}
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			r, err := rotation.Check(cmd.Context(), b.idp, b.rp, func(o *rotation.CheckOptions) { o.ContactCenters = ccs })
			if err != nil {
				return err
			}
			res := newCheckResult(r, time.Duration(within))
			res.Usage = usageOf(cmd.Context(), b, ccs)
			a.result(res)
			if err := a.printCheck(cmd.Context(), b, format, r, res); err != nil {
				return err
			}
			if format == "text" {
				printUsage(a.out(), res.Usage)
			}
			if !res.Healthy {
				if format == "text" {
					fmt.Fprintf(a.out(), "Unhealthy: %d reason(s) above.\n", len(res.Reasons))
				}
				return silent(exitNo)
			}
			return nil
		},
	}
	addJSON(cmd)
	cmd.Flags().Var(&within, "within", "unhealthy when a certificate expires within this long (e.g. 30d, 720h)")
	cmd.Flags().StringSliceVar(&ccs, "contact-center", nil, "only these contact centers (internal names)")
	cmd.Flags().StringVar(&format, "format", "text", "text, or openmetrics: the exporter's metrics (docs/metrics.md) instead of the table")
	return cmd
}

// checkResult is the result of `check --json` (docs/schemas/check.schema.json).
type checkResult struct {
	Healthy bool   `json:"healthy"`
	Within  string `json:"within"`
	// Usage is the certificate-usage view of a rotation of the contact
	// centers checked; absent when the rotation cannot be planned.
	Usage *rotation.Usage `json:"usage,omitempty"`
	// Reasons lists every reason the result is unhealthy; empty when healthy.
	Reasons []checkReason    `json:"reasons"`
	Report  *rotation.Report `json:"report"`
}

type checkReason struct {
	ContactCenter string `json:"contactCenter"`
	Reason        string `json:"reason"`
}

// newCheckResult grades r against within, naming every reason, and drops
// the certificates' DER from the report.
func newCheckResult(r *rotation.Report, within time.Duration) *checkResult {
	r.Default.Certificate.DER = nil
	if r.ContactCenters == nil {
		r.ContactCenters = []rotation.ContactCenterStatus{}
	}
	res := &checkResult{Within: formatDuration(within), Reasons: []checkReason{}, Report: r}
	for i := range r.ContactCenters {
		c := &r.ContactCenters[i]
		c.Effective.Certificate.DER = nil
		if c.TrustCertificates == nil {
			c.TrustCertificates = []string{}
		}
		for _, p := range c.Problems {
			res.Reasons = append(res.Reasons, checkReason{c.ContactCenter.Name, p})
		}
		cert := c.Effective.Certificate
		if c.Effective.Level == rotation.LevelOK && cert.NotAfter.Sub(r.CheckedAt) <= within {
			res.Reasons = append(res.Reasons, checkReason{c.ContactCenter.Name, fmt.Sprintf("certificate %s expires %s, within --within %s (%d days left)",
				orDash(cert.Name), cert.NotAfter.Format(time.DateOnly), formatDuration(within), c.Effective.DaysLeft)})
		}
	}
	res.Healthy = len(res.Reasons) == 0 && r.Healthy(within)
	return res
}

func printReport(w io.Writer, r *rotation.Report, reasons []checkReason) error {
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
	for _, p := range reasons {
		fmt.Fprintf(w, "! %s: %s\n", p.ContactCenter, p.Reason)
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
