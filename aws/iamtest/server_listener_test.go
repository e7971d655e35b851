package iamtest_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/aws/iamtest"
)

func TestWithListenerServesOnIt(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := iamtest.New(iamtest.WithListener(l))
	defer srv.Close()
	require.Equal(t, "http://"+l.Addr().String(), srv.URL())
	resp, err := http.Get(srv.URL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest/100, resp.StatusCode/100, "an unsigned request is refused, by this server")
}
