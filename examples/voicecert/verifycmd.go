package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newVerifyCmd() *cobra.Command {
	var (
		allowSHA1 bool
		how       rotateFlags
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that sign-in works: each contact center's signed SAML Response verifies against IAM",
		Long: `verify checks, without changing anything, that Salesforce and IAM agree on each contact
center's signing certificate and that a SAML Response the org signs for each contact center's app
verifies against the metadata its IAM SAML provider holds; where the AWS backend can ask STS
(AssumeRoleWithSAML, one session per contact center in CloudTrail, its credentials discarded),
AWS's own verdict is shown beside the local one (--verify=local does not ask). verify exits 1
when one does not.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			vopts, err := how.verifyOptions()
			if err != nil {
				return usageErr(err)
			}
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			res := &verifyResult{ContactCenters: []verdict{}}
			failed, err := verifyAll(cmd.Context(), a.out(), b, allowSHA1, &res.ContactCenters, vopts...)
			if err != nil {
				return err
			}
			res.Verified = failed == 0
			a.result(res)
			if failed > 0 {
				return withStatus(exitNo, fmt.Errorf("%d contact center(s) do not verify", failed))
			}
			return nil
		},
	}
	addJSON(cmd)
	cmd.Flags().BoolVar(&allowSHA1, "allow-sha1", false, "accept SHA-1 signatures")
	cmd.Flags().StringVar(&how.verify, "verify", verifyFull, "full (each Response checked locally and by AWS STS), local (no STS session) or structural (certificate agreement only)")
	return cmd
}

// verifyResult is the result of `verify --json` (docs/schemas/verify.schema.json).
type verifyResult struct {
	Verified       bool      `json:"verified"`
	ContactCenters []verdict `json:"contactCenters"`
}

type verdict struct {
	ContactCenter string `json:"contactCenter"`
	OK            bool   `json:"ok"`
	Verdict       string `json:"verdict"`
	// Local and RelyingParty are the local check of the contact center's
	// Response and the relying party's (AWS STS's) verdict on it.
	Local        *rotation.LocalCheck    `json:"local,omitempty"`
	RelyingParty *rotation.SignInVerdict `json:"relyingParty,omitempty"`
}

// verifyAll prints one line per contact center, and every problem not
// tied to one, appends each contact center's verdict to verdicts when not
// nil, and returns how many failed. It runs the verification of the
// rotation's verify step (read-only).
func verifyAll(ctx context.Context, w io.Writer, b *backends, allowSHA1 bool, verdicts *[]verdict, opts ...rotation.OrgOption) (int, error) {
	plan, err := rotation.NewOrgPlan(b.idp, b.rp, append([]rotation.OrgOption{rotation.WithAllowSHA1(allowSHA1), rotation.WithOrgLogger(b.log)}, opts...)...)
	if err != nil {
		return 0, err
	}
	v, err := plan.Verify(ctx)
	if err != nil {
		return 0, err
	}
	failed, tied := 0, map[string]bool{}
	for _, c := range v.ContactCenters {
		verdict := "OK: IAM trusts the certificate the app signs with"
		if c.SignedBy != "" {
			verdict = "OK: signed Response verifies against IAM (signed by " + short(c.SignedBy) + ")"
		}
		if len(c.Problems) > 0 {
			failed++
			verdict = "FAIL: " + strings.Join(c.Problems, "; ")
			for _, p := range c.Problems {
				tied[p] = true
			}
		}
		fmt.Fprintf(w, "%-20s %s\n%-20s   local: %s; AWS: %s\n", c.ContactCenter.Name, verdict, "", c.Local, c.Verdict)
		if verdicts != nil {
			vd := verdictOf(c.ContactCenter.Name, verdict)
			vd.Local, vd.RelyingParty = &c.Local, &c.Verdict
			*verdicts = append(*verdicts, vd)
		}
	}
	for _, p := range v.Problems {
		if !tied[p] {
			failed++
			fmt.Fprintf(w, "! %s\n", p)
			if verdicts != nil {
				*verdicts = append(*verdicts, verdictOf("", "FAIL: "+p))
			}
		}
	}
	return failed, nil
}

func verdictOf(name, v string) verdict {
	return verdict{ContactCenter: name, OK: strings.HasPrefix(v, "OK"), Verdict: v}
}
