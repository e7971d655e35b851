package sftest

import "net/http"

type locator struct{}

func (o *Org) handleQuery(api queryAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeRESTError(w, http.StatusNotImplemented, codeUnknownException, "not implemented yet")
	}
}

func (o *Org) handleQueryMore(api queryAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeRESTError(w, http.StatusNotImplemented, codeUnknownException, "not implemented yet")
	}
}
