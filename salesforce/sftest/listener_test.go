package sftest_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/voicecert/voicecert/salesforce/sftest"
)

func TestWithListenerServesOnIt(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	org := sftest.New(sftest.WithListener(l))
	defer org.Close()
	require.Equal(t, "http://"+l.Addr().String(), org.URL())
	org.AddCertificate("C", 2048)
	org.SetDefaultCertificate("C")
	resp, err := http.Get(org.OrgMetadataURL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
