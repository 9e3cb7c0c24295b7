package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/accesslog"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TestGatewayAccessLogNamesIAMCaller: an AWS_IAM call's access log line
// names its principal and access key id (never the token), a denied call's
// too; an anonymous call writes dashes.
func TestGatewayAccessLogNamesIAMCaller(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	t.Cleanup(up.Close)
	rt := proxyRoute("GET /pets", up.URL+"/pets")
	rt.AuthorizationType = gwconfig.AuthorizationAWSIAM
	st := stage("d1", rt, proxyRoute("POST /pets", up.URL+"/pets"))
	st.AccessLog = &gwconfig.AccessLog{Destination: "file:iam.log",
		Format: "$context.httpMethod $context.status $context.identity.caller $context.identity.user $context.identity.accessKey"}

	ctx, cancel := context.WithCancel(context.Background())
	bus := fleet.NewMemory()
	require.NoError(t, bus.PutStage(ctx, st))
	require.NoError(t, fleet.AsTenantBus(bus).PutExecuteAPIGrants(ctx, grants(1, true)))
	dir := t.TempDir()
	g, err := New(Config{GatewayID: "gw-iam-log", AccessLogs: accesslog.NewSinks(accesslog.SinkConfig{Dir: dir})},
		bus, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); assert.NoError(t, g.Run(ctx)) }()
	t.Cleanup(func() { cancel(); <-done })
	require.Eventually(t, g.Ready, 2*time.Second, 5*time.Millisecond)

	calls := []struct {
		method, token string
		status        int
	}{
		{method: "GET", token: "tpk_reader", status: 200},
		{method: "GET", token: "tpk_admin", status: 403}, // detached: no Invoke
		{method: "GET", status: 403},
		{method: "POST", status: 200},
	}
	for _, c := range calls {
		req := httptest.NewRequest(c.method, "/prod/pets", nil)
		req.Host = host
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		rec := httptest.NewRecorder()
		g.Handler().ServeHTTP(rec, req)
		require.Equal(t, c.status, rec.Code, rec.Body.String())
	}
	cancel() // stopping flushes the file; the cleanup's wait returns at once
	<-done

	b, err := os.ReadFile(filepath.Join(dir, "iam.log"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET 200 usr_reader usr_reader TPAKREADER",
		"GET 403 usr_admin usr_admin TPAKADMIN",
		"GET 403 - - -",
		"POST 200 - - -",
	}, strings.Split(strings.TrimSpace(string(b)), "\n"))
	assert.NotContains(t, string(b), "tpk_")
}
