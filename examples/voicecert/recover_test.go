package main

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// crashAfter is a journal whose writer dies (as a killed process would:
// no rollback, no further write) right after it records step done.
type crashAfter struct {
	rotation.Journal
	step string
}

func (j crashAfter) Save(ctx context.Context, rec *rotation.JournalRecord) error {
	if err := j.Journal.Save(ctx, rec); err != nil {
		return err
	}
	if i := slices.IndexFunc(rec.Steps, func(s rotation.StepRecord) bool { return s.Name == j.step }); rec.Steps[i].Status == rotation.StepDone {
		runtime.Goexit()
	}
	return nil
}

// A tool with a step of its own (after trust) dies after stage; the CLI,
// which does not know that step, rolls the rotation back (it used to refuse
// the journal: "plan does not match the journal"), and says which step it
// lacks to resume it.
func TestCLIRecoversJournalOfToolWithCustomStep(t *testing.T) {
	w := sandboxEnv(t, sandbox.Options{Pinned: -1})
	before := w.Snapshot()
	dir := t.TempDir()
	plan, err := rotation.NewOrgPlan(w.IdP, w.RP, rotation.WithKeyBits(2048))
	require.NoError(t, err)
	st := plan.NewState("tool")
	journal := filepath.Join(dir, "rotation-"+st.ID+".json")
	ticket := rotation.StepFunc("ticket", "open a change ticket", func(context.Context, *rotation.State) error { return nil }, nil)
	r, err := rotation.New(plan.Steps(), rotation.WithStepAfter(rotation.StepTrust, ticket),
		rotation.WithJournal(crashAfter{rotation.FileJournal(journal), rotation.StepStage}))
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(t.Context(), st); t.Error("the tool should have died") }()
	<-done
	require.NotEqual(t, before, w.Snapshot(), "stage made a certificate")

	out, errOut, code := cli(t, "", "resume", "--journal", journal)
	assert.Equal(t, exitApplied, code, "the stage is still applied: %s\n%s", out, errOut)
	assert.Contains(t, errOut, "steps the journal needs and were not given: ticket")
	assert.Contains(t, errOut, "Finish with: voicecert rollback")
	assert.NotEqual(t, before, w.Snapshot(), "refused before any change")

	out, errOut, code = cli(t, "", "rollback", "--journal", journal)
	require.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Equal(t, before, w.Snapshot())
}
