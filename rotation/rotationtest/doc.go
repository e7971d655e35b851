// Package rotationtest provides in-memory fakes of the rotation provider
// roles and the conformance suites every backend must pass.
//
// [IdentityProvider] and [RelyingParty] implement rotation.IdentityProvider
// and rotation.RelyingParty with real RSA certificates (crypto/x509), a call
// log, fault injection ([IdentityProvider.FailCall], OnCall) and a
// Snapshot of their whole state that assert.Equal can compare, so a test can
// prove that a failed rotation left everything as it found it.
//
// [TestIdentityProvider] and [TestRelyingParty] are the conformance suites: a
// backend's test builds a harness ([IdPHarness], [RPHarness]) around its
// provider (usually backed by an HTTP fake) and calls the suite.
// [TestLocker] is the conformance suite of rotation.Locker, run with the
// keys an org plan returns ([LockerHarness]).
//
// # Known unknowns
//
// The fake relying party refuses what AWS IAM is documented to refuse
// (metadata of 1,000 to 10,000,000 characters, UTF-8 without byte-order
// mark, keys of at least 1024 bits) plus a changed entityID, which the aws
// backend refuses itself; whatever else IAM checks is not modelled. The
// metadata parsing here is deliberately minimal (encoding/xml); the samlmeta
// package is the project's real implementation.
package rotationtest
