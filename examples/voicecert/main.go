// Command voicecert rotates the SAML signing certificate shared by a
// Salesforce org and the AWS IAM SAML providers of its Amazon Connect contact
// centers, and inspects the documents involved.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		os.Exit(1)
	}
}

// commands holds the constructors of the top-level subcommands. Each
// subcommand lives in its own file and registers itself with addCommand in
// an init function.
var commands []func() *cobra.Command

func addCommand(newCmd func() *cobra.Command) { commands = append(commands, newCmd) }

// newRootCmd builds the voicecert command with every registered subcommand.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "voicecert",
		Short:         "Rotate the SAML IdP certificate between Salesforce and AWS IAM",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}
