package rotation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/rotationmock"
)

// TestPlanIsADryRun builds the test plan on mocks that expect nothing: any
// provider call, mutating or not, fails the test. A mocked user step
// expects only Name and Describe.
func TestPlanIsADryRun(t *testing.T) {
	ctrl := gomock.NewController(t)
	w := &mockWorld{idp: rotationmock.NewMockIdentityProvider(ctrl), rp: rotationmock.NewMockRelyingParty(ctrl)}
	hook := rotationmock.NewMockStep(ctrl)
	hook.EXPECT().Name().Return("approval").AnyTimes()
	hook.EXPECT().Describe().Return("wait for the change ticket").Times(1)

	r, err := rotation.New(w.steps(), rotation.WithStepBefore("activate", hook))
	require.NoError(t, err)
	plan := r.Plan()
	names := make([]string, len(plan))
	for i, p := range plan {
		names[i] = p.Name
		assert.NotEmpty(t, p.Description)
	}
	assert.Equal(t, []string{"preflight", "stage", "trust", "approval", "activate", "pin", "retire"}, names)
	assert.Equal(t, "wait for the change ticket", plan[3].Description)
}

// mockWorld gives the test plan mocked providers.
type mockWorld struct {
	idp *rotationmock.MockIdentityProvider
	rp  *rotationmock.MockRelyingParty
}

// steps are the fixture's steps wired to the mocks through a world whose
// fakes are replaced: the plan's shape is the same.
func (m *mockWorld) steps() []rotation.Step {
	var steps []rotation.Step
	for _, s := range (&world{}).steps() {
		steps = append(steps, rotation.StepFunc(s.Name(), s.Describe(),
			func(ctx context.Context, st *rotation.State) error {
				_, err := m.idp.SigningState(ctx)
				if err == nil {
					_, err = m.rp.Trust(ctx, rotation.TrustRef{})
				}
				return err
			},
			func(ctx context.Context, _ *rotation.State) error {
				return m.idp.SetDefaultCertificate(ctx, "old")
			}))
	}
	return steps
}

func TestRunWithMocks(t *testing.T) {
	ctrl := gomock.NewController(t)
	w := &mockWorld{idp: rotationmock.NewMockIdentityProvider(ctrl), rp: rotationmock.NewMockRelyingParty(ctrl)}
	obs := rotationmock.NewMockObserver(ctrl)
	journal := rotationmock.NewMockJournal(ctrl)
	failed := errors.New("throttled for good")

	gomock.InOrder(
		w.idp.EXPECT().SigningState(gomock.Any()).Return(rotation.SigningState{}, nil),
		w.rp.EXPECT().Trust(gomock.Any(), rotation.TrustRef{}).Return(rotation.TrustSnapshot{}, nil),
		w.idp.EXPECT().SigningState(gomock.Any()).Return(rotation.SigningState{}, failed),
		w.idp.EXPECT().SetDefaultCertificate(gomock.Any(), "old").Return(nil).Times(2),
	)
	obs.EXPECT().Observe(gomock.Any(), gomock.Cond(func(e rotation.Event) bool {
		return e.Type == rotation.EventStepFailed && e.Step == "stage" && errors.Is(e.Err, failed)
	})).Times(1)
	obs.EXPECT().Observe(gomock.Any(), gomock.Any()).AnyTimes()
	journal.EXPECT().Create(gomock.Any(), gomock.Any()).Return(nil)
	journal.EXPECT().Save(gomock.Any(), gomock.Any()).Return(nil).MinTimes(4)

	r, err := rotation.New(w.steps(), rotation.WithObserver(obs), rotation.WithJournal(journal))
	require.NoError(t, err)
	err = r.Run(t.Context(), &rotation.State{})
	require.ErrorIs(t, err, failed)
	var re *rotation.RotationError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, []string{"stage", "preflight"}, re.Undone)
}

func TestLockerErrors(t *testing.T) {
	var log []string
	steps := []rotation.Step{noop("a", &log)}
	t.Run("every key, sorted, released in reverse", func(t *testing.T) {
		ctrl := gomock.NewController(t)
		locker := rotationmock.NewMockLocker(ctrl)
		l1, l2 := rotationmock.NewMockLock(ctrl), rotationmock.NewMockLock(ctrl)
		gomock.InOrder(
			locker.EXPECT().Lock(gomock.Any(), "k1").Return(l1, nil),
			locker.EXPECT().Lock(gomock.Any(), "k2").Return(l2, nil),
			l2.EXPECT().Unlock(gomock.Any()).Return(nil),
			l1.EXPECT().Unlock(gomock.Any()).Return(errors.New("unlock failed: logged")),
		)
		r, err := rotation.New(steps, rotation.WithLocker(locker, "k2", "k1", "k2"))
		require.NoError(t, err)
		require.NoError(t, r.Run(t.Context(), &rotation.State{}))
	})
	t.Run("second key held", func(t *testing.T) {
		ctrl := gomock.NewController(t)
		locker := rotationmock.NewMockLocker(ctrl)
		l1 := rotationmock.NewMockLock(ctrl)
		locker.EXPECT().Lock(gomock.Any(), "k1").Return(l1, nil)
		locker.EXPECT().Lock(gomock.Any(), "k2").Return(nil, &rotation.LockedError{Key: "k2"})
		l1.EXPECT().Unlock(gomock.Any()).Return(nil)
		r, err := rotation.New(steps, rotation.WithLocker(locker, "k1", "k2"))
		require.NoError(t, err)
		log = nil
		err = r.Run(t.Context(), &rotation.State{})
		require.ErrorIs(t, err, rotation.ErrLocked)
		assert.Empty(t, log, "no step ran")
	})
	t.Run("locker broken", func(t *testing.T) {
		ctrl := gomock.NewController(t)
		locker := rotationmock.NewMockLocker(ctrl)
		locker.EXPECT().Lock(gomock.Any(), orgID).Return(nil, errors.New("permission denied"))
		r, err := rotation.New(steps, rotation.WithLocker(locker))
		require.NoError(t, err)
		err = r.Run(t.Context(), &rotation.State{Target: orgID})
		assert.EqualError(t, err, `rotation: lock "`+orgID+`": permission denied`)
		assert.NotErrorIs(t, err, rotation.ErrLocked)
	})
	t.Run("no key", func(t *testing.T) {
		ctrl := gomock.NewController(t)
		r, err := rotation.New(steps, rotation.WithLocker(rotationmock.NewMockLocker(ctrl)))
		require.NoError(t, err)
		assert.ErrorIs(t, r.Run(t.Context(), &rotation.State{}), rotation.ErrInvalidInput, "no Target and no key")
	})
}
