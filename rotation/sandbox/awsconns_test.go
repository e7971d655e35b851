package sandbox_test

import (
	"context"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation/sandbox"
)

// TestAWSConnectionsAreReused: a fan-out of IAM calls wider than the AWS
// SDK's ten idle connections per host, through the sandbox's AWSConfig,
// finds the previous fan-out's connections idle instead of opening new ones.
func TestAWSConnectionsAreReused(t *testing.T) {
	const wide = 24
	w := start(t, sandbox.Options{})
	cc := w.ContactCenters[0]
	// Each round holds its reads at the fake until all of them are in
	// flight, so each needs a connection of its own.
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{})
	)
	w.IAM.SetHook(func(c iamtest.Call) *iamtest.Fault {
		if c.Op != "GetSAMLProvider" {
			return nil
		}
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
		return nil
	})
	var connMu sync.Mutex
	firstUse := map[string]int{} // local address -> the round that first used it
	round := 1
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		connMu.Lock()
		defer connMu.Unlock()
		if _, ok := firstUse[i.Conn.LocalAddr().String()]; !ok {
			firstUse[i.Conn.LocalAddr().String()] = round
		}
	}})
	opened := func(r int) int {
		connMu.Lock()
		defer connMu.Unlock()
		n := 0
		for _, first := range firstUse {
			if first == r {
				n++
			}
		}
		return n
	}
	client := iam.NewFromConfig(w.AWSConfig(cc.Account))
	fanOut := func(ctx context.Context) {
		g, ctx := errgroup.WithContext(ctx)
		for range wide {
			g.Go(func() error {
				_, err := client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: awssdk.String(cc.ProviderARN)})
				return err
			})
		}
		require.NoError(t, g.Wait())
	}

	fanOut(ctx)
	require.Equal(t, wide, opened(1), "the held reads were in flight at once, each on its own connection")
	mu.Lock()
	arrived, all = 0, make(chan struct{})
	mu.Unlock()
	connMu.Lock()
	round = 2
	connMu.Unlock()
	fanOut(ctx)
	assert.Zero(t, opened(2), "the second fan-out of %d reads reuses the first's connections", wide)
}
