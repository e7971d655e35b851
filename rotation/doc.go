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
// progress. [Resume] and [RollBack] do the same from a [Journal] with a
// tool's own steps in any order, custom ones included, matched to the
// journal's by name: a tool that added steps recovers its rotations with
// them, and one that lacks a step can still roll back when that step has
// nothing to undo.
//
// # The org plan
//
// [NewOrgPlan] builds the steps that rotate one org from an IdentityProvider
// and a RelyingParty (one per AWS account can be combined, see the aws
// package's Multi). It plans over a [Model] of the org: the default
// certificate, every discovered contact center's app (in scope or not)
// with the certificate it signs with, pinned or following the default, and
// every IAM trust the apps name with the certificates it trusts. Each step
// is a set of [Transition]s on that model ([OrgPlan.Transitions] lists
// them for a plan, changing nothing), and every mutating call, apply and
// rollback alike, is checked first:
//
//  1. compare-and-swap: the resource it changes is read again and compared
//     with what the plan (or the journal) expects; a resource already as
//     wanted is left alone, any other content is refused with a
//     *[ConflictError] naming the resource, what was expected and what is
//     there (and the newer rotation, when [WithHistory] has its journal);
//  2. the whole-org sign-in invariant, on the model predicted after the
//     call: every app (in scope or not) signs with a certificate its trust
//     holds; a call that would break an app that signs in now is refused
//     with an *[InvariantError] before it is sent.
//
// Refusals match [ErrRefused] and change nothing. A certificate is never
// deleted while something uses it (*[InUseError]).
//
//	| step      | transitions (N = the new certificate)                               | rollback (same checks)                                  |
//	|-----------|---------------------------------------------------------------------|---------------------------------------------------------|
//	| preflight | none: observes the model; refuses an out-of-scope app that follows  | none                                                    |
//	|           | the default behind a trust the plan does not update, a used id, an  |                                                         |
//	|           | app switched without an update, an exclusion that breaks a sign-in  |                                                         |
//	| stage     | create N                                                            | delete N unless in use (default, app, trust, journal)   |
//	| trust     | overlap: each trust in scope S -> S + N (with a SignInJudge, a      | first: refused unless this rotation is the latest       |
//	|           | Response per trust and old certificate is then judged);             |                                                         |
//	|           | direct: S -> N + what out-of-scope pinned apps of it sign with      | change to every resource in scope; then back to S       |
//	| activate  | default D -> N (following apps with it); each pinned app in scope   | latest check; default N -> D; apps N -> their own       |
//	|           | P -> N (a person may be asked)                                      |                                                         |
//	| verify    | none: default, apps and trusts agree on N; a signed Response per    | none                                                    |
//	|           | app verifies against its trust (what it proved goes in the State)   |                                                         |
//	|           | and, with a SignInJudge, the relying party accepts it               |                                                         |
//	| soak      | none: waits                                                         | none                                                    |
//	| retire    | each trust S + N -> N + what out-of-scope pinned apps of it sign    | latest check; back to S + N                             |
//	|           | with; verify again                                                  |                                                         |
//	| cleanup   | delete D unless in use (kept, and logged, otherwise)                | none (cannot be undone; it is last)                     |
//
// Invariant: for every app a of the model, trust(a) holds cert(a), and
// every unattached trust holds the default — before and after every call. The direct strategy, for relying parties that
// refuse two certificates, breaks the sign-in of apps in scope between
// activate and trust, by design; never that of an app out of scope.
//
// # Every SAML app and every trust of the identity provider
//
// Switching the org default switches every SAML app that follows it, not
// only the contact centers'. When the identity provider is an [AppLister],
// the model has every SAML app of the org ([ModelApp.ContactCenter] empty
// for the others, [ModelApp.Kind] saying connected app or External Client
// App); when the relying party is a [TrustLister], it has every trust of
// the identity provider's entity id in the contact centers' accounts,
// also those no app names ([ModelTrust.Unattached]: taken to serve the
// apps that follow the default, so it must hold the default). The plan
// updates unattached trusts like the others and verification checks that
// they hold the new certificate; [WithExcludeTrusts] leaves one alone only
// when no sign-in breaks without it (*[ExcludeError] otherwise).
//
// Preflight refuses, with an *[AffectedAppsError] and before any change, a
// rotation that would switch an app of no contact center whose service
// provider it does not update, unless each such app is
//
//   - acknowledged ([WithAcceptAffected]): it is switched and recorded as
//     changed, not updated ([ModelApp.Acknowledged], [Model.NotUpdated]);
//   - given a relying party ([WithAppRelyingParty]): its trust is then
//     updated, checked and verified like a contact center's (the apps are
//     [State.AppTargets]); when the identity provider lists no login id
//     for the app ([AppRef.LoginID] empty), nothing signs in to it:
//     verification checks structurally that its trust holds the
//     certificate the app signs with;
//   - or pinned to its current certificate first, by a person: a pinned
//     app does not follow the default. [WithPinAffected] makes preflight
//     ask for it at a manual gate, wait until the apps are pinned, and
//     observe the org again.
//
// A relying party for such an app is any [RelyingParty]: Trust returns the
// metadata document the service provider holds for the app (with the
// TrustRef it was given), and SetTrust makes it hold doc, returning only
// once the service provider uses it, or a [Transient] error wrapping
// [ErrNotPropagated] so that the engine tries again. For a service provider
// that refreshes the IdP metadata from the app's metadata URL, SetTrust
// stores doc where the service provider reads it (or asks it to refresh)
// and then reads the service provider's view back until it carries doc's
// signing certificates; Trust returns that view. The documents it is sent
// differ from the one it returned only in their signing certificates
// (old + new during the overlap, the new one at the end).
//
// [UsageOf] turns a model and the plan's transitions into a [Usage]: for
// each certificate, the apps that sign with it and the trusts that trust
// it, and whether the rotation changes, leaves or breaks each.
//
// # Verification
//
// Verification signs in to every app in scope (when the identity provider
// is a [LoginTester]) and checks each Response locally against the
// document its trust holds. When the relying party is a [SignInJudge]
// (the aws package's asks STS AssumeRoleWithSAML in the contact center's
// account, PrincipalArn its trust, RoleArn its role) the same Response
// goes to it as soon as it is signed, alongside the other reads and
// checks; its verdict is the one that counts. In the overlap strategy the
// trust step presents, for every trust and every certificate its apps sign
// with, a Response signed with that old certificate once every trust holds
// the two-certificate document: AWS's acceptance proves IAM took that
// document and still trusts the old key, before anything signs with the
// new one; the verify step presents every app's, signed with the new
// certificate. A rejection fails the step, which is
// retried (IAM is eventually consistent) and then rolled back, with the
// service's error code in the message. Each accepted call is an
// AssumeRoleWithSAML event in the account's CloudTrail; its temporary
// credentials are discarded at once, never logged, journaled or returned.
// The role's trust policy must allow sts:AssumeRoleWithSAML for the
// provider (it already does for the console sign-in, which AWS validates
// the same way). [WithLocalVerdictOnly] opts out (no STS session; the
// report says the verdict is local only); [WithStructuralVerification]
// signs nothing in. Each check is an [EventVerified] whose [Verification]
// gives, per contact center, the [LocalCheck] and the [SignInVerdict].
//
// Preflight asks an identity provider that is a [SignInChecker] whether
// the sign-ins can work (a UI session; the user's access to each app) and
// refuses with a *[ReadinessError] before any change when they cannot. A
// SHA-1 Response is accepted only for an app the identity provider reports
// configured SHA1 (AppSigning.Algorithm), with a warning; an encrypted
// assertion is checked by the Response's own signature and Issuer, the
// relying party's verdict deciding the rest. The documents the rotation
// sets carry the validUntil of the identity provider's current metadata
// (none when it gives none), never the stored one; [Check] grades the
// stored one ([ValidUntilStatus]).
//
// [OrgPlan.LockKeys] names the locks a run must hold (the org by
// [IdPLockKey], every trust by [TrustLockKey]: the same keys for every tool
// that rotates the org), [OrgPlan.NewState]
// records the plan's options once (State.Plan) so that [OrgOptionsFrom]
// rebuilds the same plan to resume a journal, [OrgPlan.Verify] runs the
// verify step's checks read-only, and [Check] reports each contact
// center's certificate, its expiry and whether IAM agrees, without
// changing anything.
//
// # Journals
//
// Run creates the journal with its first record ([Journal].Create fails
// with [ErrJournalExists] if the journal holds one: a rotation id is used
// once; [NewRotationID] makes ids unique across processes); a [FileJournal]
// creates its file exclusively and never writes another rotation's record
// over it, and [JournalDir] keeps one file per rotation. The record says
// "rollingback" durably before the first rollback call; a Resume of an
// interrupted rollback continues the rollback in either mode, and a record
// says "succeeded" only once every step, verification included, applied.
// A refused rollback requested by Resume stops there (a newer change may
// depend on what is left) and, when nothing was undone, leaves the record's
// status as it was; the rollback after a failed run tries every step, each
// checked.
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
// call that fails its step, and at most that again by each step whose
// rollback makes the same request (each rollback reads what it is about to
// change first): the backend's attempts times one plus the steps rolled
// back, through a whole rotation attempt (at most 4 × 4 = 16 sends with
// the salesforce defaults, 4 × 3 = 12 with the AWS SDK's), where a step
// retry used to multiply them. A rollback that cannot read what it would
// change refuses to change it: the rotation stops with those steps
// remaining (see [RotationError]), every sign-in still working, and
// Resume finishes the rollback once the service answers. A step retried because IAM does not serve a change yet, or
// because verification disagrees, sends its requests again, each with the
// backend's attempts.
//
// # Option order
//
// Both option styles, [Option] for [New] and [OrgOption] for [NewOrgPlan],
// start from the defaults and apply the options in the order given, so an
// option overrides the defaults and every earlier option that sets the same
// thing: New(steps, WithManualTimeout(time.Minute), WithManualTimeout(time.Hour))
// waits an hour. Three kinds of option add instead of replacing:
// [WithObserver] (every observer is called, in the order added),
// [WithStepBefore] and [WithStepAfter] (hooks apply in the order given, so
// one may anchor on an earlier one), and [WithContactCenters] (the names
// of every call are in scope). [WithLocker] replaces both the locker and
// its keys. [WithOrgClock] replaces only what it is given (a nil clock or
// sleep keeps the earlier one). An invalid Option makes New fail even when
// a later one would override it; an OrgOption is checked on the result, so
// only the final value counts. [OrgOptionsFrom] returns a journaled plan's
// options first: options appended after them (a logger, a clock, a
// history) override them.
//
// # Known limits
//
//   - A step in progress when the process died is re-applied by
//     ResumeContinue and rolled back by ResumeRollback; the engine cannot
//     know how far it got, so Apply and Rollback must both be idempotent.
//   - A compare-and-swap is a read and then a write: a change someone makes
//     between the two (one round trip) is not seen.
//   - A [FileLocker] lock whose holder died stays held until someone calls
//     [FileLocker.Break]; nothing guesses that a holder is gone. Lock files
//     exclude only processes that share the directory's file system.
//   - After a manual gate the step counts as applied and its Apply is not
//     called again: a step that needs several changes by a person returns
//     them as one ManualActionError whose Wait observes them all, or is
//     split into one step per change.
//   - Unlock errors at the end of a rotation are logged, not returned.
package rotation
