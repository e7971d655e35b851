package salesforce

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/voicecert/voicecert/rotation"
)

// Discovery notes each app's samlSigningAlgoType, and the signing state
// reports it; an app without one reports none.
func TestSigningAlgorithmOfAnApp(t *testing.T) {
	p := &Provider{}
	for _, tc := range []struct {
		name string
		cfg  *ConnectedAppSamlConfig
		want string
	}{
		{"A", &ConnectedAppSamlConfig{SamlSigningAlgoType: "SHA1"}, rotation.AlgorithmSHA1},
		{"B", &ConnectedAppSamlConfig{SamlSigningAlgoType: "SHA256"}, rotation.AlgorithmSHA256},
		{"C", &ConnectedAppSamlConfig{}, ""},
		{"D", nil, ""},
	} {
		var alg string
		if tc.cfg != nil {
			alg = signingAlgorithm(tc.cfg.SamlSigningAlgoType)
		}
		p.noteAlgorithm(tc.name, alg)
		assert.Equal(t, tc.want, p.algorithm(tc.name), "app %s", tc.name)
	}
	p.noteAlgorithm("A", "")
	assert.Empty(t, p.algorithm("A"), "a later discovery that finds none forgets it")
}
