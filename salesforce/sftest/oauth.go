package sftest

import "net/http"

func (o *Org) handleToken(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "not implemented yet", http.StatusNotImplemented)
}
