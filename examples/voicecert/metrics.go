package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/voicecert/voicecert/rotation"
)

// The metrics of check --format openmetrics and of the exporter
// (docs/metrics.md). Certificate series carry role="default" (the org's
// IdP certificate) or role="app" (a contact center's effective
// certificate); the certificates an IAM trust holds are
// voicecert_trust_certificate_info with role="trust".
var (
	certLabels  = []string{"org_id", "contact_center", "app", "account", "trust_arn", "sha256", "certificate", "role"}
	trustLabels = []string{"org_id", "contact_center", "app", "account", "trust_arn"}

	descExpiry = prometheus.NewDesc("voicecert_certificate_expiration_timestamp_seconds",
		"The certificate's notAfter, in seconds since the Unix epoch.", certLabels, nil)
	descNotBefore = prometheus.NewDesc("voicecert_certificate_not_before_timestamp_seconds",
		"The certificate's notBefore, in seconds since the Unix epoch.", certLabels, nil)
	descDaysLeft = prometheus.NewDesc("voicecert_certificate_days_left",
		"Whole days until the certificate expires, as check reports them (negative once expired).", certLabels, nil)
	descAgrees = prometheus.NewDesc("voicecert_trust_agreement",
		"1 when the contact center's IAM SAML provider trusts its app's effective certificate, else 0.", trustLabels, nil)
	descPinned = prometheus.NewDesc("voicecert_app_pinned",
		"1 when the contact center's connected app names its own IdP certificate instead of the org default, else 0.", trustLabels, nil)
	descProblems = prometheus.NewDesc("voicecert_contact_center_problems",
		"How many problems check found for the contact center (0 when healthy).", trustLabels, nil)
	descTrustCert = prometheus.NewDesc("voicecert_trust_certificate_info",
		"1 for each signing certificate the contact center's IAM SAML provider holds.",
		[]string{"org_id", "contact_center", "app", "account", "trust_arn", "sha256", "role"}, nil)
	descSuccess = prometheus.NewDesc("voicecert_check_success",
		"1 when the last check succeeded, else 0 (the other series are then those of the last check that succeeded).", []string{"org_id"}, nil)
	descCheckTime = prometheus.NewDesc("voicecert_check_timestamp_seconds",
		"When the last check ran, in seconds since the Unix epoch.", []string{"org_id"}, nil)
	descLastSuccess = prometheus.NewDesc("voicecert_check_last_success_timestamp_seconds",
		"When the last check that succeeded ran, in seconds since the Unix epoch (absent before the first).", []string{"org_id"}, nil)
	descDuration = prometheus.NewDesc("voicecert_check_duration_seconds",
		"How long the last check took.", []string{"org_id"}, nil)
)

// checkCollector is a prometheus.Collector that runs the check when
// scraped, at most once per minInterval: a scrape within minInterval of
// the last check is answered from it, which bounds the Salesforce and AWS
// API calls whatever the scrape interval. Concurrent scrapes wait for one
// check.
type checkCollector struct {
	// base bounds every check: the command's context, so that a check
	// in progress stops when the exporter does.
	base        context.Context
	orgID       string
	check       func(context.Context) (*rotation.Report, error)
	minInterval time.Duration
	timeout     time.Duration
	now         func() time.Time

	mu          sync.Mutex
	ran         bool
	checkedAt   time.Time
	duration    time.Duration
	err         error
	good        *rotation.Report
	lastSuccess time.Time
}

func (c *checkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descExpiry, descNotBefore, descDaysLeft, descAgrees, descPinned, descProblems,
		descTrustCert, descSuccess, descCheckTime, descLastSuccess, descDuration} {
		ch <- d
	}
}

// refresh runs the check when none ran within minInterval.
func (c *checkCollector) refresh() {
	start := c.now()
	if c.ran && start.Sub(c.checkedAt) < c.minInterval {
		return
	}
	base := c.base
	if base == nil {
		base = context.Background()
	}
	ctx, cancel := context.WithTimeout(base, c.timeout)
	defer cancel()
	r, err := c.check(ctx)
	c.ran, c.checkedAt, c.duration, c.err = true, start, c.now().Sub(start), err
	if err == nil {
		if !r.CheckedAt.IsZero() {
			c.checkedAt = r.CheckedAt
		}
		c.good, c.lastSuccess = r, c.checkedAt
	}
}

func (c *checkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refresh()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(descSuccess, boolValue(c.err == nil), c.orgID)
	gauge(descCheckTime, unixSeconds(c.checkedAt), c.orgID)
	gauge(descDuration, c.duration.Seconds(), c.orgID)
	if c.good == nil {
		return
	}
	gauge(descLastSuccess, unixSeconds(c.lastSuccess), c.orgID)
	r := c.good
	cert := func(s rotation.CertificateStatus, role string, labels ...string) {
		labels = append(labels, s.Certificate.SHA256, s.Certificate.Name, role)
		gauge(descExpiry, unixSeconds(s.Certificate.NotAfter), labels...)
		gauge(descNotBefore, unixSeconds(s.Certificate.NotBefore), labels...)
		gauge(descDaysLeft, float64(s.DaysLeft), labels...)
	}
	cert(r.Default, "default", c.orgID, "", "", "", "")
	for _, cc := range r.ContactCenters {
		t := []string{c.orgID, cc.ContactCenter.Name, cc.ContactCenter.App.Name, cc.ContactCenter.Trust.Account, cc.ContactCenter.Trust.ARN}
		cert(cc.Effective, "app", t...)
		gauge(descAgrees, boolValue(cc.TrustAgrees), t...)
		gauge(descPinned, boolValue(cc.Pinned), t...)
		gauge(descProblems, float64(len(cc.Problems)), t...)
		for _, fp := range cc.TrustCertificates {
			gauge(descTrustCert, 1, append(t, fp, "trust")...)
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// writeOpenMetrics writes the metrics of reg in the OpenMetrics text format.
func writeOpenMetrics(w io.Writer, reg prometheus.Gatherer) error {
	mfs, err := reg.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeOpenMetrics))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	if closer, ok := enc.(expfmt.Closer); ok {
		return closer.Close()
	}
	return nil
}

// newCheckRegistry is a registry with the collector of check and nothing
// else.
func newCheckRegistry(c *checkCollector) *prometheus.Registry {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	return reg
}

// printCheck prints check's report r as text or, with --format
// openmetrics, as the exporter's metrics.
func (a *app) printCheck(ctx context.Context, b *backends, format string, r *rotation.Report, res *checkResult) error {
	switch format {
	case "text":
		return printReport(a.out(), r, res.Reasons)
	case "openmetrics":
		col := &checkCollector{orgID: orgIDOf(ctx, b.idp), now: a.now,
			check: func(context.Context) (*rotation.Report, error) { return r, nil }}
		return writeOpenMetrics(a.out(), newCheckRegistry(col))
	}
	return fmt.Errorf("--format %q: want text or openmetrics", format)
}
