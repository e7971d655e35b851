package evidence

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// permanentFaults are, per API operation, faults the real services answer
// for a call that will not succeed if repeated, and which the backends
// classify as permanent (so neither the backend, the SDK nor the engine
// retries around them). The index of the call picks one when several are
// listed, so that each code is exercised.
var permanentFaults = map[string][]fault{
	// IAM: NoSuchEntity 404 and AccessDenied 403 are never retried by the
	// SDK's standard retryer and are not in the aws backend's transient
	// codes; InvalidInput 400 neither.
	"iam GetSAMLProvider":    {{Code: "NoSuchEntity"}, {Code: "AccessDenied"}},
	"iam UpdateSAMLProvider": {{Code: "InvalidInput"}, {Code: "AccessDenied"}},
	"iam ListSAMLProviders":  {{Code: "AccessDenied"}},
	// STS AssumeRoleWithSAML: a refused sign-in (403) and a token STS
	// could not validate (400) are verdicts, not retried by the SDK.
	"iam AssumeRoleWithSAML": {{Code: "IDPRejectedClaim"}, {Code: "InvalidIdentityToken"}},
	// Salesforce SOAP: an sf:INSUFFICIENT_ACCESS or sf:INVALID_TYPE fault
	// (HTTP 500) is not in the salesforce package's transient codes.
	"sf listMetadata":   {{Code: "INSUFFICIENT_ACCESS"}, {Code: "INVALID_TYPE"}},
	"sf readMetadata":   {{Code: "INSUFFICIENT_ACCESS"}, {Code: "INVALID_TYPE"}},
	"sf createMetadata": {{Code: "INSUFFICIENT_ACCESS"}},
	"sf updateMetadata": {{Code: "INSUFFICIENT_ACCESS"}},
	"sf deleteMetadata": {{Code: "INSUFFICIENT_ACCESS"}},
	// Salesforce plain-text endpoints (metadata, frontdoor, idp/login): HTTP
	// 403 and 404 are not retried. A 401 on frontdoor would be taken for an
	// expired session and answered by one re-authentication, which hides
	// a single fault, so it is not used here.
	"sf metadata":  {{Code: "INSUFFICIENT_ACCESS", Status: 403}, {Code: "NOT_FOUND", Status: 404}},
	"sf frontdoor": {{Code: "INSUFFICIENT_ACCESS", Status: 403}},
	"sf idp/login": {{Code: "INSUFFICIENT_ACCESS", Status: 403}},
	// The OpenID Connect UserInfo endpoint that sign-in readiness asks
	// who the session is: HTTP 403 is not retried.
	"sf userinfo": {{Code: "INSUFFICIENT_ACCESS", Status: 403}},
	// REST queries, should a backend make them: HTTP 400.
	"sf query":         {{Code: "MALFORMED_QUERY", Status: 400}},
	"sf tooling/query": {{Code: "MALFORMED_QUERY", Status: 400}},
}

func permanentFault(i int, c apiCall) (fault, error) {
	fs := permanentFaults[c.Service+" "+c.Op]
	if len(fs) == 0 {
		return fault{}, fmt.Errorf("no permanent fault for %s", c)
	}
	return fs[i%len(fs)], nil
}

// TestFaultMatrix records every API call of a full overlap rotation, then,
// for each call index i, runs the same rotation on a fresh world with a
// permanent failure injected at call i. After every run the world is either
// exactly as it began or fully rotated: never in between.
//
// The call order is deterministic because the plan changes one contact
// center and one trust at a time (concurrency 1, no canary) and the
// salesforce backend is given a concurrency of 1 (sandbox Options); the
// test checks that two clean runs make the same calls in the same order.
// One thing is not deterministic: now and then the AWS SDK finds its
// keep-alive connection closed while reading a response and sends the
// (idempotent) request again, which adds a call to the log. A run whose
// call i turns out not to be the recorded one still has to end initial or
// rotated, and is then run again (up to three times) so that call i itself
// is covered.
func TestFaultMatrix(t *testing.T) {
	const id = "matrix"
	calls := recordCalls(t, id)
	var covered, rolledBack, reruns int
	var absorbed []string
	for i, want := range calls {
		f, err := permanentFault(i, want)
		require.NoError(t, err)
		t.Run(fmt.Sprintf("%03d_%s_%s", i, want.Service, strings.ReplaceAll(want.Op, "/", "_")), func(t *testing.T) {
			for attempt := 1; ; attempt++ {
				w := newWorld(t, worldOptions())
				var hit apiCall
				w.setInject(func(j int, c apiCall) *fault {
					if j != i {
						return nil
					}
					hit = c
					return &f
				})
				_, err := w.rotate(id, nil)
				state, problems := w.classify(id)
				require.NotEqual(t, "mixed", state, "after a %s fault at call %d (%s): %s", f.Code, i, hit, strings.Join(problems, "; "))
				if err != nil {
					re := rotationErr(err)
					require.NotNil(t, re, "%v", err)
					assert.True(t, re.RolledBack, "%v", err)
					assert.Equal(t, "initial", state, "a failed rotation is rolled back: %v", err)
				} else {
					assert.Equal(t, "rotated", state)
				}
				if hit != want {
					require.Less(t, attempt, 3, "call %d is not the recorded one:\n%s", i, diffCalls(calls, w.callLog()))
					reruns++
					continue
				}
				covered++
				if err == nil {
					// The fault was absorbed (a poll that tolerates a
					// failed read) and the rotation finished.
					absorbed = append(absorbed, fmt.Sprintf("%d (%s)", i, want))
				} else {
					rolledBack++
				}
				return
			}
		})
	}
	t.Logf("fault matrix: %d API calls recorded, %d injection points covered: %d rolled back to the initial state, %d absorbed with the rotation completed: %s; %d runs repeated after an SDK connection retry shifted the calls",
		len(calls), covered, rolledBack, len(absorbed), strings.Join(absorbed, ", "), reruns)
	require.Equal(t, len(calls), covered, "every call index is covered")
}

// recordCalls returns the API calls of a clean overlap rotation with id on
// the default evidence world, after checking that two runs make the same
// calls in the same order (a run spoiled by an SDK connection retry is
// recorded again).
func recordCalls(t *testing.T, id string) []apiCall {
	t.Helper()
	record := func() []apiCall {
		w := newWorld(t, worldOptions())
		_, err := w.rotate(id, nil)
		require.NoError(t, err)
		w.requireState(t, "rotated", id)
		return w.callLog()
	}
	calls := record()
	for tries := 0; ; tries++ {
		again := record()
		if slices.Equal(calls, again) {
			break
		}
		require.Less(t, tries, 3, "the call order must be deterministic:\n%s", diffCalls(calls, again))
		calls = again
	}
	require.NotEmpty(t, calls)
	return calls
}

// diffCalls shows two call logs side by side up to their first difference
// and a little after.
func diffCalls(a, b []apiCall) string {
	var sb strings.Builder
	first := -1
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i].String()
		}
		if i < len(b) {
			y = b[i].String()
		}
		if x != y && first < 0 {
			first = i
		}
		if first >= 0 && i > first+5 {
			break
		}
		mark := "  "
		if x != y {
			mark = "!="
		}
		fmt.Fprintf(&sb, "%3d %s %-70s %s\n", i, mark, x, y)
	}
	return sb.String()
}
