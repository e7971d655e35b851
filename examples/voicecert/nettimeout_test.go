package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// Both kinds of client the command builds keep a fan-out's connections: a
// second fan-out as wide as the first opens none.
func TestClientsKeepAFanOutsConnections(t *testing.T) {
	const wide = 24
	clients := map[string]interface {
		Do(*http.Request) (*http.Response, error)
	}{
		"Salesforce": newHTTPClient("Salesforce", time.Second, 10*time.Second),
		"AWS":        withTimeout(newAWSHTTPClient(time.Second, 10*time.Second), "AWS IAM", time.Second, 10*time.Second),
	}
	for name, client := range clients {
		t.Run(name, func(t *testing.T) {
			// Each request is held until the whole round has arrived, so
			// that each needs a connection of its own.
			var (
				mu       sync.Mutex
				arrived  int
				all      = make(chan struct{})
				newConns int
			)
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				arrived++
				if arrived == wide {
					close(all)
				}
				wait := all
				mu.Unlock()
				select {
				case <-wait:
				case <-time.After(10 * time.Second):
				}
				_, _ = io.WriteString(w, "ok")
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					mu.Lock()
					newConns++
					mu.Unlock()
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			fanOut := func() {
				var g errgroup.Group
				for range wide {
					g.Go(func() error {
						req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
						if err != nil {
							return err
						}
						resp, err := client.Do(req)
						if err != nil {
							return err
						}
						defer resp.Body.Close()
						_, err = io.Copy(io.Discard, resp.Body)
						return err
					})
				}
				require.NoError(t, g.Wait())
			}
			count := func() int {
				mu.Lock()
				defer mu.Unlock()
				return newConns
			}

			fanOut()
			require.Equal(t, wide, count(), "the held requests were in flight at once, each on its own connection")
			mu.Lock()
			arrived, all = 0, make(chan struct{})
			mu.Unlock()
			fanOut()
			assert.Equal(t, wide, count(), "the second fan-out of %d requests opened no connection", wide)
		})
	}
}
