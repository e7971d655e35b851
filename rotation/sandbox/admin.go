package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The admin endpoint plays the Salesforce admin for the world's org: it
// makes the changes only a person can make in Setup, such as the IdP
// Certificate of a pinned connected app. It serves on loopback only, and
// every request must carry the endpoint's token as
// "Authorization: Bearer <token>" (401 without it). Its API, all JSON:
//
//	GET    /apps                    the org's signing configuration (AdminState)
//	PUT    /apps/{app}/certificate  {"certificate":"NAME"}: pin app to certificate NAME (204)
//	DELETE /apps/{app}/certificate  the app follows the org default again (204)
//
// An unknown app or certificate is a 404 and a malformed body a 400, each
// with {"error":"…"}; nothing changes. [AdminClient] speaks this API.

// Admin is a running admin endpoint of a World.
type Admin struct {
	// URL is the endpoint's base URL, http://127.0.0.1:PORT.
	URL string
	// Token is the bearer token every request must carry.
	Token string
	srv   *http.Server
	done  chan struct{}
}

// AdminState is what GET /apps answers.
type AdminState struct {
	// DefaultCertificate is the org default certificate's name.
	DefaultCertificate string `json:"defaultCertificate"`
	// AppCertificates maps each app to the certificate it signs with.
	AppCertificates map[string]string `json:"appCertificates"`
	// Pinned lists the apps that name their own certificate, sorted.
	Pinned []string `json:"pinned"`
}

// ErrNotLoopback is returned by StartAdmin for a listener that is not on a
// loopback address.
var ErrNotLoopback = errors.New("sandbox: the admin endpoint listens on loopback only")

// StartAdmin serves the admin endpoint on l (nil: a new port of
// 127.0.0.1) with a new random token, until Close.
func (w *World) StartAdmin(l net.Listener) (*Admin, error) {
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, err
		}
	}
	if a, ok := l.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		l.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotLoopback, l.Addr())
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		l.Close()
		return nil, err
	}
	a := &Admin{URL: "http://" + l.Addr().String(), Token: hex.EncodeToString(b), done: make(chan struct{})}
	a.srv = &http.Server{Handler: w.AdminHandler(a.Token), ReadHeaderTimeout: 10 * time.Second}
	go func() { defer close(a.done); _ = a.srv.Serve(l) }()
	return a, nil
}

// Close stops the endpoint.
func (a *Admin) Close() error {
	err := a.srv.Close()
	<-a.done
	return err
}

// AdminHandler is the admin endpoint's API (see [World.StartAdmin]) for
// requests from loopback that carry token.
func (w *World) AdminHandler(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /apps", func(rw http.ResponseWriter, _ *http.Request) {
		s := w.Org.Snapshot()
		writeJSON(rw, http.StatusOK, AdminState{DefaultCertificate: s.DefaultCertificate, AppCertificates: s.AppCertificates,
			Pinned: append([]string{}, s.Pinned...)})
	})
	mux.HandleFunc("PUT /apps/{app}/certificate", func(rw http.ResponseWriter, r *http.Request) {
		var body struct {
			Certificate string `json:"certificate"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<16)).Decode(&body); err != nil || body.Certificate == "" {
			writeJSON(rw, http.StatusBadRequest, adminError{`want {"certificate":"NAME"}`})
			return
		}
		if _, ok := w.Org.Snapshot().Certificates[body.Certificate]; !ok {
			writeJSON(rw, http.StatusNotFound, adminError{fmt.Sprintf("no certificate %q in the org", body.Certificate)})
			return
		}
		adminResult(rw, w.Org.SetAppCertificate(r.PathValue("app"), body.Certificate))
	})
	mux.HandleFunc("DELETE /apps/{app}/certificate", func(rw http.ResponseWriter, r *http.Request) {
		adminResult(rw, w.Org.FollowDefault(r.PathValue("app")))
	})
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || !net.ParseIP(host).IsLoopback() {
			writeJSON(rw, http.StatusForbidden, adminError{"loopback clients only"})
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="voicecert sandbox admin"`)
			writeJSON(rw, http.StatusUnauthorized, adminError{"missing or wrong bearer token"})
			return
		}
		mux.ServeHTTP(rw, r)
	})
}

type adminError struct {
	Error string `json:"error"`
}

// adminResult answers a change: 204, or 404 with the fake's error (an
// unknown app is the only way the org's admin changes fail).
func adminResult(rw http.ResponseWriter, err error) {
	if err != nil {
		writeJSON(rw, http.StatusNotFound, adminError{err.Error()})
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}
