package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/samlmeta"
)

func (a *app) newVerifyCmd() *cobra.Command {
	var allowSHA1 bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check that sign-in works: each contact center's signed SAML Response verifies against IAM",
		Long: `verify checks, without changing anything, that Salesforce and IAM agree on each contact
center's signing certificate and that a SAML Response the org signs for each contact center's app
verifies against the metadata its IAM SAML provider holds. verify exits 1 when one does not.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := a.connect(cmd.Context())
			if err != nil {
				return err
			}
			res := &verifyResult{ContactCenters: []verdict{}}
			failed, err := verifyAll(cmd.Context(), a.out(), b, allowSHA1, &res.ContactCenters)
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
}

// verifyAll prints one line per contact center, appends it to verdicts
// when not nil, and returns how many failed.
func verifyAll(ctx context.Context, w io.Writer, b *backends, allowSHA1 bool, verdicts *[]verdict) (int, error) {
	r, err := rotation.Check(ctx, b.idp, b.rp)
	if err != nil {
		return 0, err
	}
	lt, canLogin := b.idp.(rotation.LoginTester)
	var opts []samlmeta.VerifyOption
	if allowSHA1 {
		opts = append(opts, samlmeta.AllowSHA1())
	}
	failed := 0
	for _, c := range r.ContactCenters {
		cc := c.ContactCenter
		verdict := "OK"
		switch {
		case !c.TrustAgrees:
			verdict = "FAIL: IAM does not trust the certificate the app signs with"
		case canLogin:
			snap, err := b.rp.Trust(ctx, cc.Trust)
			if err != nil {
				return 0, err
			}
			resp, err := lt.SAMLResponse(ctx, cc.App)
			if err != nil {
				return 0, err
			}
			a, err := samlmeta.VerifyResponseWithMetadata([]byte(resp), snap.Document, opts...)
			if err != nil {
				verdict = "FAIL: " + err.Error()
			} else {
				verdict = "OK: signed Response verifies against IAM (signed by " + short(a.SignedBy.SHA256) + ")"
			}
		}
		if !strings.HasPrefix(verdict, "OK") {
			failed++
		}
		if verdicts != nil {
			*verdicts = append(*verdicts, verdictOf(cc.Name, verdict))
		}
		fmt.Fprintf(w, "%-20s %s\n", cc.Name, verdict)
	}
	return failed, nil
}

func verdictOf(name, v string) verdict {
	return verdict{ContactCenter: name, OK: strings.HasPrefix(v, "OK"), Verdict: v}
}
