package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// checkJSONReport is the part of check --json the metrics carry.
type checkJSONReport struct {
	Report struct {
		CheckedAt time.Time `json:"checkedAt"`
		Default   struct {
			Certificate jsonCert `json:"certificate"`
			DaysLeft    int      `json:"daysLeft"`
		} `json:"default"`
		ContactCenters []struct {
			ContactCenter struct {
				Name string `json:"name"`
				App  struct {
					Name string `json:"name"`
				} `json:"app"`
				Trust struct {
					Account string `json:"account"`
					ARN     string `json:"arn"`
				} `json:"trust"`
			} `json:"contactCenter"`
			Effective struct {
				Certificate jsonCert `json:"certificate"`
				DaysLeft    int      `json:"daysLeft"`
			} `json:"effective"`
			Pinned            bool     `json:"pinned"`
			TrustAgrees       bool     `json:"trustAgrees"`
			TrustCertificates []string `json:"trustCertificates"`
			Problems          []string `json:"problems"`
		} `json:"contactCenters"`
	} `json:"report"`
}

type jsonCert struct {
	Name      string    `json:"name"`
	SHA256    string    `json:"sha256"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
}

// series maps each sample of the families, keyed by name and sorted
// labels, to its value.
func series(t *testing.T, text string) map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	require.NoError(t, err, text)
	out := map[string]float64{}
	for name, mf := range mfs {
		require.Equal(t, dto.MetricType_GAUGE, mf.GetType(), name)
		require.True(t, strings.HasPrefix(name, "voicecert_"), name)
		for _, m := range mf.GetMetric() {
			out[seriesKey(name, m.GetLabel())] = m.GetGauge().GetValue()
		}
	}
	return out
}

func seriesKey(name string, labels []*dto.LabelPair) string {
	var b strings.Builder
	b.WriteString(name + "{")
	for _, l := range labels {
		if l.GetValue() != "" {
			b.WriteString(l.GetName() + "=" + l.GetValue() + ",")
		}
	}
	return b.String() + "}"
}

func key(name string, kv ...string) string {
	var labels []*dto.LabelPair
	for i := 0; i+1 < len(kv); i += 2 {
		labels = append(labels, &dto.LabelPair{Name: &kv[i], Value: &kv[i+1]})
	}
	slices.SortFunc(labels, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	return seriesKey(name, labels)
}

// requireMatchesCheck asserts that the metrics say what check --json says.
func requireMatchesCheck(t *testing.T, got map[string]float64, c checkJSONReport) {
	t.Helper()
	org := sandbox.OrgID[:15]
	d := c.Report.Default
	def := []string{"org_id", org, "certificate", d.Certificate.Name, "role", "default", "sha256", d.Certificate.SHA256}
	assert.Equal(t, float64(d.Certificate.NotAfter.Unix()), got[key("voicecert_certificate_expiration_timestamp_seconds", def...)])
	assert.Equal(t, float64(d.DaysLeft), got[key("voicecert_certificate_days_left", def...)])
	require.NotEmpty(t, c.Report.ContactCenters)
	for _, cc := range c.Report.ContactCenters {
		e := cc.Effective
		trust := []string{"org_id", org, "contact_center", cc.ContactCenter.Name, "app", cc.ContactCenter.App.Name,
			"account", cc.ContactCenter.Trust.Account, "trust_arn", cc.ContactCenter.Trust.ARN}
		cert := append(append([]string(nil), trust[:8]...), "trust_arn", cc.ContactCenter.Trust.ARN, "sha256", e.Certificate.SHA256,
			"certificate", e.Certificate.Name, "role", "app")
		exp, ok := got[key("voicecert_certificate_expiration_timestamp_seconds", cert...)]
		require.True(t, ok, "no expiry of %s in %v", cc.ContactCenter.Name, got)
		assert.Equal(t, float64(e.Certificate.NotAfter.Unix()), exp)
		assert.Equal(t, float64(e.Certificate.NotBefore.Unix()), got[key("voicecert_certificate_not_before_timestamp_seconds", cert...)])
		assert.Equal(t, float64(e.DaysLeft), got[key("voicecert_certificate_days_left", cert...)])
		assert.Equal(t, boolValue(cc.TrustAgrees), got[key("voicecert_trust_agreement", trust...)], cc.ContactCenter.Name)
		assert.Equal(t, boolValue(cc.Pinned), got[key("voicecert_app_pinned", trust...)], cc.ContactCenter.Name)
		assert.Equal(t, float64(len(cc.Problems)), got[key("voicecert_contact_center_problems", trust...)], cc.ContactCenter.Name)
		for _, fp := range cc.TrustCertificates {
			assert.Equal(t, 1.0, got[key("voicecert_trust_certificate_info", append(trust, "sha256", fp, "role", "trust")...)])
		}
	}
	assert.Equal(t, 1.0, got[key("voicecert_check_success", "org_id", org)])
}

// checkJSON runs check --json and returns its report.
func checkJSON(t *testing.T) (checkJSONReport, int) {
	t.Helper()
	out, _, code := cli(t, "", "check", "--json")
	var c checkJSONReport
	envelopeOf(t, out, "check", &c)
	return c, code
}

// disagreeingSandbox is a sandbox in which one app signs with a certificate
// its IAM trust does not hold.
func disagreeingSandbox(t *testing.T) *sandbox.World {
	t.Helper()
	w := sandboxEnv(t, sandbox.Options{ContactCenters: 3, Accounts: 2})
	w.Org.AddCertificate("Stray_Cert", 2048)
	require.NoError(t, w.Org.SetAppCertificate(w.ContactCenters[0].App, "Stray_Cert"))
	return w
}

func TestCheckOpenMetricsMatchesCheckJSON(t *testing.T) {
	disagreeingSandbox(t)
	c, jsonCode := checkJSON(t)
	out, stderr, code := cli(t, "", "check", "--format", "openmetrics")
	assert.Equal(t, jsonCode, code, stderr)
	assert.True(t, strings.HasSuffix(out, "# EOF\n"), "an OpenMetrics exposition ends with # EOF:\n%s", out)
	got := series(t, out)
	requireMatchesCheck(t, got, c)
	assert.Contains(t, got, key("voicecert_trust_agreement", "org_id", sandbox.OrgID[:15], "contact_center", c.Report.ContactCenters[0].ContactCenter.Name,
		"app", c.Report.ContactCenters[0].ContactCenter.App.Name, "account", c.Report.ContactCenters[0].ContactCenter.Trust.Account,
		"trust_arn", c.Report.ContactCenters[0].ContactCenter.Trust.ARN))
	assert.False(t, c.Report.ContactCenters[0].TrustAgrees, "the stray certificate is not trusted")

	_, _, code = cli(t, "", "check", "--format", "yaml")
	assert.Equal(t, exitUsage, code)
}

// addressWriter is stderr that reports the address the exporter prints.
type addressWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	once sync.Once
}

var servingLine = regexp.MustCompile(`Serving metrics on (http://\S+/metrics)`)

func (w *addressWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := servingLine.FindStringSubmatch(w.buf.String()); m != nil {
		w.once.Do(func() { w.addr <- m[1] })
	}
	return len(p), nil
}

func scrape(t *testing.T, url, accept string) (string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b), resp.Header.Get("Content-Type")
}

func TestExporterServesWhatCheckSays(t *testing.T) {
	w := disagreeingSandbox(t)
	c, _ := checkJSON(t)
	stderr := &addressWriter{addr: make(chan string, 1)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"exporter", "--listen", "127.0.0.1:0", "--min-interval", "1h"}, strings.NewReader(""), io.Discard, stderr)
	}()
	var url string
	select {
	case url = <-stderr.addr:
	case code := <-done:
		t.Fatalf("exporter exited %d: %s", code, stderr.buf.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the exporter printed no address")
	}

	text, ctype := scrape(t, url, "")
	assert.Contains(t, ctype, "text/plain")
	requireMatchesCheck(t, series(t, text), c)

	calls := len(w.Org.Calls())
	om, ctype := scrape(t, url, "application/openmetrics-text; version=1.0.0")
	assert.Contains(t, ctype, "application/openmetrics-text")
	assert.True(t, strings.HasSuffix(om, "# EOF\n"))
	requireMatchesCheck(t, series(t, om), c)
	assert.Equal(t, calls, len(w.Org.Calls()), "a scrape within --min-interval reuses the last check")

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitOK, code, "the exporter stops cleanly: %s", stderr.buf.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the exporter did not stop")
	}
}

