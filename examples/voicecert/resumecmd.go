package main

import (
	"context"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
)

func (a *app) newResumeCmd(mode rotation.ResumeMode) *cobra.Command {
	var (
		journal string
		rf      runFlags
	)
	use, short, name := "resume", "Continue an interrupted rotation from its journal", "resume"
	if mode == rotation.ResumeRollback {
		use, short, name = "rollback", "Undo every completed step of a journaled rotation", "rollback"
	}
	cmd := &cobra.Command{
		Use:   use + " --journal FILE",
		Short: short,
		Long: short + `. --journal is the journal file a rotate printed ("Journal: …"), in its
--journal-dir. Ctrl-C behaves as in rotate.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			rec, err := rotation.LoadJournal(journal)
			if err != nil {
				return usageErr(err)
			}
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			opts, err := rotation.OrgOptionsFrom(rec.State)
			if err != nil {
				return usageErr(err)
			}
			history := rotation.WithHistory(rotation.JournalDir(filepath.Dir(journal)))
			plan, err := rotation.NewOrgPlan(b.idp, b.rp, append(opts, rotation.WithOrgLogger(b.log), history)...)
			if err != nil {
				return usageErr(err)
			}
			res := &runResult{Outcome: "refused", Steps: []stepTiming{}}
			a.result(res)
			o := plan.Options()
			spec := runSpec{mode: name, journal: journal, lockDir: rf.lockDir, flags: rf, deleteOld: o.DeleteOld, soak: o.Soak}
			if spec.lockDir == "" {
				spec.lockDir = filepath.Join(filepath.Dir(journal), "locks")
			}
			finish := rotation.Resume
			if mode == rotation.ResumeRollback {
				finish = rotation.RollBack
			}
			// The journal's steps are matched by name: a journal of a tool
			// with steps of its own rolls back here when those have nothing
			// to undo. The record loaded above is the one resumed, so that
			// its State is the one reported.
			j := loadedJournal{Journal: rotation.FileJournal(journal), rec: rec}
			return a.runRotation(ctx, b, plan, spec, func(ctx context.Context, steps []rotation.Step, opts []rotation.Option) error {
				return finish(ctx, j, steps, opts...)
			}, rec.State, res)
		},
	}
	addJSON(cmd)
	rf.add(cmd)
	cmd.Flags().StringVar(&journal, "journal", "", "the journal file of the rotation")
	_ = cmd.MarkFlagRequired("journal")
	return cmd
}

// loadedJournal is a file journal whose record was loaded already.
type loadedJournal struct {
	rotation.Journal
	rec *rotation.JournalRecord
}

func (j loadedJournal) Load(context.Context) (*rotation.JournalRecord, error) { return j.rec, nil }
