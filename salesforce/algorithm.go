package salesforce

import (
	"strings"

	"github.com/voicecert/voicecert/rotation"
)

// A connected app's samlConfig.samlSigningAlgoType (SHA1 or SHA256,
// Metadata API WSDL v66) is the algorithm Salesforce signs that app's
// Responses with (reference: Metadata API WSDL v66, ConnectedAppSamlConfig). Discovery notes it; SigningState reports
// it as rotation.AppSigning.Algorithm.

// noteAlgorithm remembers the signing algorithm app is configured with.
func (p *Provider) noteAlgorithm(name, alg string) {
	if alg != "" {
		p.algorithms.Store(name, alg)
	} else {
		p.algorithms.Delete(name)
	}
}

// algorithm returns the signing algorithm discovery noted for the app
// named name, or "" when it has none.
func (p *Provider) algorithm(name string) string {
	alg, _ := p.algorithms.Load(name)
	s, _ := alg.(string)
	return s
}

// signingAlgorithm returns a samlSigningAlgoType (a connected app's) or
// signingAlgorithmType (an External Client App's SAML policies') as a
// rotation algorithm name, or "" when it does not say.
func signingAlgorithm(v string) string {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "SHA1":
		return rotation.AlgorithmSHA1
	case "SHA256":
		return rotation.AlgorithmSHA256
	default:
		return ""
	}
}
