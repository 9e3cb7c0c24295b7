//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbeddedDefault runs `turnpike serve` as `make run` does — no
// database, Redis or Temporal configured — and checks what it prints, that an
// API deploys and answers through its in-process gateway, that Ctrl-C stops
// everything, and that a second start keeps the data of the first.
func TestEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	defer upstream.Close()
	apiAddr, gwAddr := freeAddr(t), freeAddr(t)
	token := "tpk_embedded_" + randomID(8)
	env := []string{
		"TURNPIKE_DATA_DIR=" + dir,
		"TURNPIKE_ADDR=" + apiAddr,
		"TURNPIKE_GATEWAY_ADDR=" + gwAddr,
		"TURNPIKE_BOOTSTRAP_TOKEN=" + token,
		// Make sure nothing from the caller's environment turns the
		// embedded default into a fleet.
		"DATABASE_URL=", "REDIS_URL=", "TEMPORAL_ADDRESS=",
	}
	first := startProc(t, "embedded-1", turnpikeBin, env, "serve")
	first.waitOutput(t, "console: http://", 120*time.Second)
	first.waitOutput(t, "gateway: http://", 5*time.Second)
	first.waitOutput(t, "login:", 5*time.Second)
	pw := regexp.MustCompile(`login:\s+admin@turnpike\.local / (\S+)`).FindStringSubmatch(first.output())
	require.NotNil(t, pw, "the first start prints the admin's password: %s", first.output())

	c := newClient("http://"+apiAddr, token)
	var api apiObj
	c.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "embedded", "protocolType": "HTTP"}, &api)
	c.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/routes", map[string]any{"routeKey": "GET /hello/{name}",
		"integration": map[string]any{"type": "HTTP_PROXY", "uri": "${stageVariables.backend}/hello/{name}"}}, nil)
	c.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/stages", map[string]any{"stageName": "prod",
		"stageVariables": map[string]string{"backend": upstream.URL}}, nil)
	var d deploymentObj
	c.mustDo(t, 200, "POST", "/v1/apis/"+api.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)
	hc := &http.Client{Timeout: 5 * time.Second}
	status, body, err := invoke(context.Background(), hc, gwAddr, api.APIID, "/prod/hello/world")
	require.NoError(t, err)
	require.Equal(t, 200, status)
	assert.Equal(t, "hello from /hello/world", body)

	first.stop(t)
	assert.Equal(t, 0, first.cmd.ProcessState.ExitCode(), "Ctrl-C is a clean stop")
	assert.NotContains(t, first.output(), "panic")
	_, err = os.Stat(dir + "/turnpike.db")
	require.NoError(t, err)

	second := startProc(t, "embedded-2", turnpikeBin, env, "serve")
	second.waitOutput(t, "console: http://", 120*time.Second)
	assert.NotRegexp(t, `login:\s+admin@turnpike\.local / \S+`, second.output(), "no new password on a second start")
	var got apiObj
	c.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID, nil, &got)
	assert.Equal(t, "embedded", got.Name)
	eventually(t, 10*time.Second, func() error {
		status, body, err := invoke(context.Background(), hc, gwAddr, api.APIID, "/prod/hello/again")
		if err != nil || status != 200 || !strings.Contains(body, "/hello/again") {
			return fmt.Errorf("%d %s %v", status, body, err)
		}
		return nil
	})
}
