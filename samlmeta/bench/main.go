// Command bench times samlmeta's verifiers against libxmlsec1 on the same
// documents and keys in one run, and writes the ratios into
// docs/benchmarks.md. libxmlsec1 runs in-process through python-xmlsec
// (Debian python3-xmlsec), by xmlsec_bench.py next to this file.
//
// Usage, from the repository root:
//
//	go run ./samlmeta/bench -write docs/benchmarks.md
//
// The Go side uses testing.Benchmark, the harness of go test -bench. Each
// operation is timed in several rounds alternating with the Python side;
// the medians are reported.
package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/voicecert/voicecert/samlmeta"
)

// A case is one operation on one document, timed on both sides.
type benchCase struct {
	Name       string `json:"name"`
	Doc        string `json:"doc"`
	Cert       string `json:"cert"`
	Signatures int    `json:"signatures"`

	bits int
	op   string
	run  func() error
}

type key struct {
	priv *rsa.PrivateKey
	cert *samlmeta.Cert
}

var now = time.Now()

func newKey(bits int, cn string) key {
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	check(err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(bits)), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	check(err)
	c, err := samlmeta.ParseCertDER(der)
	check(err)
	return key{priv, c}
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// cases writes the documents and certificates into dir and returns the
// cases over them.
func cases(dir string) []benchCase {
	var out []benchCase
	clock := samlmeta.WithClock(func() time.Time { return now })
	for _, bits := range []int{2048, 4096} {
		old, nw := newKey(bits, "old"), newKey(bits, "new")
		md, err := samlmeta.Build(samlmeta.BuildSpec{
			EntityID:     "https://example.my.salesforce.com",
			SSOServices:  []samlmeta.Endpoint{{Binding: samlmeta.BindingHTTPPost, Location: "https://example.my.salesforce.com/idp/endpoint/HttpPost"}},
			Certificates: []*samlmeta.Cert{old.cert, nw.cert},
		})
		check(err)
		signed, err := samlmeta.Sign(md, nw.priv, nw.cert)
		check(err)
		resp, err := samlmeta.IssueResponse(samlmeta.ResponseSpec{
			Issuer: "https://example.my.salesforce.com", Destination: "https://signin.aws.amazon.com/saml",
			Audience: "https://signin.aws.amazon.com/saml", NameID: "agent@example.com", IssueInstant: now,
			Attributes: []samlmeta.Attribute{
				{Name: samlmeta.AttrRole, Values: []string{"arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:saml-provider/p"}},
				{Name: samlmeta.AttrRoleSessionName, Values: []string{"agent@example.com"}},
			},
			SignResponse: true, SignAssertion: true,
		}, nw.priv, nw.cert)
		check(err)
		certFile := fmt.Sprintf("cert-%d.pem", bits)
		mdFile, respFile := fmt.Sprintf("metadata-%d.xml", bits), fmt.Sprintf("response-%d.xml", bits)
		check(os.WriteFile(filepath.Join(dir, certFile), nw.cert.PEM(), 0o600))
		check(os.WriteFile(filepath.Join(dir, mdFile), signed, 0o600))
		check(os.WriteFile(filepath.Join(dir, respFile), resp, 0o600))
		trusted := []*samlmeta.Cert{old.cert, nw.cert}
		out = append(out,
			benchCase{Name: fmt.Sprintf("VerifySignature-%d", bits), Doc: mdFile, Cert: certFile, Signatures: 1, bits: bits, op: "VerifySignature",
				run: func() error { _, err := samlmeta.VerifySignature(signed, trusted, clock); return err }},
			benchCase{Name: fmt.Sprintf("VerifyResponse-%d", bits), Doc: respFile, Cert: certFile, Signatures: 2, bits: bits, op: "VerifyResponse",
				run: func() error { _, err := samlmeta.VerifyResponse(resp, []*samlmeta.Cert{nw.cert}, clock); return err }})
		digest := sha256.Sum256(signed)
		value, err := rsa.SignPKCS1v15(rand.Reader, nw.priv, crypto.SHA256, digest[:])
		check(err)
		pub := &nw.priv.PublicKey
		out = append(out, benchCase{Name: fmt.Sprintf("RSAFloor-%d", bits), bits: bits, op: "rsa.VerifyPKCS1v15",
			run: func() error { return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], value) }})
	}
	return out
}

func goNs(c benchCase) float64 {
	check(c.run())
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if err := c.run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	return float64(r.T.Nanoseconds()) / float64(r.N)
}

