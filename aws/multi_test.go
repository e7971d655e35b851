package aws_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws"
	"github.com/voicecert/voicecert/aws/iamtest"
	"github.com/voicecert/voicecert/rotation"
)

func TestMulti(t *testing.T) {
	srv := iamtest.New()
	t.Cleanup(srv.Close)
	arn1 := srv.AddProvider(acct, aws.DefaultProviderName, doc(0))
	arn2 := srv.AddProvider(acct2, aws.DefaultProviderName, doc(0))
	rp1 := aws.NewFromClient(client(srv, acct), acct, fast)
	rp2 := aws.NewFromClient(client(srv, acct2), acct2, fast)

	m, err := aws.NewMulti(rp1, rp2)
	require.NoError(t, err)
	var _ rotation.RelyingParty = m
	assert.Equal(t, []string{acct, acct2}, m.Accounts())
	assert.Equal(t, "aws", m.Name())

	// By ARN only, and by account and ARN: each call goes to its account's
	// credentials (iamtest refuses another account's ARN).
	require.NoError(t, m.SetTrust(t.Context(), rotation.TrustRef{ARN: arn2}, doc(0, 1)))
	assert.Equal(t, doc(0, 1), srv.Document(arn2))
	assert.Equal(t, doc(0), srv.Document(arn1))
	snap, err := m.Trust(t.Context(), rotation.TrustRef{Account: acct, ARN: arn1})
	require.NoError(t, err)
	assert.Equal(t, doc(0), snap.Document)
	for _, c := range srv.Calls() {
		assert.Equal(t, c.Account, c.Target[len("arn:aws:iam::"):len("arn:aws:iam::")+12])
	}

	_, err = m.Trust(t.Context(), rotation.TrustRef{ARN: "arn:aws:iam::111111111111:saml-provider/X"})
	assert.ErrorIs(t, err, rotation.ErrInvalidInput)
	assert.ErrorIs(t, m.SetTrust(t.Context(), rotation.TrustRef{ARN: "nonsense"}, doc(1)), rotation.ErrInvalidInput)

	_, err = aws.NewMulti(rp1, aws.NewFromClient(client(srv, acct), acct))
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "an account twice")
	_, err = aws.NewMulti(aws.NewFromClient(client(srv, acct), ""))
	assert.ErrorIs(t, err, rotation.ErrInvalidInput, "no account")
}
