package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// doctorChecks are the checks of doctor that plan and rotate repeat, being
// cheap: whether each contact center's sign-in can be verified, and whether
// the AWS credentials of each account are that account's.
func (a *app) doctorChecks(ctx context.Context, b *backends) (*doctorReport, error) {
	rep := &doctorReport{Problems: []doctorProblem{}}
	ccs, err := b.idp.ContactCenters(ctx)
	if err != nil {
		return nil, err
	}
	if checker, ok := b.idp.(rotation.SignInChecker); ok {
		r, err := signInReadiness(ctx, checker, ccs)
		if err != nil {
			return nil, err
		}
		readinessProblems(r, ccs, rep)
	}
	byAccount := map[string][]rotation.ContactCenter{}
	for _, cc := range ccs {
		if _, known := a.conn.awsAccounts[cc.Trust.Account]; known {
			byAccount[cc.Trust.Account] = append(byAccount[cc.Trust.Account], cc)
		}
	}
	for _, acct := range slices.Sorted(maps.Keys(byAccount)) {
		checkCaller(ctx, acct, a.conn.awsAccounts[acct], byAccount[acct], rep)
	}
	return rep, nil
}

// sayDoctorProblems prints each problem of rep as a notice on stderr.
func (a *app) sayDoctorProblems(rep *doctorReport) {
	for _, p := range rep.Problems {
		a.con.say("doctor.problem", fmt.Sprintf("! %s: %s. Fix: %s.", p.Where, p.Problem, p.Fix), "where", p.Where, "problem", p.Problem, "fix", p.Fix)
	}
}

// doctorGate is what plan and rotate ask before anything else: it refuses AWS
// credentials of another account (every IAM call would be refused or act
// on the wrong account) and says what stops sign-in verification, which
// the rotation's preflight decides on.
func (a *app) doctorGate(ctx context.Context, b *backends) error {
	rep, err := a.doctorChecks(ctx, b)
	if err != nil {
		return err
	}
	a.sayDoctorProblems(rep)
	var wrong []string
	for _, p := range rep.Problems {
		if strings.HasPrefix(p.Where, "AWS account ") {
			wrong = append(wrong, p.Where+": "+p.Problem)
		}
	}
	if len(wrong) > 0 {
		return withStatus(exitNo, errors.New("refused before any change: "+strings.Join(wrong, "; ")+" (voicecert doctor says more)"))
	}
	return nil
}