func pythonNs(python, script, dir string) map[string]float64 {
	out, err := exec.Command(python, script, dir).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			log.Fatalf("%s %s: %v\n%s", python, script, err, ee.Stderr)
		}
		log.Fatal(err)
	}
	m := map[string]float64{}
	check(json.Unmarshal(out, &m))
	return m
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func main() {
	write := flag.String("write", "", "markdown file whose samlmeta-vs-libxmlsec1 section is replaced (printed when empty)")
	python := flag.String("python", "python3", "Python interpreter with the xmlsec module (Debian python3-xmlsec)")
	rounds := flag.Int("rounds", 3, "rounds alternating the Go and Python sides")
	flag.Parse()
	testing.Init()

	dir, err := os.MkdirTemp("", "samlmeta-bench-")
	check(err)
	defer os.RemoveAll(dir)
	cs := cases(dir)
	var manifest []benchCase
	for _, c := range cs {
		if c.Doc != "" {
			manifest = append(manifest, c)
		}
	}
	mj, err := json.Marshal(manifest)
	check(err)
	check(os.WriteFile(filepath.Join(dir, "manifest.json"), mj, 0o600))
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "xmlsec_bench.py")

	loadBefore := loadAverage()
	goT, pyT := map[string][]float64{}, map[string][]float64{}
	for range *rounds {
		for _, c := range cs {
			goT[c.Name] = append(goT[c.Name], goNs(c))
		}
		for name, ns := range pythonNs(*python, script, dir) {
			pyT[name] = append(pyT[name], ns)
		}
	}
	load := loadBefore + " before, " + loadAverage() + " after"
	section := render(cs, goT, pyT, "go run ./samlmeta/bench -write docs/benchmarks.md", load)
	if *write == "" {
		fmt.Print(section)
		return
	}
	check(replaceSection(*write, section))
}

const marker = "<!-- samlmeta-vs-libxmlsec1 -->"

// replaceSection puts section between the two markers of file, or appends
// it with its markers.
func replaceSection(file, section string) error {
	old, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	block := marker + "\n" + section + marker + "\n"
	parts := strings.Split(string(old), marker+"\n")
	var out string
	if len(parts) == 3 {
		out = parts[0] + block + parts[2]
	} else {
		out = strings.TrimRight(string(old), "\n") + "\n\n" + block
	}
	return os.WriteFile(file, []byte(out), 0o644)
}

// loadAverage is the one-minute load average, where the system shows it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

func render(cs []benchCase, goT, pyT map[string][]float64, command, load string) string {
	var b bytes.Buffer
	us := func(ns float64) string { return fmt.Sprintf("%.0f µs", ns/1e3) }
	fmt.Fprintf(&b, "## samlmeta against libxmlsec1\n\n")
	fmt.Fprintf(&b, "What is measured (`samlmeta/bench`): the same documents and keys, generated in the run, verified by\n"+
		"samlmeta and by libxmlsec1 in-process (python-xmlsec, Debian `python3-xmlsec`: parse with lxml, register `ID`, verify\n"+
		"every signature with the signing certificate). `VerifySignature`: signed metadata with two signing certificates;\n"+
		"`VerifyResponse`: a Response with the Response and the Assertion signed, read and checked. Go's RSA floor is\n"+
		"`rsa.VerifyPKCS1v15` alone. Medians of %d rounds alternating both sides.\n\n", len(goT[cs[0].Name]))
	fmt.Fprintf(&b, "Command (from the repository root; `-python` names another interpreter when `python3` lacks the xmlsec module):\n\n```sh\n%s\n```\n\n", command)
	fmt.Fprintf(&b, "Machine: %d CPUs, `%s %s/%s`, run on %s, load average %s (other builds share the machine:\n"+
		"compare the ratios, which both sides suffer alike, rather than the times).\n\n",
		runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), load)
	fmt.Fprintf(&b, "| operation | RSA bits | samlmeta | libxmlsec1 | ratio | target |\n|---|---|---|---|---|---|\n")
	targets := map[string]string{"VerifySignature": "≤ 1.3×", "VerifyResponse": "≤ 1.5×"}
	for _, c := range cs {
		g := median(goT[c.Name])
		if c.Doc == "" {
			fmt.Fprintf(&b, "| %s (Go's RSA floor) | %d | %s | | | |\n", c.op, c.bits, us(g))
			continue
		}
		p := median(pyT[c.Name])
		target := ""
		if c.bits == 2048 {
			target = targets[c.op]
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %.2f× | %s |\n", c.op, c.bits, us(g), us(p), g/p, target)
	}
	b.WriteString("\n")
	return b.String()
}
