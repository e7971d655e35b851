package temporal

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The core module must not depend on the Temporal SDK: only this module
// does.
func TestCoreModuleDoesNotRequireTemporal(t *testing.T) {
	for _, f := range []string{"../go.mod", "../go.sum"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NotContains(t, string(b), "go.temporal.io", f)
	}
	b, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	require.True(t, strings.Contains(string(b), "go.temporal.io/sdk v1.51.0"), "this module requires the SDK")
}
