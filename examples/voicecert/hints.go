package main

import (
	"errors"
	"strings"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

// hintFor says what to do about err, or "" when the message says it all.
func hintFor(err error) string {
	var ne *networkError
	var ae *aws.APIError
	var he *hintedError
	var ge *rotation.ManualGateError
	switch {
	case errors.As(err, &he):
		return he.hint
	case errors.As(err, &ge) && ge.TimedOut:
		return "nobody made the change within --manual-timeout " + formatDuration(ge.Timeout) + ": run again and follow the instructions, allow longer with --manual-timeout, " +
			`or set the app's IdP Certificate to "Default IdP Certificate" once so rotations need no person`
	case invalidSession(err):
		return `Salesforce refused the session (INVALID_SESSION_ID). Get a valid token for the credential you use:
SALESFORCE_ACCESS_TOKEN: a fresh one from "sf org auth show-access-token --target-org ALIAS" (tokens expire);
--sf-target-org: log in again with "sf org login web --alias ALIAS";
JWT bearer: the connected app's consumer key, the user (--sf-username, pre-authorised for the app) and the certificate of --sf-jwt-key-file;
client credentials: the consumer secret and the connected app's run-as user. JWT-format access tokens are refused by the Metadata API.`
	case errors.As(err, &ne):
		return "check the URL and that " + ne.host + " is reachable from here (proxy, firewall, VPN); --connect-timeout and --timeout set how long voicecert waits"
	case errors.As(err, &ae) && ae.Code == "AccessDenied":
		return "AWS account " + ae.Account + " refused " + ae.Op + ": the credentials used for it are not that account's, or lack the policy in the README. " +
			"Map the account to its profile with --aws-profile " + ae.Account + "=PROFILE (or VOICECERT_AWS_PROFILES); without a mapping the default credential chain is used"
	case strings.Contains(err.Error(), "connection refused"):
		return "nothing listens at that address: check the URL (SALESFORCE_INSTANCE_URL, AWS_ENDPOINT_URL_IAM, the profile's endpoint_url)"
	}
	return ""
}

func invalidSession(err error) bool {
	var f *salesforce.SOAPFault
	if errors.As(err, &f) && f.Code == salesforce.CodeInvalidSession {
		return true
	}
	var a *salesforce.APIError
	return errors.As(err, &a) && a.ErrorCode == salesforce.CodeInvalidSession
}
