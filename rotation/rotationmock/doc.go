// Package rotationmock provides gomock mocks (go.uber.org/mock, typed) of
// every interface of package rotation, for unit tests of code built on the
// engine: IdentityProvider, RelyingParty, LoginTester, Step, Observer,
// Journal, Locker and Lock.
//
// A mock with no expectation fails the test on any call, which makes it the
// natural proof that code under test calls nothing (a dry-run plan, say).
// For behaviour (state, faults) prefer the fakes of rotation/rotationtest.
//
// The mocks are generated; regenerate them with go generate after changing
// an interface.
package rotationmock

//go:generate go tool mockgen -typed -write_package_comment=false -destination=mocks.go -package=rotationmock github.com/voicecert/voicecert/rotation IdentityProvider,RelyingParty,LoginTester,Step,Observer,Journal,Locker,Lock
