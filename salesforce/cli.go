package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"golang.org/x/oauth2"
)

// redactedPrefix starts the accessToken that `sf org display` prints since
// @salesforce/cli 2.136.8.
const redactedPrefix = "[REDACTED]"

// CLI reuses a login of the Salesforce CLI. Each Token call runs
// `sf org display --target-org <TargetOrg> --json` for the instance URL and
// API version, then `sf org auth show-access-token --target-org <TargetOrg>
// --json` for the token (newer CLIs redact it from org display; the command
// also refreshes the login). With an older CLI, which lacks that command,
// the token of org display is used when it is not redacted.
//
// The token carries instance_url and api_version extras. The Client does not
// adopt api_version: it speaks APIVersion (66.0 unless set).
type CLI struct {
	// TargetOrg is the CLI alias or username; the CLI's default org when
	// empty.
	TargetOrg string
	// Executable is the CLI's name or path, "sf" when empty.
	Executable string
}

// Token implements oauth2.TokenSource with context.Background.
func (s *CLI) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext implements ContextTokenSource.
func (s *CLI) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	var display struct {
		AccessToken string `json:"accessToken"`
		InstanceURL string `json:"instanceUrl"`
		APIVersion  string `json:"apiVersion"`
	}
	if err := s.run(ctx, &display, "org", "display"); err != nil {
		return nil, err
	}
	if display.InstanceURL == "" {
		return nil, errors.New("salesforce: sf org display reported no instanceUrl")
	}
	var shown struct {
		AccessToken string `json:"accessToken"`
	}
	err := s.run(ctx, &shown, "org", "auth", "show-access-token")
	token := shown.AccessToken
	if err != nil || token == "" {
		if display.AccessToken == "" || strings.HasPrefix(display.AccessToken, redactedPrefix) {
			if err == nil {
				err = errors.New("no accessToken in its result")
			}
			return nil, fmt.Errorf("salesforce: sf org display redacts the access token and sf org auth show-access-token failed (update the Salesforce CLI): %w", err)
		}
		token = display.AccessToken
	}
	return (&oauth2.Token{AccessToken: token, TokenType: "Bearer"}).WithExtra(map[string]any{
		"instance_url": display.InstanceURL,
		"api_version":  display.APIVersion,
	}), nil
}

// run executes the CLI with --json and decodes its result into out. Errors
// carry the CLI's status, name and message, never its output otherwise.
func (s *CLI) run(ctx context.Context, out any, args ...string) error {
	exe := s.Executable
	if exe == "" {
		exe = "sf"
	}
	if s.TargetOrg != "" {
		args = append(args, "--target-org", s.TargetOrg)
	}
	args = append(args, "--json")
	cmd := exec.CommandContext(ctx, exe, args...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	runErr := cmd.Run()
	what := exe + " " + strings.Join(args[:len(args)-1], " ")
	var env struct {
		Status  int             `json:"status"`
		Name    string          `json:"name"`
		Message string          `json:"message"`
		Result  json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &env); err != nil {
		if runErr != nil {
			return fmt.Errorf("salesforce: %s: %w", what, runErr)
		}
		return fmt.Errorf("salesforce: %s: output is not the CLI's JSON", what)
	}
	if env.Status != 0 || runErr != nil {
		return fmt.Errorf("salesforce: %s: status %d %s: %s", what, env.Status, env.Name, env.Message)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("salesforce: %s: unexpected result: %w", what, err)
	}
	return nil
}
