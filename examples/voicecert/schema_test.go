package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// schemaDir holds the JSON Schema of every command's --json envelope.
var schemaDir = filepath.Join("..", "..", "docs", "schemas")

const schemaBase = "https://github.com/voicecert/voicecert/docs/schemas/"

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

// compiledSchemas compiles every schema of docs/schemas once.
func compiledSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	schemasOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join(schemaDir, "*.schema.json"))
		if err != nil || len(files) == 0 {
			schemasErr = err
			if schemasErr == nil {
				schemasErr = os.ErrNotExist
			}
			return
		}
		c := jsonschema.NewCompiler()
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				schemasErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
			if err != nil {
				schemasErr = err
				return
			}
			if err := c.AddResource(schemaBase+filepath.Base(f), doc); err != nil {
				schemasErr = err
				return
			}
		}
		schemas = map[string]*jsonschema.Schema{}
		for _, f := range files {
			s, err := c.Compile(schemaBase + filepath.Base(f))
			if err != nil {
				schemasErr = err
				return
			}
			schemas[strings.TrimSuffix(filepath.Base(f), ".schema.json")] = s
		}
	})
	require.NoError(t, schemasErr)
	return schemas
}

// testEnvelope is the parsed --json document of a command.
type testEnvelope struct {
	SchemaVersion int             `json:"schemaVersion"`
	Command       string          `json:"command"`
	ExitStatus    int             `json:"exitStatus"`
	Result        json.RawMessage `json:"result"`
	Error         *struct {
		Message, Hint, Journal, Next string
	} `json:"error"`
}

// envelopeOf validates out against the schema of command and parses it;
// result, when not nil, receives the envelope's result.
func envelopeOf(t *testing.T, out, command string, result any) testEnvelope {
	t.Helper()
	s, ok := compiledSchemas(t)[strings.ReplaceAll(command, " ", "-")]
	require.True(t, ok, "no schema for %q in docs/schemas", command)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	require.NoError(t, err, "stdout is one JSON document: %q", out)
	require.NoError(t, s.Validate(inst), "stdout of %s --json:\n%s", command, out)
	var env testEnvelope
	require.NoError(t, json.Unmarshal([]byte(out), &env))
	require.Equal(t, command, env.Command)
	if result != nil {
		require.NoError(t, json.Unmarshal(env.Result, result), out)
	}
	return env
}

// jsonLines parses stderr written with --log-format json: every line is a
// JSON object.
func jsonLines(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "stderr line is not JSON: %q", sc.Text())
		lines = append(lines, m)
	}
	return lines
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
