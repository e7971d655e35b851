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
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	in := newInterrupts()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			in.deliver(s)
		}
	}()
	os.Exit(run(withInterrupts(context.Background(), in), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status of the
// contract (see exitContract).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root, a := newRootCmd()
	a.args = args
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	a.stdin, a.stdout = stdin, stdout
	a.con = newConsole(stderr, logFormatJSON(args))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if in := interruptsFrom(ctx); in != nil {
		go func() {
			select {
			case <-in.first:
				cancel(in.cause())
			case <-ctx.Done():
			}
		}()
	}
	err := root.ExecuteContext(ctx)
	if err != nil && !a.started {
		// cobra refused the command line before any command ran.
		err = usageErr(err)
	}
	var ie *interruptedError
	if ee := (*exitErr)(nil); err != nil && !errors.As(err, &ee) && errors.As(context.Cause(ctx), &ie) {
		err = withStatus(exitNo, fmt.Errorf("%w: stopped before changing anything", ie))
	}
	err = a.explainAccessDenied(ctx, err)
	code := exitStatus(err)
	var ee *exitErr
	if err != nil && !(errors.As(err, &ee) && ee.reported) {
		a.con.failure(err)
	}
	if a.json != nil {
		if jerr := a.json.write(a.stdout, code, err); jerr != nil && code == exitOK {
			code = exitError
		}
	}
	return code
}

// newRootCmd builds the voicecert command with every subcommand, and the
// app they share.
func newRootCmd() (*cobra.Command, *app) {
	root := &cobra.Command{
		Use:           "voicecert",
		Short:         "Rotate the SAML IdP certificate between Salesforce and AWS IAM",
		Long:          "voicecert rotates the SAML IdP certificate between Salesforce and AWS IAM.\n\n" + exitContract,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	a := newApp()
	root.AddCommand(a.newMetadataCmd())
	a.installOrgCommands(root)
	root.AddCommand(a.newDoctorCmd())
	root.AddCommand(a.newExporterCmd())
	for _, c := range root.Commands() {
		addContract(c)
	}
	return root, a
}

// addContract appends the exit-status contract to the help of cmd and of
// its subcommands, unless cmd's help already states it.
func addContract(cmd *cobra.Command) {
	if cmd.Runnable() {
		if cmd.Long == "" {
			cmd.Long = cmd.Short + "."
		}
		cmd.Long += "\n\n" + exitContract
	}
	for _, c := range cmd.Commands() {
		addContract(c)
	}
}

// noArgs refuses positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(errors.New(cmd.CommandPath() + ": unexpected argument " + quoteArgs(args) + " (flags take their value as --flag value or --flag=value)"))
	}
	return nil
}

// logFormatJSON reports whether args ask for --log-format json, so that even
// an error cobra finds in the command line is a JSON line.
func logFormatJSON(args []string) bool {
	for i, a := range args {
		if a == "--log-format=json" || a == "--log-format" && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}
