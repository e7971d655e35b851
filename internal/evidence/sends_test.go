package evidence

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/internal/sandbox"
	"github.com/voicecert/voicecert/rotation"
)

// TestOneRequestFailingEveryTime takes every distinct request a rotation
// sends (service, operation and target) and, in a fresh world, answers that
// one request with a transient error every time: SERVER_UNAVAILABLE from
// Salesforce, ServiceFailure and Throttling from IAM. Through the whole
// rotation attempt (its steps and its rollback) the request is sent at most
// twice the backend's attempts for one call (sandbox.DefaultRequestAttempts):
// once by the call whose step it fails, and once more when the rollback must
// make the same request to see what the failed call did (the read of the new
// certificate before deleting it), as the rotation, salesforce and aws
// package docs say. The engine does not run a step again for a request
// error. The one request several calls share is frontdoor (it names no
// app): verification signs in to every contact center, one call each, so it
// is sent at most the backend's attempts times the contact centers. Every
// attempt fails and leaves the world in its initial state. Before there was
// one retry layer, such a request was sent the backend's attempts times the
// engine's step attempts (6 × 4 = 24 times), and more with the rollback.
func TestOneRequestFailingEveryTime(t *testing.T) {
	const id = "sends"
	clean := newWorld(t, worldOptions())
	_, err := clean.rotate(id, nil)
	require.NoError(t, err)
	var requests []apiCall
	for _, c := range clean.callLog() {
		if !slices.Contains(requests, c) {
			requests = append(requests, c)
		}
	}
	codes := map[string][]string{"sf": {"SERVER_UNAVAILABLE"}, "iam": {"ServiceFailure", "Throttling"}}
	most, mostFrontdoor, runs := 0, 0, 0
	for _, req := range requests {
		limit := 2 * sandbox.DefaultRequestAttempts
		if req.Op == "frontdoor" {
			limit = sandbox.DefaultRequestAttempts * len(clean.ContactCenters)
		}
		for _, code := range codes[req.Service] {
			w := newWorld(t, worldOptions())
			w.setInject(func(_ int, c apiCall) *fault {
				if c == req {
					return &fault{Code: code}
				}
				return nil
			})
			_, err := w.rotate(id, nil)
			sends := 0
			for _, c := range w.callLog() {
				if c == req {
					sends++
				}
			}
			runs++
			if req.Op == "frontdoor" {
				mostFrontdoor = max(mostFrontdoor, sends)
			} else {
				most = max(most, sends)
			}
			assert.Positive(t, sends, "%s: sent", req)
			assert.LessOrEqual(t, sends, limit, "%s answered %s every time: sends", req, code)
			var re *rotation.RotationError
			assert.True(t, errors.As(err, &re), "%s answered %s every time: the rotation fails (%v)", req, code, err)
			state, problems := w.classify(id)
			assert.Equal(t, "initial", state, "%s answered %s every time: %v", req, code, problems)
		}
	}
	t.Logf("one request failing every time: %d requests, %d runs; most sends of one request %d, of frontdoor %d (backend attempts %d, %d contact centers)",
		len(requests), runs, most, mostFrontdoor, sandbox.DefaultRequestAttempts, len(clean.ContactCenters))
}
