// Package rotationmock provides gomock mocks (go.uber.org/mock, typed) of
// every interface of package rotation, for unit tests of code built on the
// engine: IdentityProvider, RelyingParty, LoginTester, SignInJudge,
// SignInChecker, Step, Observer, Journal, Locker and Lock, AppLister and
// TrustLister.
//
// A mock with no expectation fails the test on any call, which makes it the
// natural proof that code under test calls nothing (a dry-run plan, say).
// For behaviour (state, faults) prefer the fakes of rotation/rotationtest.
//
// The mocks are generated, one file per interface; regenerate them with go
// generate after changing an interface.
package rotationmock

// One file per interface (Lock beside Locker).
//go:generate go tool mockgen -typed -write_package_comment=false -destination=identityprovider_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation IdentityProvider
//go:generate go tool mockgen -typed -write_package_comment=false -destination=relyingparty_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation RelyingParty
//go:generate go tool mockgen -typed -write_package_comment=false -destination=logintester_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation LoginTester
//go:generate go tool mockgen -typed -write_package_comment=false -destination=signinjudge_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation SignInJudge
//go:generate go tool mockgen -typed -write_package_comment=false -destination=signinchecker_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation SignInChecker
//go:generate go tool mockgen -typed -write_package_comment=false -destination=step_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation Step
//go:generate go tool mockgen -typed -write_package_comment=false -destination=observer_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation Observer
//go:generate go tool mockgen -typed -write_package_comment=false -destination=journal_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation Journal
//go:generate go tool mockgen -typed -write_package_comment=false -destination=locker_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation Locker,Lock
//go:generate go tool mockgen -typed -write_package_comment=false -destination=applister_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation AppLister
//go:generate go tool mockgen -typed -write_package_comment=false -destination=trustlister_mock.go -package=rotationmock github.com/voicecert/voicecert/rotation TrustLister
