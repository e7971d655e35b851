package iamtest

import "net/http"

func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not yet", http.StatusNotImplemented)
}
