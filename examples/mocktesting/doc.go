// Package mocktesting is a small tool of the kind a user builds on voicecert,
// with unit tests written against the typed gomock mocks of
// rotation/rotationmock.
//
// RenewIfDue reads an org with rotation.Check (read-only), decides whether the
// org default certificate or any contact center's certificate is due for
// renewal, and, when it is and every IAM trust agrees with its contact center,
// calls a Renewer: OrgRenewer runs the rotation package's org plan. Decision
// says what was found and done and renders it as a chat message.
//
// The tests show the two ways to test such code. Mocks
// (rotationmock.NewMockIdentityProvider with EXPECT) pin down exactly which
// calls are made: a mock with no expectation on a mutating method fails the
// test if that method is called, which proves the check never changes
// anything. The fakes of rotation/rotationtest are better for behaviour: the
// runnable example renews a fake org end to end.
// The public test kit rotation/sandbox goes one step further: its test
// (sandbox_test.go) renews an org of the fake Salesforce and fake IAM over
// HTTP through the real backends, with a few lines of setup.
//
// # Known unknowns
//
// The decision trusts rotation.Check: a contact center is "blocked" when the
// certificates of its IAM document do not include the one its app signs with.
// Whether a renewal should go ahead anyway in some of those cases (a trust
// shared with an org outside the check's scope, say) is a policy this example
// does not decide.
package mocktesting
