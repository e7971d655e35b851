package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

func (a *app) newDoctorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the credentials, permissions and sessions a rotation needs, changing nothing",
		Long: `doctor asks, without changing anything, whether voicecert can rotate: who it acts as in
Salesforce (user, org id, token kind, OAuth scopes, whether the session can open the UI
session sign-in verification uses) and the permissions a rotation needs; per AWS account
of the org's contact centers, who the credentials are (STS GetCallerIdentity, the profile
and credential source), whether they belong to that account, and which IAM actions of the
policy they may call (the reads are tried; the writes are listed, never called); and per
contact center whether its app's sign-in can be verified (the user's access to the app).
Every problem is printed with how to fix it ("!" lines, the JSON's problems).

doctor exits 0 when everything is ready, 1 when it found a problem, and 3 when it cannot
reach Salesforce or AWS or a credential is refused.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rep, err := a.doctor(cmd.Context())
			if err != nil {
				return err
			}
			a.result(rep)
			if err := printDoctor(a.out(), rep); err != nil {
				return err
			}
			switch {
			case rep.credentialsError:
				return withStatus(exitError, errors.New("a credential was refused or could not be loaded (see the problems above)"))
			case !rep.Ready:
				return silent(exitNo)
			}
			return nil
		},
	}
	addJSON(cmd)
	return cmd
}

// doctorReport is the result of `doctor --json` (docs/schemas/doctor.schema.json).
type doctorReport struct {
	Ready bool `json:"ready"`
	// Problems lists every missing thing with how to fix it; empty when
	// ready.
	Problems   []doctorProblem  `json:"problems"`
	Salesforce doctorSalesforce `json:"salesforce"`
	AWS        []doctorAccount  `json:"aws"`
	// SignIn is whether each contact center's sign-in can be verified.
	SignIn *rotation.SignInReadiness `json:"signIn"`

	credentialsError bool
}

type doctorProblem struct {
	// Where is "Salesforce", "AWS account N" or "contact center X".
	Where   string `json:"where"`
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
}

type doctorSalesforce struct {
	Identity    salesforce.Identity     `json:"identity"`
	Permissions []salesforce.Permission `json:"permissions"`
}

func (r *doctorReport) problem(where, problem, fix string) {
	r.Problems = append(r.Problems, doctorProblem{Where: where, Problem: problem, Fix: fix})
}

func (r *doctorReport) credentialsFailed(where, problem, fix string) {
	r.problem(where, problem, fix)
	r.credentialsError = true
}

// doctor runs every check. An error means Salesforce could not be asked at
// all; AWS credential failures are problems of the report.
func (a *app) doctor(ctx context.Context) (*doctorReport, error) {
	log, idp, err := a.connectOrg()
	if err != nil {
		return nil, err
	}
	rep := &doctorReport{Problems: []doctorProblem{}, AWS: []doctorAccount{}}
	if rep.Salesforce.Identity, err = idp.Identity(ctx); err != nil {
		return nil, err
	}
	if rep.Salesforce.Permissions, err = idp.Permissions(ctx); err != nil {
		return nil, err
	}
	id := rep.Salesforce.Identity
	if id.JWTFormat {
		rep.problem("Salesforce", "the access token is JWT-format, which the Metadata API (SOAP) refuses",
			"turn off \"Issue JSON Web Token (JWT)-based access tokens\" on the app that issues the token")
	}
	for _, p := range rep.Salesforce.Permissions {
		switch {
		case p.Unknown:
		case !p.Granted:
			rep.problem("Salesforce", fmt.Sprintf("%s lacks the permission %s, needed for %s", id.Username, p.Name, p.Needed),
				fmt.Sprintf("grant %s to %s's profile or a permission set assigned to the user", p.Name, id.Username))
		}
	}
	ccs, err := idp.ContactCenters(ctx)
	if err != nil {
		return nil, err
	}
	signIn, err := signInReadiness(ctx, idp, ccs)
	if err != nil {
		return nil, err
	}
	rep.SignIn = &signIn
	readinessProblems(signIn, ccs, rep)
	if _, err := a.conn.relyingParty(ctx, idp, log); err != nil {
		return nil, err
	}
	a.checkAWSAccounts(ctx, ccs, rep)
	rep.Ready = len(rep.Problems) == 0
	return rep, nil
}

// signInReadiness asks checker about the apps of the contact centers that
// have a trust (the ones a rotation verifies).
func signInReadiness(ctx context.Context, checker rotation.SignInChecker, ccs []rotation.ContactCenter) (rotation.SignInReadiness, error) {
	var apps []rotation.AppRef
	for _, cc := range ccs {
		if cc.Trust.ARN != "" {
			apps = append(apps, cc.App)
		}
	}
	return checker.CheckSignIn(ctx, apps)
}

// readinessProblems adds to rep what stops sign-in verification.
func readinessProblems(r rotation.SignInReadiness, ccs []rotation.ContactCenter, rep *doctorReport) {
	if !r.UISession {
		rep.problem("Salesforce", "sign-in verification cannot open a UI session: "+r.Why,
			"use a token with the web or full scope, or rotate with structural verification only")
	}
	byApp := map[string]string{}
	for _, cc := range ccs {
		byApp[cc.App.Name] = cc.Name
	}
	for _, app := range r.Apps {
		if !app.Access {
			rep.problem("contact center "+byApp[app.App.Name], "the sign-in to "+app.App.String()+" cannot be verified: "+app.Why,
				"give the user access to the app as said, or rotate with structural verification only")
		}
	}
}

func printDoctor(w io.Writer, r *doctorReport) error {
	id := r.Salesforce.Identity
	scopes := "unknown (" + string(id.TokenKind) + " token)"
	if id.ScopesFrom != "" {
		scopes = strings.Join(id.Scopes, " ") + " (from the " + id.ScopesFrom + ")"
	}
	fmt.Fprintf(w, "Salesforce: %s (%s) in org %s at %s\n", id.Username, id.UserID, id.OrgID, id.InstanceURL)
	fmt.Fprintf(w, "  token: %s; scopes: %s; UI session: %s\n", id.TokenKind, scopes, yesNo(id.UISession))
	for _, p := range r.Salesforce.Permissions {
		state := yesNo(p.Granted)
		if p.Unknown {
			state = "unknown"
		}
		fmt.Fprintf(w, "  permission %s: %s\n", p.Name, state)
	}
	for _, acct := range r.AWS {
		fmt.Fprintf(w, "AWS account %s: %s (account %s) via %s\n", acct.Account, orDash(acct.CallerARN), orDash(acct.CallerAccount),
			orDash(strings.TrimSpace(acct.Profile+" "+acct.CredentialSource)))
		for _, act := range acct.Actions {
			fmt.Fprintf(w, "  %-26s %-9s %s\n", act.Action, act.Status, act.Resource)
		}
	}
	if r.SignIn != nil {
		for _, app := range r.SignIn.Apps {
			fmt.Fprintf(w, "Sign-in to %s: %s\n", app.App, map[bool]string{true: "can be verified", false: "CANNOT be verified"}[app.Access && r.SignIn.UISession])
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "! %s: %s. Fix: %s.\n", p.Where, p.Problem, p.Fix)
	}
	if r.Ready {
		_, err := fmt.Fprintln(w, "Ready: voicecert can rotate and verify every contact center.")
		return err
	}
	_, err := fmt.Fprintf(w, "Not ready: %d problem(s) above.\n", len(r.Problems))
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
