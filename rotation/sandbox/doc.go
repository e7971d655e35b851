// Package sandbox starts a whole voicecert world on loopback, for tests of
// tools built on voicecert and for people to try it: a fake Salesforce org
// (salesforce/sftest) and a fake AWS IAM (aws/iamtest) seeded with Amazon
// Connect contact centers spread over several AWS accounts, and the real
// salesforce and aws backends wired to them. A rotation of a sandbox runs
// the same code over real HTTP as a rotation of a real org. The package
// imports no test framework; it works in a test, in a program, or behind
// the voicecert sandbox command.
//
// # Starting
//
// Start with zero Options seeds three contact centers over two accounts,
// the last one pinned to a certificate of its own (its rotation has a
// manual gate); Options choose the counts, latency, keys, poll intervals
// and listeners. Close stops everything:
//
//	w, err := sandbox.Start(ctx, sandbox.Options{})
//	if err != nil { … }
//	defer w.Close()
//	plan, err := rotation.NewOrgPlan(w.IdP, w.RP)
//
// [World.IdP] is a *salesforce.Provider and [World.RP] an aws.Multi with
// one relying party per account, both ready for rotation.NewOrgPlan;
// [World.NewIdP] gives another backend of the same org (a second process,
// for instance one that resumes a rotation). [World.AWSConfig] is the SDK
// configuration of one account, for building relying parties of one's own
// (for instance with aws.NewMultiFromContactCenters).
// [World.ContactCenters] says what was seeded: names, apps, accounts,
// provider and role ARNs, which are pinned.
//
// # Manual gates
//
// A pinned app's change is made by a person in Setup. In a test, pass
// [World.PlayAdmin] to rotation.WithConfirm. From another process, start
// the admin endpoint ([World.StartAdmin]; loopback only, with a bearer
// token) and call it with an [AdminClient] or `voicecert sandbox admin`.
//
// # Snapshots
//
// [World.Snapshot] returns everything a rotation may change, comparable
// with assert.Equal: the org's signing configuration (sftest.Snapshot:
// DefaultCertificate, Certificates, AppCertificates, Pinned) and each IAM
// SAML provider's document by ARN (as strings, as iamtest.Server.Snapshot
// returns them). rotationtest.IdPSnapshot uses the same names and types, so
// a test reads the same way on either set of fakes. A rotation rolled back
// leaves the Snapshot equal to the one taken before it.
//
// # Fault injection
//
// The fakes are reachable as [World.Org] and [World.IAM], with their fault
// hooks: Org.InjectFault(op, fault, n) and IAM.InjectFault(op, fault, n)
// fail the next n calls of an operation with a service-shaped error,
// SetHook decides per call, SetLatency slows every call, and
// IAM.StaleReads serves an old document after an update, as an eventually
// consistent endpoint may. Org.Calls and IAM.Calls record what the
// backends sent. See the sftest and iamtest documentation for the
// operations and faults they model.
//
// # Single sign-on
//
// [World.Login] signs in to one contact center the way an agent does (an
// IdP-initiated login at the org, the SAML Response posted to AWS
// sign-in); [World.StartProbe] does so for every contact center, again and
// again, and its [ProbeStats] say what agents saw during a rotation.
package sandbox
