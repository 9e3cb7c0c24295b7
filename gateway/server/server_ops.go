package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsHandler answers requests whose Host is not an invoke host:
//
//	GET /healthz  200 while the process runs
//	GET /readyz   200 once the first full load from the bus succeeded, 503
//	              before that and while shutting down
//	GET /metrics  Prometheus metrics of this gateway
//
// Anything else is 404 {"message":"Not Found"}. Invoke hosts
// ({apiId}.execute-api.{BaseDomain}) never reach these, so an API cannot
// shadow them and they cannot shadow an API's routes.
func (g *Gateway) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !g.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, []byte(`{"status":"not ready"}`))
			return
		}
		writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(g.metrics.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, bodyNotFound)
	})
	return mux
}
