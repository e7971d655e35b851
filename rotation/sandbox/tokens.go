package sandbox

import (
	"time"

	"github.com/voicecert/voicecert/salesforce"
)

// newClient is a salesforce client of the world's org that authenticates
// with token, configured by the world's options.
func (w *World) newClient(token string) (*salesforce.Client, error) {
	o := w.opts
	return salesforce.NewClient(w.Org.URL(), salesforce.StaticToken(w.Org.URL(), token), func(so *salesforce.Options) {
		so.HTTPClient = w.orgHTTP
		so.Logger = o.Logger
		so.Retry = salesforce.RetryOptions{MaxAttempts: o.RequestAttempts, InitialBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}
		so.Concurrency = o.Concurrency
	})
}

// IdPWithToken returns a salesforce backend of the world's org, configured
// as IdP is, that authenticates with token instead of the seeded session:
// for instance one of sftest's Org.SessionToken, of another user or with
// other scopes.
func (w *World) IdPWithToken(token string) (*salesforce.Provider, error) {
	c, err := w.newClient(token)
	if err != nil {
		return nil, err
	}
	return w.provider(c), nil
}

// provider is the salesforce backend of the world's org over c.
func (w *World) provider(c *salesforce.Client) *salesforce.Provider {
	return salesforce.NewProvider(c, func(po *salesforce.ProviderOptions) {
		po.OrgID = OrgID
		po.Logger = w.opts.Logger
		po.PollInterval = w.opts.PollInterval
	})
}
