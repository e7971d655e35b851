// Package rotation is voicecert's engine: the provider roles a backend
// implements, the Step a rotation is made of, and the Rotator that runs steps
// safely.
//
// # Providers
//
// An [IdentityProvider] (the salesforce package) owns the signing
// certificate; a [RelyingParty] (the aws package) trusts it through a SAML
// metadata document. Backends classify their errors with [Transient] and
// [Permanent], wrap [ErrNotFound] and [ErrInvalidInput], and return a
// *[ManualActionError] for a change only a person can make. The
// rotation/rotationtest package holds in-memory fakes of both roles and the
// conformance suites every backend runs; rotation/rotationmock holds gomock
// mocks of every interface.
//
// # Running steps
//
// A [Step] applies one reversible change to a [State]. [New] builds a
// [Rotator] from steps, with user steps inserted by [WithStepBefore] and
// [WithStepAfter]. [Rotator.Plan] lists the steps without side effects.
// [Rotator.Run]:
//
//   - takes the locks of [WithLocker] (a lock already held fails at once with
//     [ErrLocked]; [FileLocker] keeps lock files in a directory);
//   - journals the State before and after every step ([WithJournal],
//     [FileJournal] writes a JSON file durably);
//   - retries a step whose error is transient, with bounded exponential
//     backoff ([WithRetry]);
//   - holds a manual gate when a step returns a *[ManualActionError]: it
//     emits [EventWaiting], calls the confirmation callback ([WithConfirm])
//     and the error's Wait, within a timeout, and then counts the step as
//     applied without calling Apply again;
//   - on an error, the context ending or a panic in a step, rolls back the
//     failed step and then every completed step in reverse order, under a
//     context that ignores the cancellation ([WithRollbackTimeout] bounds
//     it), and returns a *[RotationError] saying which step failed, why, and
//     whether rollback was complete.
//
// Every moment is an [Event], logged with log/slog ([WithLogger]) and given
// to every [Observer].
//
// A rotation that stopped without rolling back (the process died) is taken
// over with [Rotator.Resume] from its [JournalRecord]: [ResumeContinue]
// applies the remaining steps, [ResumeRollback] undoes every step done or in
// progress.
//
// # The org plan
//
// [NewOrgPlan] builds the steps that rotate one org from an IdentityProvider
// and a RelyingParty (one per AWS account can be combined, see the aws
// package's Multi). [StrategyOverlap], the default, runs preflight, stage,
// trust (IAM trusts old and new), activate, verify, soak and retire;
// [StrategyDirect] follows the manual procedure (activate, then trust) for
// relying parties that refuse two certificates. [OrgPlan.LockKeys] names the
// locks a run must hold (the org by [IdPLockKey], every trust by
// [TrustLockKey]: the same keys for every tool that rotates the org),
// [OrgPlan.NewState] records the plan's options so that [OrgOptionsFrom]
// rebuilds the same plan to resume a journal, and
// [Check] reports each contact center's certificate, its expiry and whether
// IAM agrees, without changing anything.
//
// # Retries
//
// A request is retried by the backend that sent it, and only there: the
// salesforce client retries throttling, 5xx answers and transport errors up
// to its Retry.MaxAttempts (4 by default), the AWS SDK's retryer up to its
// MaxAttempts (3 by default). The engine runs a step again (up to
// [WithRetry]'s attempts, [DefaultMaxAttempts]) only for an error that says
// a step retry helps ([ShouldRetryStep]: [ErrNotPropagated], a [VerifyError],
// an error marked with [RetryStep]), never for a request error. So one
// request that keeps failing is sent at most the backend's attempts by the
// call that fails its step, and at most that again if the rollback makes the
// same request (to see what the failed call did): twice the backend's
// attempts through a whole rotation attempt, where a step retry used to
// multiply them. A step retried because IAM does not serve a change yet, or
// because verification disagrees, sends its requests again, each with the
// backend's attempts.
//
// # Known limits
//
//   - A step in progress when the process died is re-applied by
//     ResumeContinue and rolled back by ResumeRollback; the engine cannot
//     know how far it got, so Apply and Rollback must both be idempotent.
//   - A [FileLocker] lock whose holder died stays held until someone calls
//     [FileLocker.Break]; nothing guesses that a holder is gone. Lock files
//     exclude only processes that share the directory's file system.
//   - After a manual gate the step counts as applied and its Apply is not
//     called again: a step that needs several changes by a person returns
//     them as one ManualActionError whose Wait observes them all, or is
//     split into one step per change.
//   - Unlock errors at the end of a rotation are logged, not returned.
package rotation
