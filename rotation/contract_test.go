package rotation_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/voicecert/voicecert/rotation"
)

func TestValueTypes(t *testing.T) {
	assert.True(t, rotation.AppRef{}.IsZero())
	assert.Equal(t, "N", rotation.AppRef{Name: "N", Label: "L", ID: "I"}.String())
	assert.Equal(t, "L", rotation.AppRef{Label: "L", ID: "I"}.String())
	assert.Equal(t, "I", rotation.AppRef{ID: "I"}.String())
	assert.True(t, rotation.TrustRef{}.IsZero())
	assert.Equal(t, arnEast, ccEast.Trust.String())
	assert.True(t, rotation.Certificate{}.IsZero())
	assert.False(t, rotation.Certificate{Name: "x"}.IsZero())

	st := rotation.SigningState{Apps: []rotation.AppSigning{{App: ccEast.App}, {App: ccWest.App, Pinned: true}}}
	a, ok := st.App(ccWest.App.Name)
	assert.True(t, ok)
	assert.True(t, a.Pinned)
	_, ok = st.App("nope")
	assert.False(t, ok)

	var s rotation.State
	assert.Empty(t, s.Value("k"))
	s.SetValue("k", "v")
	assert.Equal(t, "v", s.Value("k"))
}

func TestErrorClassification(t *testing.T) {
	base := errors.New("base")
	assert.Nil(t, rotation.Transient(nil))
	assert.Nil(t, rotation.Permanent(nil))
	assert.True(t, rotation.IsTransient(fmt.Errorf("wrapped: %w", rotation.Transient(base))))
	assert.False(t, rotation.IsTransient(base))
	assert.False(t, rotation.IsTransient(nil))
	assert.False(t, rotation.IsTransient(rotation.Transient(context.Canceled)), "cancellation is never transient")
	assert.False(t, rotation.IsTransient(rotation.Permanent(rotation.Transient(base))))
	assert.EqualError(t, rotation.Transient(base), "transient: base")
	assert.EqualError(t, rotation.Permanent(base), "base")
	assert.ErrorIs(t, rotation.Permanent(base), base)

	mae := &rotation.ManualActionError{Action: "do it"}
	assert.EqualError(t, mae, "manual action required: do it")
	assert.ErrorIs(t, fmt.Errorf("x: %w", mae), rotation.ErrManualAction)
}
