package rotation_test

import (
	"context"
	"fmt"

	"github.com/voicecert/voicecert/rotation"
)

// A tool's rotation with a step of its own (ticket) died during trust; the
// tool passes its steps in any order, and Resume runs them in the
// journal's. RollBack of the same journal without the ticket step works
// too, since that step never started and has nothing to undo.
func ExampleResume() {
	crashed := func() rotation.Journal {
		j := rotation.NewMemoryJournal()
		_ = j.Create(context.Background(), &rotation.JournalRecord{
			Version: rotation.JournalVersion, RotationID: "r-1",
			State:  &rotation.State{ID: "r-1", Target: "00D000000000001"},
			Status: rotation.StatusRunning,
			Steps: []rotation.StepRecord{
				{Name: "stage", Status: rotation.StepDone},
				{Name: "trust", Status: rotation.StepRunning},
				{Name: "ticket", Status: rotation.StepPending},
				{Name: "activate", Status: rotation.StepPending},
			},
		})
		return j
	}
	orgSteps := []rotation.Step{printStep("stage"), printStep("trust"), printStep("activate")}

	fmt.Println("resume:")
	if err := rotation.Resume(context.Background(), crashed(), append(orgSteps, printStep("ticket"))); err != nil {
		fmt.Println(err)
	}
	fmt.Println("roll back without the ticket step:")
	if err := rotation.RollBack(context.Background(), crashed(), orgSteps); err != nil {
		fmt.Println(err)
	}
	// Output:
	// resume:
	// apply trust
	// apply ticket
	// apply activate
	// roll back without the ticket step:
	// rollback trust
	// rollback stage
}
