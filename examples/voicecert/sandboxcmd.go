package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

func (a *app) newSandboxCmd() *cobra.Command {
	var (
		n, accounts     int
		pinned          int
		orgAddr, iamAdr string
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the demo's fake org and IAM until interrupted, printing how to reach them",
		Long: `sandbox starts the same fakes as demo, seeded the same way, prints shell lines to eval
(Salesforce instance URL and token, IAM endpoint, AWS keys, an AWS config file with one
profile per account, and the admin endpoint that "voicecert sandbox admin" calls to play the
Salesforce admin at a pinned app's manual gate), and serves until interrupted. Each fake listens on its own address
(--addr for the org, --iam-addr for IAM; port 0, the default, takes any free port); the
addresses bound are in the printed lines and on stderr. Point sf, aws, other clients or your
own code at it, for example:

    voicecert sandbox > /tmp/sandbox.env &
    until grep -q VOICECERT_AWS_PROFILES /tmp/sandbox.env 2>/dev/null; do sleep 0.2; done
    . /tmp/sandbox.env
    voicecert check`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			log, err := a.conn.logger(a.con.writer())
			if err != nil {
				return err
			}
			orgL, err := listen("--addr", orgAddr)
			if err != nil {
				return usageErr(err)
			}
			iamL, err := listen("--iam-addr", iamAdr)
			if err != nil {
				orgL.Close()
				return usageErr(err)
			}
			if pinned < 0 {
				orgL.Close()
				iamL.Close()
				return usageErr(fmt.Errorf("--pinned %d: want 0 or more", pinned))
			}
			if pinned == 0 {
				pinned = -1 // sandbox.Options: none
			}
			w, err := sandbox.Start(ctx, sandbox.Options{ContactCenters: n, Accounts: accounts, Pinned: pinned, Logger: log,
				OrgListener: orgL, IAMListener: iamL})
			if err != nil {
				orgL.Close()
				iamL.Close()
				return usageErr(err)
			}
			defer w.Close()
			admin, err := w.StartAdmin(nil)
			if err != nil {
				return err
			}
			defer admin.Close()
			dir, err := os.MkdirTemp("", "voicecert-sandbox-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			a.con.say("sandbox.started", fmt.Sprintf("sandbox: fake Salesforce org at %s, fake IAM at %s", w.Org.URL(), w.IAM.URL()),
				"org", w.Org.URL(), "iam", w.IAM.URL())
			if err := writeSandboxEnv(a.stdout, w, admin, dir); err != nil {
				return err
			}
			<-ctx.Done()
			a.con.say("sandbox.stopped", "sandbox stopped")
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "contact-centers", 3, "how many contact centers to seed")
	cmd.Flags().IntVar(&accounts, "accounts", 2, "how many AWS accounts they spread over")
	cmd.Flags().IntVar(&pinned, "pinned", 1, "how many contact centers (the last ones) pin their own certificate, each a manual gate of a rotation (0 for none)")
	cmd.Flags().StringVar(&orgAddr, "addr", "127.0.0.1:0", "HOST:PORT the fake Salesforce org listens on (port 0: any free port)")
	cmd.Flags().StringVar(&iamAdr, "iam-addr", "127.0.0.1:0", "HOST:PORT the fake IAM listens on (port 0: any free port)")
	cmd.AddCommand(a.newSandboxAdminCmd())
	return cmd
}

// listen listens on addr, the value of flag, and says which flag an error
// is about.
func listen(flag, addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, addr, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, addr, err)
	}
	return l, nil
}

// writeSandboxEnv prints the shell lines that point clients at w and its
// admin endpoint (when not nil), and writes an AWS shared config with a
// profile per account into dir.
func writeSandboxEnv(out io.Writer, w *sandbox.World, admin *sandbox.Admin, dir string) error {
	var cfg, creds strings.Builder
	var profiles []string
	accts := append([]string(nil), w.Accounts...)
	sort.Strings(accts)
	for _, acct := range accts {
		p := "sandbox-" + acct
		fmt.Fprintf(&cfg, "[profile %s]\nregion = us-east-1\nendpoint_url = %s\n\n", p, w.IAM.URL())
		fmt.Fprintf(&creds, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n", p, w.Credentials[acct][0], w.Credentials[acct][1])
		profiles = append(profiles, acct+"="+p)
	}
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(cfgFile, []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(credFile, []byte(creds.String()), 0o600); err != nil {
		return err
	}
	first := w.Credentials[accts[0]]
	for _, kv := range append([][2]string{
		{"SALESFORCE_INSTANCE_URL", w.Org.URL()},
		{"SALESFORCE_ACCESS_TOKEN", w.Org.AccessToken()},
		{"SALESFORCE_API_VERSION", "66.0"},
		{"AWS_ENDPOINT_URL_IAM", w.IAM.URL()},
		{"AWS_ENDPOINT_URL_STS", w.STSURL()},
		{"AWS_ACCESS_KEY_ID", first[0]},
		{"AWS_SECRET_ACCESS_KEY", first[1]},
		{"AWS_REGION", "us-east-1"},
		{"AWS_DEFAULT_REGION", "us-east-1"}, // the aws CLI v1 reads only this one
		{"AWS_CONFIG_FILE", cfgFile},
		{"AWS_SHARED_CREDENTIALS_FILE", credFile},
	}, append(sandboxAdminExports(admin),
		// The last line: once it is there, every line is.
		[2]string{"VOICECERT_AWS_PROFILES", strings.Join(profiles, ",")})...) {
		fmt.Fprintf(out, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	return nil
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
