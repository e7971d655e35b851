package samlmeta

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The committed differential corpus (testdata/differential) holds the base
// document with each mutation applied alone and with a few combinations.
// Every document samlmeta accepts is read three ways: samlmeta,
// encoding/xml and libxml2 (xmllint --xpath), which must agree.

var updateDifferential = flag.Bool("update-differential", false, "rewrite testdata/differential from differentialMutations")

const differentialDir = "testdata/differential"

func differentialCorpusOps() [][]byte {
	var out [][]byte
	for i := range differentialMutations {
		out = append(out, []byte{byte(i)})
	}
	return append(out, []byte{12, 13, 15, 16}, []byte{5, 22}, []byte{7, 21, 23}, []byte{10, 24, 26}, []byte{30, 28, 29})
}

func TestDifferentialCorpus(t *testing.T) {
	if *updateDifferential {
		base, cert3 := differentialBase(t)
		require.NoError(t, os.RemoveAll(differentialDir))
		require.NoError(t, os.MkdirAll(differentialDir, 0o755))
		for i, ops := range differentialCorpusOps() {
			name := filepath.Join(differentialDir, fmt.Sprintf("%03d.xml", i))
			require.NoError(t, os.WriteFile(name, applyMutations(base, cert3, ops), 0o644))
		}
	}
	files, err := filepath.Glob(filepath.Join(differentialDir, "*.xml"))
	require.NoError(t, err)
	require.Len(t, files, len(differentialCorpusOps()), "run go test -run TestDifferentialCorpus -update-differential")
	xmllint, lerr := exec.LookPath("xmllint")
	if lerr != nil {
		requireInterop(t, "xmllint")
	}
	accepted := 0
	for _, file := range files {
		doc, err := os.ReadFile(file)
		require.NoError(t, err)
		t.Run(filepath.Base(file), func(t *testing.T) {
			checkDifferential(t, doc)
			m, err := Parse(doc)
			if err != nil {
				return
			}
			accepted++
			if xmllint != "" {
				assert.Equal(t, samlmetaReading(m), libxml2Reading(t, xmllint, file))
			}
		})
	}
	assert.Greater(t, accepted, len(files)/3, "the corpus exercises accepted documents too")
}

const (
	xpEntity = `/*[local-name()='EntityDescriptor' and namespace-uri()='` + NSMetadata + `']`
	xpIDP    = xpEntity + `/*[local-name()='IDPSSODescriptor' and namespace-uri()='` + NSMetadata + `']`
	xpCert   = xpIDP + `/*[local-name()='KeyDescriptor' and namespace-uri()='` + NSMetadata + `'][not(@use) or @use='signing']` +
		`/*[local-name()='KeyInfo' and namespace-uri()='` + NSDSig + `']/*[local-name()='X509Data' and namespace-uri()='` + NSDSig + `']` +
		`/*[local-name()='X509Certificate' and namespace-uri()='` + NSDSig + `']`
	xpEndpoint = xpIDP + `/*[(local-name()='SingleSignOnService' or local-name()='SingleLogoutService') and namespace-uri()='` + NSMetadata + `']`
)

// libxml2Reading reads file with xmllint --xpath.
func libxml2Reading(t *testing.T, xmllint, file string) reading {
	t.Helper()
	query := func(xpath string) string {
		out, err := exec.Command(xmllint, "--nonet", "--xpath", xpath, file).Output()
		if err != nil && len(out) == 0 {
			return "" // xmllint exits non-zero on an empty node-set
		}
		return strings.TrimSuffix(string(out), "\n")
	}
	r := reading{EntityID: query(`string(` + xpEntity + `/@entityID)`)}
	n, err := strconv.Atoi(strings.TrimSpace(query(`count(` + xpEndpoint + `)`)))
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		e := `(` + xpEndpoint + `)[` + strconv.Itoa(i) + `]`
		r.Endpoints = append(r.Endpoints, query(`local-name(`+e+`)`)+" "+query(`string(`+e+`/@Binding)`)+" "+query(`string(`+e+`/@Location)`))
	}
	n, err = strconv.Atoi(strings.TrimSpace(query(`count(` + xpCert + `)`)))
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		r.Signing = append(r.Signing, stripSpace(query(`string((`+xpCert+`)[`+strconv.Itoa(i)+`])`)))
	}
	slices.Sort(r.Signing)
	return r.normalized()
}
