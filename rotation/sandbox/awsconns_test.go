package sandbox_test

import (
	"context"
	"testing"

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
	round := newHeldRound(wide)
	w.IAM.SetHook(func(c iamtest.Call) *iamtest.Fault {
		if c.Op == "GetSAMLProvider" {
			round.hold()
		}
		return nil
	})
	conns := newConnLog()
	ctx := conns.trace(t.Context())
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
	require.Equal(t, wide, conns.opened(1), "the held reads were in flight at once, each on its own connection")
	round.next()
	conns.nextRound()
	fanOut(ctx)
	assert.Zero(t, conns.opened(2), "the second fan-out of %d reads reuses the first's connections", wide)
	assert.Equal(t, wide, conns.reused(), "the first fan-out's connections were kept")
}
