package evidence

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// TestOneRequestFailingEveryTime takes every distinct request a rotation
// sends (service, operation and target) and, in a fresh world, answers that
// one request with a transient error every time: SERVER_UNAVAILABLE from
// Salesforce, ServiceFailure and Throttling from IAM. Through the whole
// rotation attempt (its steps and its rollback) the request is sent at most
// the backend's attempts for one call (sandbox.DefaultRequestAttempts) by
// the call whose step it fails, and that again by each step whose rollback
// reads what it is about to change and so makes the same request, as the
// rotation, salesforce and aws package docs say. The engine does not run a
// step again for a request error. The one request several calls share is
// frontdoor (it names no app): verification signs in to every contact
// center, one call each, so it is sent at most the backend's attempts times
// the contact centers. Every attempt fails; it leaves the world in its
// initial state, or, when a rollback could not read what it would change,
// with those steps remaining and every contact center still signing in.
// Before there was one retry layer, such a request was sent the backend's
// attempts times the engine's step attempts (6 × 4 = 24 times) by the
// failing call alone, and more with the rollback.
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
			var re *rotation.RotationError
			if !assert.True(t, errors.As(err, &re), "%s answered %s every time: the rotation fails (%v)", req, code, err) {
				continue
			}
			// The call that fails its step sends it, and so may each step's
			// rollback, which reads what it is about to change again.
			calls := 1 + len(re.Undone) + len(re.Remaining)
			limit := calls * sandbox.DefaultRequestAttempts
			if req.Op == "frontdoor" {
				limit = sandbox.DefaultRequestAttempts * len(clean.ContactCenters)
			}
			assert.LessOrEqual(t, sends, limit, "%s answered %s every time: sends", req, code)
			state, problems := w.classify(id)
			if re.RolledBack {
				assert.Equal(t, "initial", state, "%s answered %s every time: %v", req, code, problems)
				continue
			}
			// A rollback that cannot read what it would change refuses to
			// change it, and leaves every contact center signing in.
			assert.NotEmpty(t, re.Remaining, "%s answered %s every time", req, code)
			for _, cc := range w.ContactCenters {
				assert.NoError(t, w.Login(context.Background(), cc), "%s answered %s every time: sign-in to %s with %v left", req, code, cc.Name, re.Remaining)
			}
		}
	}
	t.Logf("one request failing every time: %d requests, %d runs; most sends of one request %d, of frontdoor %d (backend attempts %d, %d contact centers)",
		len(requests), runs, most, mostFrontdoor, sandbox.DefaultRequestAttempts, len(clean.ContactCenters))
}
