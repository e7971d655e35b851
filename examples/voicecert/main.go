// Command voicecert rotates the SAML signing certificate shared by a
// Salesforce org and the AWS IAM SAML providers of its Amazon Connect contact
// centers, and inspects the documents involved.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status: 0
// success, 1 a negative answer (unhealthy check, failed and rolled-back
// rotation), 2 an error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SilenceErrors = true
	err := root.ExecuteContext(ctx)
	var ee *exitError
	if err != nil && !(errors.As(err, &ee) && ee.err == nil) {
		fmt.Fprintln(stderr, "voicecert:", err)
	}
	return exitStatus(err)
}

// newRootCmd builds the voicecert command with every subcommand.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "voicecert",
		Short:         "Rotate the SAML IdP certificate between Salesforce and AWS IAM",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.AddCommand(newMetadataCmd())
	installOrgCommands(root)
	return root
}
