package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/voicecert/voicecert/rotation"
	"github.com/voicecert/voicecert/salesforce"
)

func (a *app) newExporterCmd() *cobra.Command {
	var (
		listen      string
		minInterval = durationValue(5 * time.Minute)
		checkTime   = durationValue(2 * time.Minute)
		ccs         []string
	)
	cmd := &cobra.Command{
		Use:   "exporter",
		Short: "Serve the check's metrics to Prometheus on /metrics",
		Long: `exporter serves on --listen, at /metrics, the metrics of check (docs/metrics.md) in the
Prometheus text format, or OpenMetrics when the scraper asks for it. A scrape runs the check,
changing nothing, unless one ran within --min-interval: the API calls to Salesforce and AWS
stay bounded whatever the scrape interval (Salesforce counts them against the org's daily
limit). A check that fails sets voicecert_check_success to 0 and keeps the series of the last
check that succeeded. The AWS accounts are those the contact centers named at start.

exporter runs until interrupted, then exits 0.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			b, err := a.connect(ctx)
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return usageErr(fmt.Errorf("--listen %s: %w", listen, err))
			}
			col := a.newCheckCollector(ctx, b, ccs)
			col.minInterval, col.timeout = time.Duration(minInterval), time.Duration(checkTime)
			mux := http.NewServeMux()
			mux.Handle("GET /metrics", promhttp.HandlerFor(newCheckRegistry(col), promhttp.HandlerOpts{EnableOpenMetrics: true}))
			srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
			a.con.say("exporter.listening", "Serving metrics on http://"+l.Addr().String()+"/metrics", "address", l.Addr().String())
			done := make(chan error, 1)
			go func() { done <- srv.Serve(l) }()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdown); err != nil {
				return err
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:9814", "address to serve /metrics on (host:port; port 0 picks one)")
	cmd.Flags().Var(&minInterval, "min-interval", "a scrape within this long of the last check is answered from it")
	cmd.Flags().Var(&checkTime, "check-timeout", "how long one check may take")
	cmd.Flags().StringSliceVar(&ccs, "contact-center", nil, "only these contact centers (internal names)")
	return cmd
}

// newCheckCollector is the collector of the check of b's contact centers
// ccs (every one when empty).
func (a *app) newCheckCollector(ctx context.Context, b *backends, ccs []string) *checkCollector {
	return &checkCollector{
		base:  ctx,
		orgID: orgIDOf(ctx, b.idp),
		check: func(ctx context.Context) (*rotation.Report, error) {
			r, err := rotation.Check(ctx, b.idp, b.rp, func(o *rotation.CheckOptions) { o.ContactCenters = ccs })
			if r != nil {
				// As check --json reports it.
				newCheckResult(r, 0)
			}
			return r, err
		},
		now:     a.now,
		timeout: 2 * time.Minute,
	}
}

// orgIDOf is the org id the session names, or the provider's name when the
// token does not carry one.
func orgIDOf(ctx context.Context, idp rotation.IdentityProvider) string {
	if p, ok := idp.(*salesforce.Provider); ok {
		if id, err := p.Client().OrgID(ctx); err == nil {
			return id
		}
	}
	return strings.TrimPrefix(idp.Name(), "salesforce:")
}
