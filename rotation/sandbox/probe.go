package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/voicecert/voicecert/rotation"
)

// Probe logs in to every contact center again and again, the way agents
// do: an IdP-initiated login at the org, then the SAML Response posted to
// AWS sign-in. It measures what single sign-on users see during a rotation.
type Probe struct {
	attempts, failures      atomic.Int64
	mu                      sync.Mutex
	firstFailure            string
	firstFailed, lastFailed time.Time
	stop                    context.CancelFunc
	done                    chan struct{}
}

// ProbeStats is what a Probe has seen.
type ProbeStats struct {
	Attempts, Failures int
	// FirstFailure is the error of the first failed sign-in.
	FirstFailure string
	// FirstFailed and LastFailed are when the first and the last failed
	// sign-in ended; zero when none failed.
	FirstFailed, LastFailed time.Time
}

// Outage is the time between the first and the last failed sign-in: how
// long agents saw single sign-on broken (zero with fewer than two
// failures; the true outage is at most one probe interval longer).
func (s ProbeStats) Outage() time.Duration { return s.LastFailed.Sub(s.FirstFailed) }

// Stats returns what the probe has seen so far.
func (p *Probe) Stats() ProbeStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProbeStats{Attempts: int(p.attempts.Load()), Failures: int(p.failures.Load()), FirstFailure: p.firstFailure,
		FirstFailed: p.firstFailed, LastFailed: p.lastFailed}
}

// StartProbe starts probing: one agent per contact center logs in every
// interval, until Stop. At most half the CPUs' worth of sign-ins (at least
// two) are in flight at once: each costs the fake org an RSA signature, so
// with many contact centers unbounded agents would take every CPU from the
// rotation they watch. An agent whose turn comes while every slot is taken
// waits for one, so with many contact centers each is probed less often
// than every interval.
func (w *World) StartProbe(ctx context.Context, interval time.Duration) *Probe {
	ctx, cancel := context.WithCancel(ctx)
	p := &Probe{stop: cancel, done: make(chan struct{})}
	slots := make(chan struct{}, max(2, runtime.GOMAXPROCS(0)/2))
	var wg sync.WaitGroup
	for _, cc := range w.ContactCenters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case slots <- struct{}{}:
				}
				err := w.Login(ctx, cc)
				<-slots
				if ctx.Err() != nil {
					return
				}
				p.record(err)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	go func() { wg.Wait(); close(p.done) }()
	return p
}

func (p *Probe) record(err error) {
	p.attempts.Add(1)
	if err == nil {
		return
	}
	now := time.Now()
	p.failures.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.firstFailure == "" {
		p.firstFailure = err.Error()
		p.firstFailed = now
	}
	p.lastFailed = now
}

// Stop ends the probe and returns its counts and the first failure seen.
func (p *Probe) Stop() (attempts, failures int, firstFailure string) {
	p.stop()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return int(p.attempts.Load()), int(p.failures.Load()), p.firstFailure
}

// Login signs in to one contact center once: the org signs a Response with
// the app's effective certificate, and AWS sign-in must accept it.
func (w *World) Login(ctx context.Context, cc ContactCenter) error {
	resp, err := w.IdP.SAMLResponse(ctx, rotation.AppRef{Name: cc.App, LoginID: cc.LoginID})
	if err != nil {
		return fmt.Errorf("login to %s at the org: %w", cc.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.IAM.SignInURL(),
		strings.NewReader(url.Values{"SAMLResponse": {resp}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
	if r.StatusCode != http.StatusOK {
		return fmt.Errorf("AWS sign-in refused %s: %s: %s", cc.Name, r.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
