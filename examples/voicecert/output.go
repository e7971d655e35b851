package main

import (
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// schemaVersion is the version of every --json envelope; docs/schemas holds
// one JSON Schema per command.
const schemaVersion = 1

// envelope is the one JSON document a command prints with --json.
type envelope struct {
	SchemaVersion int    `json:"schemaVersion"`
	Command       string `json:"command"`
	ExitStatus    int    `json:"exitStatus"`
	// Result is the command's own report; null when it failed before it
	// had one.
	Result any `json:"result"`
	// Error is why the exit status is not 0, null when it is.
	Error *jsonError `json:"error"`
}

type jsonError struct {
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// Journal and Next are set when something is left applied: the journal
	// and the command that finishes or undoes the rotation.
	Journal string `json:"journal,omitempty"`
	Next    string `json:"next,omitempty"`
}

// addJSON gives cmd the --json flag.
func addJSON(cmd *cobra.Command) {
	cmd.Flags().Bool("json", false, "print one JSON document (see docs/schemas) instead of text")
}

// wantJSON sets up the envelope when cmd was given --json.
func (a *app) wantJSON(cmd *cobra.Command) {
	if f := cmd.Flags().Lookup("json"); f != nil && f.Value.String() == "true" {
		a.json = &envelope{Command: strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")}
	}
}

// out is where a command prints its text report: stdout, or nowhere with
// --json (stdout is then the envelope alone).
func (a *app) out() io.Writer {
	if a.json != nil {
		return io.Discard
	}
	return a.stdout
}

// result records the command's report for the envelope.
func (a *app) result(v any) {
	if a.json != nil {
		a.json.Result = v
	}
}

func (e *envelope) write(w io.Writer, code int, err error) error {
	e.SchemaVersion, e.ExitStatus = schemaVersion, code
	if err != nil {
		msg, hint := explain(err)
		e.Error = &jsonError{Message: msg, Hint: hint}
		var la *leftAppliedError
		if errors.As(err, &la) {
			e.Error.Journal, e.Error.Next = la.journal, la.next
		}
	}
	return writeJSON(w, e)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
