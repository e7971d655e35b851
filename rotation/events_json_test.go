package rotation_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
)

func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	e := rotation.Event{Type: rotation.EventWaiting, RotationID: "r1", Step: "activate", Time: at, Attempt: 2,
		Rollback: true, Err: errors.New("boom"), Message: "m",
		Manual: &rotation.ManualRequest{Step: "activate", Action: "pin", App: rotation.AppRef{Name: "A"}, Certificate: "C",
			Changes: []rotation.AppChange{{App: rotation.AppRef{Name: "A"}, Certificate: "C"}}, Timeout: time.Second, Deadline: at}}
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"step.waiting","rotationId":"r1","step":"activate","time":"2026-03-04T05:06:07Z",
		"attempt":2,"rollback":true,"error":"boom","message":"m",
		"manual":{"step":"activate","action":"pin","app":{"name":"A"},"certificate":"C",
			"changes":[{"app":{"name":"A"},"certificate":"C"}],"timeout":1000000000,"deadline":"2026-03-04T05:06:07Z"}}`, string(b))

	var back rotation.Event
	require.NoError(t, json.Unmarshal(b, &back))
	require.EqualError(t, back.Err, "boom")
	back.Err = e.Err
	assert.Equal(t, e, back)

	b, err = json.Marshal(rotation.Event{Type: rotation.EventRotationStarted, Time: at})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"rotation.started","time":"2026-03-04T05:06:07Z"}`, string(b), "empty fields are left out")
}
