package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newResumeCmd(mode rotation.ResumeMode) *cobra.Command {
	var (
		journal, lockDir string
		breakLock        bool
	)
	use, short := "resume", "Continue an interrupted rotation from its journal"
	if mode == rotation.ResumeRollback {
		use, short = "rollback", "Undo every completed step of a journaled rotation"
	}
	cmd := &cobra.Command{
		Use:   use + " --journal FILE",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			rec, err := rotation.LoadJournal(journal)
			if err != nil {
				return err
			}
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			opts, err := rotation.OrgOptionsFrom(rec.State)
			if err != nil {
				return err
			}
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, append(opts, rotation.WithOrgLogger(b.log))...)
			if err != nil {
				return err
			}
			if lockDir == "" {
				lockDir = filepath.Dir(journal)
			}
			err = a.run(ctx, b, plan, lockDir, journal, 30*time.Minute, breakLock,
				func(r *rotation.Rotator) error { return r.Resume(ctx, rec, mode) }, rec.State)
			if err == nil && mode == rotation.ResumeRollback {
				fmt.Fprintln(a.stdout, "Rolled back: the org and IAM are as they were before the rotation.")
			}
			return err
		},
	}
	cmd.Flags().StringVar(&journal, "journal", "", "the journal file of the rotation")
	cmd.Flags().StringVar(&lockDir, "lock-dir", "", "directory of the lock files (default: the journal's directory)")
	cmd.Flags().BoolVar(&breakLock, "break-lock", false, "break the locks left by the interrupted process (only once sure it is gone)")
	_ = cmd.MarkFlagRequired("journal")
	return cmd
}
