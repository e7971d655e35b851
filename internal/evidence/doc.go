// Package evidence holds only tests and benchmarks: the evidence that an org
// rotation, run by the real salesforce and aws backends against the sandbox
// fakes over loopback HTTP (rotation/sandbox), is safe and fast. Every world
// the tests start has three contact centers in two AWS accounts, the last
// app pinned to its own certificate and answered at the manual gate by
// sandbox.World.PlayAdmin.
//
// # What each test proves
//
// TestFaultMatrix records every API call of a full overlap rotation (one
// ordered log fed by hooks on both fakes). The order is deterministic
// because the plan changes one contact center and one trust at a time
// (concurrency 1, no canary) and the salesforce backend sends one request
// at a time (sandbox Options.Concurrency 1); the test checks it on two
// clean runs. Then, for each call index i, a fresh world runs the same
// rotation with a permanent fault at call i, chosen per operation among
// codes the backends do not retry (IAM NoSuchEntity, AccessDenied,
// InvalidInput; Salesforce sf:INSUFFICIENT_ACCESS, sf:INVALID_TYPE, HTTP 403
// and 404 on the plain-text endpoints). After every run the whole world
// (every IAM document byte for byte, the IdP setting, every app's effective
// certificate, the certificates present) is exactly as it began, or fully
// rotated (the certificate named after the rotation is the default and
// every app's, each IAM document is the original with its signing
// certificates replaced by exactly the new one, the certificates are the
// initial ones plus the new one): never in between. A fault the rotation
// absorbs (the manual gate's poll tolerates a failed read) must leave it
// rotated. The test asserts that every recorded index was covered. Now and
// then the AWS SDK finds a keep-alive connection closed while reading an
// answer and repeats the (idempotent) request, which shifts the log; a run
// whose call i is not the recorded one still has to end initial or
// rotated, and is repeated so that call i itself is covered.
//
// TestCrashMatrix stops the rotation after every step boundary k with no
// rollback, either between steps or with step k+1 journaled as running, and
// another process (its own backend, the plan rebuilt from the options the
// FileJournal records) resumes it: ResumeContinue ends fully rotated,
// ResumeRollback ends as the world began. TestCrashAtEveryMutatingCall kills
// the rotation inside a step: the call just before, or just after, each
// mutating call blocks for good, the journal is taken as the crash left it,
// and the resumed rotation must end rotated or initial again.
//
// TestTransientStorm runs 100 rotations, each seeded (math/rand/v2; the
// seed names the subtest), in which every API call fails with probability
// 20% with a transient error (IAM Throttling, ServiceFailure,
// ConcurrentModification on updates; Salesforce REQUEST_LIMIT_EXCEEDED and
// SERVER_UNAVAILABLE, only the latter on the plain-text endpoints, where
// the fake would answer the former as a bare 403). Every rotation completes,
// with exactly one new certificate. The backends are the only retry layer
// for these errors: they try each call up to 12 times
// (sandbox Options.RequestAttempts); the engine does not run a step again
// for a request error.
//
// TestOneRequestFailingEveryTime answers one request (service, operation,
// target) with a transient error every time, for every request a rotation
// sends: SERVER_UNAVAILABLE from Salesforce, ServiceFailure and Throttling
// from IAM. The rotation fails and leaves the world as it began (or, when
// a rollback cannot read what it would change, those steps remaining and
// every sign-in working), and the request is sent at most the backend's
// attempts (6 in the sandbox) by the call that fails its step and by each
// rollback that makes the same request; the frontdoor sign-in, one call per
// contact center, at most the attempts times the contact centers.
//
// TestRandomOperations is the model-based random test: each seeded
// sequence (math/rand/v2 PCG; -random-sequences N runs N, -random-seed S
// one; CI runs 300 in a step of its own, without the race detector; a
// plain go test runs 64, the race run 64/8) draws 8
// operations from: rotate all; rotate a random subset; roll back a random
// journal of any age; resume a random journal; a rotation that dies at a
// random API call (the call blocks for good, the operator breaks its
// locks); two rotations at once (one is locked out); a person re-pinning
// the pinned app to another certificate its IAM provider trusts. Every
// rotation has a backend of its own (as another process would), a journal
// in one JournalDir (the plans' History) and the locks of
// OrgPlan.LockKeys. After every operation every contact center signs in
// through the fake AWS sign-in endpoint; the test logs each sequence, the
// counts of operations, refusals (nothing changed), failures (rolled
// back) and broken sign-ins, which must be 0. Seeds that failed while the
// test was built are kept in keptSeeds and run first.
//
// TestScenario… are the three operator actions that broke single sign-on
// before the org plan checked its transitions: a subset rotation that
// retired the certificate a left-out pinned app signs with from a shared
// provider; the rollback of an older rotation under a newer one; a crash
// during a rollback that left a journal saying "succeeded".
//
// TestTwoRotationsOfOneOrg starts two rotations of one org at the same
// moment, sharing only a FileLocker directory and OrgPlan.LockKeys: exactly
// one runs; the other fails at once with rotation.ErrLocked, emits no event,
// and no mutating call of its own reaches either fake.
// TestRotationWhileAnotherWaitsAtItsGate does the same while the first is
// held at its manual gate.
//
// Every world captures every slog line of the backends and the engine (JSON,
// debug level), every event given to an observer, every journal record and
// journal file, and every error string, and when its test ends scans them
// for the Salesforce access token, the AWS secret access keys and any form
// of the fake org's private keys (the keys come from a pool the tests
// generate, so their private exponents and the base64 lines of their PKCS #1
// and PKCS #8 encodings are known): the matrices, the storm and the lock
// tests all fail on a leak. TestSecretScannerFindsPlantedSecrets shows that
// the scanner finds each planted form and does not mistake a certificate
// for its key; TestNoSecretOnFailurePaths drives the paths most likely to
// leak (a time-out of the frontdoor request, whose URL carries the session
// id; a revoked session; refusals by both services; failing SSO endpoints).
//
// # The critical path
//
// TestCriticalPathDepth (run with -depth, alone, as CI does) and
// BenchmarkRotation measure a rotation against
// the longest chain of API calls that must run one after the other given
// the plan's data dependencies (criticalPath, stepBounds). A call waits for
// another only when it needs that call's answer (a name, an ARN, a
// document, a certificate's content) or when the plan's safety contract
// makes it check first (read before write); the steps run one after the
// other (each is journaled), the canary before the rest, the org default
// before the apps, a person's change before it is observed. Everything else
// may go out at once. Per step, in calls:
//
//   - preflight 5: list the connected apps, read them (chunks of ten at
//     once), then read each app's metadata and snapshot every trust any app
//     names, in scope or not (both need what the apps name); the call
//     centers and the IdP setting are read alongside; then, with the
//     entityID those documents carry, list each account's SAML providers
//     and read each (the aws backend's TrustsOf), and snapshot those no app
//     names (one more call; the benchmark worlds have none); alongside,
//     once the apps are known, the IdP metadata of each trust's first app
//     (1 call) and the sign-in readiness (3: the identity, userinfo then
//     frontdoor; the user's permission sets, userinfo, the assignments,
//     then the sets; the apps' grants, then their names), all within the 5;
//   - stage 3: read the certificate's unique name (absent?), create it, read
//     it back for its X.509 content;
//   - trust 4 per wave: read the stored document (the plan's
//     compare-and-swap), then the backend reads it again (its own check of
//     the change), updates it, reads it back until IAM serves it; the canary
//     trust is a wave of its own, the rest one more; when the relying party
//     judges sign-ins (AWS STS AssumeRoleWithSAML), 1 more: an app per
//     trust and old certificate signs in (2 calls) while the documents are
//     set, and its Response goes to STS once every trust holds the
//     two-certificate document;
//   - activate 3 + 2 + 3 + 2: observe the org (the signing state: list the
//     connected apps, read them, read each app's metadata; every trust
//     alongside), the model the switch is checked on; read the IdP setting
//     and the new certificate, update the setting; read the signing state
//     again (which apps followed the default; the others are switched);
//     then, for a pinned app in scope, one round of reads and its metadata
//     read again once the person switched it;
//   - verify 3: list the connected apps, read them, read each app's
//     metadata; the IdP setting and its certificate (2), the trust documents
//     (1) and the sign-ins (frontdoor, then /idp/login: 2) run alongside;
//     a judged sign-in goes to STS as soon as its Response is there (2 + 1),
//     still within the 3;
//   - soak 0 (no soak);
//   - retire: the signing state (3: the model the removals are checked
//     on), the trust waves again, then verify 3. Retiring changes only IAM,
//     so what the verification's Responses proved (the certificate that
//     verified each, its issuer, journaled in the State) is confirmed
//     against the final documents instead of signing in again.
//
// For the benchmark worlds (two trusts, one pinned app, the default canary
// of one, every sign-in judged: the aws backend asks STS) that is 36 calls
// for one contact center and 44 for ten or fifty: the chain does not grow
// with the number of contact centers, the work per level does. With 20 ms
// per call the bound is 720 ms and 880 ms. The
// depth test holds every call for a while and gives each the level one
// above the highest level already answered when it was sent, which counts
// the calls the implementation waited through one after the other,
// whatever the CPU speed; it must equal the bound, step by step. The
// benchmarks use a concurrency of at least the number of contact centers
// in the plan and in the salesforce backend, so that no concurrency limit
// adds waves; with a limit C a fan-out of n items takes ceil(n/C) waves.
// BenchmarkRotationSteps reports, for fifty contact centers, each step's
// wall time over its bound and the CPU time spent meanwhile.
//
// # Known limits
//
// The fakes run in the test process, on the same two cores as the
// backends: in the benchmarks their CPU (above all the org signing each
// Response twice and the STS validating both signatures) competes with
// the rotation's, and in the verify step outweighs it. The call
// latency is the fakes' added delay, the same for every call. The fault
// codes and the plain-text error format of the Salesforce endpoints are
// the fakes' (see salesforce/sftest facts.go).
package evidence