func TestExporterReportsAFailedCheck(t *testing.T) {
	var calls int
	col := &checkCollector{orgID: "00D000000000001", now: time.Now, minInterval: 0, timeout: time.Second,
		check: func(context.Context) (*rotation.Report, error) {
			calls++
			if calls > 1 {
				return nil, context.DeadlineExceeded
			}
			return &rotation.Report{}, nil
		}}
	var b bytes.Buffer
	require.NoError(t, writeOpenMetrics(&b, newCheckRegistry(col)))
	got := series(t, b.String())
	assert.Equal(t, 1.0, got[key("voicecert_check_success", "org_id", "00D000000000001")])
	b.Reset()
	require.NoError(t, writeOpenMetrics(&b, newCheckRegistry(col)))
	got = series(t, b.String())
	assert.Equal(t, 0.0, got[key("voicecert_check_success", "org_id", "00D000000000001")])
	assert.Contains(t, got, key("voicecert_certificate_days_left", "org_id", "00D000000000001", "role", "default"),
		"the last good check's series stay")
	assert.Equal(t, 2, calls)
}

// Every metric the collector describes is documented in docs/metrics.md,
// and the document names no other.
func TestMetricsAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "metrics.md"))
	require.NoError(t, err)
	ch := make(chan *prometheus.Desc, 32)
	(&checkCollector{}).Describe(ch)
	close(ch)
	fq := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	var described []string
	for d := range ch {
		m := fq.FindStringSubmatch(d.String())
		require.NotNil(t, m, d.String())
		described = append(described, m[1])
		assert.Contains(t, string(doc), "| `"+m[1]+"` |", "docs/metrics.md documents %s", m[1])
	}
	for _, m := range regexp.MustCompile("\\| `(voicecert_[a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		assert.Contains(t, described, m[1])
	}
}
