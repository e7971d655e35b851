package main

import (
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

// app is the state of one invocation shared by the commands: the
// connection flags, the streams, the clock, and what --json prints.
type app struct {
	conn   connection
	stdin  io.Reader
	stdout io.Writer
	// con is stderr: progress, notices and the final error, as text or JSON
	// lines (--log-format).
	con *console
	now func() time.Time
	// args is the command line, for the commands voicecert tells a person
	// to run next.
	args []string
	// started reports that a command's own code ran (cobra accepted the
	// command line).
	started bool
	// json is the envelope --json prints, nil without --json.
	json *envelope

	// logLevelSet reports that the user asked for logs explicitly.
	logLevelSet bool
}

func newApp() *app {
	return &app{now: time.Now, stdin: os.Stdin, stdout: os.Stdout, con: newConsole(os.Stderr, false)}
}

// installOrgCommands adds the commands that talk to an org and its AWS
// accounts, and the flags that say how to reach them.
func (a *app) installOrgCommands(root *cobra.Command) {
	a.conn.addFlags(root)
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		a.started = true
		a.stdin, a.stdout = cmd.InOrStdin(), cmd.OutOrStdout()
		if err := a.conn.validate(); err != nil {
			return err
		}
		a.con = newConsole(cmd.ErrOrStderr(), a.conn.logFormat == "json")
		a.logLevelSet = cmd.Flags().Changed("log-level")
		a.wantJSON(cmd)
		if len(a.conn.awsProfiles) == 0 {
			if v := os.Getenv("VOICECERT_AWS_PROFILES"); v != "" {
				a.conn.awsProfiles = strings.Split(v, ",")
			}
		}
		return nil
	}
	root.AddCommand(a.newCheckCmd(), a.newPlanCmd(), a.newRotateCmd(), a.newVerifyCmd(),
		a.newResumeCmd(rotation.ResumeContinue), a.newResumeCmd(rotation.ResumeRollback),
		a.newDemoCmd(), a.newSandboxCmd())
}
