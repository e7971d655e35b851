package main

import (
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

// app is the state of one invocation shared by the org commands: the
// connection flags, the streams and the clock.
type app struct {
	conn   connection
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time

	// logLevelSet reports that the user asked for logs explicitly.
	logLevelSet bool
}

// installOrgCommands adds the commands that talk to an org and its AWS
// accounts, and the flags that say how to reach them.
func installOrgCommands(root *cobra.Command) {
	a := &app{now: time.Now, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	a.conn.addFlags(root)
	prev := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		a.stdin, a.stdout, a.stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
		if len(a.conn.awsProfiles) == 0 {
			if v := os.Getenv("VOICECERT_AWS_PROFILES"); v != "" {
				a.conn.awsProfiles = strings.Split(v, ",")
			}
		}
		if prev != nil {
			return prev(cmd, args)
		}
		return nil
	}
	root.AddCommand(a.newCheckCmd(), a.newPlanCmd(), a.newRotateCmd(), a.newVerifyCmd(),
		a.newResumeCmd(rotation.ResumeContinue), a.newResumeCmd(rotation.ResumeRollback),
		a.newDemoCmd(), a.newSandboxCmd())
}
