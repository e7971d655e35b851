package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation/sandbox"
)

// newSandboxAdminCmd is `voicecert sandbox admin`: the Salesforce admin's
// changes in Setup, made in a running sandbox through its admin endpoint.
func (a *app) newSandboxAdminCmd() *cobra.Command {
	client := &sandbox.AdminClient{}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Play the Salesforce admin in a running sandbox (the changes a person makes in Setup)",
		Long: `admin makes, in a running sandbox, the changes only the org's admin can make in Setup:
set a connected app's IdP Certificate (what a rotation asks a person to do for a pinned app),
or make it follow the org default again. It calls the sandbox's admin endpoint, which the
sandbox prints as VOICECERT_SANDBOX_ADMIN_URL and VOICECERT_SANDBOX_ADMIN_TOKEN with its other
export lines (--admin-url and --admin-token override them). For example, when rotate waits
for a person to set an app to a certificate:

    voicecert sandbox admin pin-app ContactCenter03_Connected_App voicecert_20260101T000000Z`,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&client.URL, "admin-url", "", "the sandbox's admin endpoint (env VOICECERT_SANDBOX_ADMIN_URL)")
	f.StringVar(&client.Token, "admin-token", "", "its bearer token (env VOICECERT_SANDBOX_ADMIN_TOKEN)")
	ready := func() error {
		client.URL = envOr(client.URL, "VOICECERT_SANDBOX_ADMIN_URL")
		client.Token = envOr(client.Token, "VOICECERT_SANDBOX_ADMIN_TOKEN")
		if client.URL == "" || client.Token == "" {
			return usageErr(errors.New("no sandbox admin endpoint: eval the export lines voicecert sandbox printed, or give --admin-url and --admin-token"))
		}
		return nil
	}
	exact := func(n int) cobra.PositionalArgs {
		return func(cmd *cobra.Command, args []string) error {
			if len(args) != n {
				return usageErr(fmt.Errorf("%s: want %d argument(s), got %d (usage: %s)", cmd.CommandPath(), n, len(args), cmd.UseLine()))
			}
			return nil
		}
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "pin-app APP CERTIFICATE",
		Short: "Set the connected app APP's IdP Certificate to CERTIFICATE, as in Setup",
		Args:  exact(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if err := client.PinApp(cmd.Context(), args[0], args[1]); err != nil {
				return withStatus(exitNo, err)
			}
			a.con.say("sandbox.admin", fmt.Sprintf("App %s now signs with %s.", args[0], args[1]), "app", args[0], "certificate", args[1])
			return nil
		},
	}, &cobra.Command{
		Use:   "follow-default APP",
		Short: "Set the connected app APP's IdP Certificate to the org default, as in Setup",
		Args:  exact(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if err := client.FollowDefault(cmd.Context(), args[0]); err != nil {
				return withStatus(exitNo, err)
			}
			a.con.say("sandbox.admin", fmt.Sprintf("App %s follows the org default.", args[0]), "app", args[0])
			return nil
		},
	}, &cobra.Command{
		Use:   "apps",
		Short: "List each connected app's IdP Certificate, and the org default",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := ready(); err != nil {
				return err
			}
			st, err := client.Apps(cmd.Context())
			if err != nil {
				return withStatus(exitNo, err)
			}
			fmt.Fprintf(a.stdout, "org default: %s\n", st.DefaultCertificate)
			for _, app := range slices.Sorted(maps.Keys(st.AppCertificates)) {
				how := "follows the default"
				if slices.Contains(st.Pinned, app) {
					how = "pinned"
				}
				fmt.Fprintf(a.stdout, "%-40s %s (%s)\n", app, st.AppCertificates[app], how)
			}
			return nil
		},
	})
	return cmd
}

// sandboxAdminExports are the export lines of a sandbox's admin endpoint.
func sandboxAdminExports(ad *sandbox.Admin) [][2]string {
	if ad == nil {
		return nil
	}
	return [][2]string{{"VOICECERT_SANDBOX_ADMIN_URL", ad.URL}, {"VOICECERT_SANDBOX_ADMIN_TOKEN", ad.Token}}
}
