//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/temporaldev"
)

const (
	adminEmail    = "admin@turnpike.local"
	adminPassword = "e2e-Admin-password-1"
)

// platform is a running fleet: backend, worker and gateways as processes,
// sharing Postgres, Redis and a Temporal dev server.
type platform struct {
	apiURL   string
	token    string
	env      []string
	gateways []string
	gwProcs  []*proc
	upstream *httptest.Server
}

func startPlatform(t *testing.T) *platform {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// A fresh Postgres schema, dropped at the end.
	pg := dbtest.Postgres(t)
	var schema string
	require.NoError(t, pg.Gorm.Raw("SELECT current_schema()").Scan(&schema).Error)
	dbURL := dbtest.PostgresURL() + "&search_path=" + schema

	bin, err := temporaldev.FindBinary()
	require.NoError(t, err)
	tsrv, err := temporaldev.Start(ctx, bin, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tsrv.Stop() })

	p := &platform{token: "tpk_e2e_" + randomID(12)}
	p.upstream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "method": r.Method})
	}))
	t.Cleanup(p.upstream.Close)

	apiAddr := freeAddr(t)
	p.apiURL = "http://" + apiAddr
	p.env = []string{
		"DATABASE_URL=" + dbURL,
		"REDIS_URL=redis://127.0.0.1:6379/0",
		"TURNPIKE_REDIS_PREFIX=e2e-" + randomID(4) + ":",
		"TEMPORAL_ADDRESS=" + tsrv.Address,
		"TEMPORAL_NAMESPACE=" + tsrv.Namespace,
		"TURNPIKE_BASE_DOMAIN=localhost",
		"TURNPIKE_FLEET_TIMEOUT=5s",
		"TURNPIKE_LOG_LEVEL=info",
	}
	migrate := startProc(t, "migrate", turnpikeBin, p.env, "migrate")
	<-migrate.done
	require.Equal(t, 0, migrate.cmd.ProcessState.ExitCode(), migrate.output())

	for i := range 2 {
		addr := freeAddr(t)
		p.gateways = append(p.gateways, addr)
		g := startProc(t, fmt.Sprintf("gateway-%d", i+1), gatewayBin, append(p.env, "GATEWAY_ADDR="+addr, fmt.Sprintf("GATEWAY_ID=gateway-%d", i+1)))
		p.gwProcs = append(p.gwProcs, g)
	}
	p.env = append(p.env, "TURNPIKE_GATEWAY_URL=http://localhost:"+p.gateways[0][strings.LastIndexByte(p.gateways[0], ':')+1:])
	startProc(t, "backend", turnpikeBin, append(p.env,
		"TURNPIKE_ADDR="+apiAddr,
		"TURNPIKE_WORKER=false",
		"TURNPIKE_ADMIN_PASSWORD="+adminPassword,
		"TURNPIKE_BOOTSTRAP_TOKEN="+p.token,
	), "serve")
	startProc(t, "worker", turnpikeBin, p.env, "worker")

	waitHTTP(t, p.apiURL+"/healthz", 200, 60*time.Second)
	for _, g := range p.gateways {
		waitHTTP(t, "http://"+g+"/readyz", 200, 30*time.Second)
	}
	return p
}

type apiObj struct {
	APIID       string `json:"apiId"`
	Name        string `json:"name"`
	APIEndpoint string `json:"apiEndpoint"`
}

type routeObj struct {
	RouteID  string `json:"routeId"`
	RouteKey string `json:"routeKey"`
}

type deploymentObj struct {
	DeploymentID string `json:"deploymentId"`
	Status       string `json:"status"`
	StatusReason string `json:"statusReason"`
	StageName    string `json:"stageName"`
}

type stageObj struct {
	StageName    string `json:"stageName"`
	DeploymentID string `json:"deploymentId"`
	InvokeURL    string `json:"invokeUrl"`
}

func routeBody(upstream, version string) map[string]any {
	return map[string]any{"routeKey": "GET /hello/{name}", "integration": map[string]any{
		"type": "HTTP_PROXY", "uri": "${stageVariables.backend}/" + version + "/hello/{name}"}}
}

func TestPlatform(t *testing.T) {
	p := startPlatform(t)
	admin := newClient(p.apiURL, p.token)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var api apiObj
	admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "pets", "protocolType": "HTTP"}, &api)
	require.NotEmpty(t, api.APIID)
	var route routeObj
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/routes", routeBody(p.upstream.URL, "v0"), &route)
	admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/stages", map[string]any{
		"stageName": "prod", "stageVariables": map[string]string{"backend": p.upstream.URL}}, nil)

	deploy := func(t *testing.T) deploymentObj {
		var d deploymentObj
		admin.mustDo(t, 200, "POST", "/v1/apis/"+api.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
		return d
	}

	t.Run("deploy and call through both gateways", func(t *testing.T) {
		var d deploymentObj
		admin.mustDo(t, 202, "POST", "/v1/apis/"+api.APIID+"/deployments", map[string]any{"stageName": "prod"}, &d)
		require.NotEmpty(t, d.DeploymentID)
		assert.Contains(t, []string{"PENDING", "IN_PROGRESS"}, d.Status)
		eventually(t, 60*time.Second, func() error {
			var got deploymentObj
			admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/deployments/"+d.DeploymentID, nil, &got)
			if got.Status != "DEPLOYED" {
				return fmt.Errorf("status %s (%s)", got.Status, got.StatusReason)
			}
			return nil
		})
		for _, g := range p.gateways {
			status, body, err := invoke(context.Background(), hc, g, api.APIID, "/prod/hello/world")
			require.NoError(t, err)
			require.Equal(t, 200, status, body)
			assert.JSONEq(t, `{"path":"/v0/hello/world","method":"GET"}`, body)
		}
		var st stageObj
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/stages/prod", nil, &st)
		assert.Equal(t, d.DeploymentID, st.DeploymentID)
		assert.Contains(t, st.InvokeURL, api.APIID+".execute-api.localhost")
		// Unknown stage and route answer as API Gateway does.
		status, body, err := invoke(context.Background(), hc, p.gateways[0], api.APIID, "/nostage/hello/world")
		require.NoError(t, err)
		assert.Equal(t, 404, status)
		assert.JSONEq(t, `{"message":"Not Found"}`, body)
	})

	t.Run("redeploy 20 times under load without a failed request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var ok, failed atomic.Int64
		var failMu sync.Mutex
		var failures []string
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := p.gateways[w%len(p.gateways)]
				// Bounded: stops when the redeploys end, or after 3 minutes.
				deadline := time.Now().Add(3 * time.Minute)
				for ctx.Err() == nil && time.Now().Before(deadline) {
					status, body, err := invoke(context.Background(), hc, g, api.APIID, "/prod/hello/world")
					if err != nil || status != 200 || !strings.Contains(body, "/hello/world") {
						failed.Add(1)
						failMu.Lock()
						if len(failures) < 10 {
							failures = append(failures, fmt.Sprintf("%s: %d %s %v", g, status, body, err))
						}
						failMu.Unlock()
						continue
					}
					ok.Add(1)
				}
			}()
		}
		for i := 1; i <= 20; i++ {
			admin.mustDo(t, 200, "PATCH", "/v1/apis/"+api.APIID+"/routes/"+route.RouteID, map[string]any{
				"integration": routeBody(p.upstream.URL, fmt.Sprintf("v%d", i))["integration"]}, nil)
			d := deploy(t)
			require.Equal(t, "DEPLOYED", d.Status, "redeploy %d: %s", i, d.StatusReason)
		}
		// Every gateway serves the last version within seconds.
		for _, g := range p.gateways {
			eventually(t, 5*time.Second, func() error {
				_, body, err := invoke(context.Background(), hc, g, api.APIID, "/prod/hello/world")
				if err != nil || !strings.Contains(body, "/v20/hello/world") {
					return fmt.Errorf("%s serves %s %v", g, body, err)
				}
				return nil
			})
		}
		cancel()
		wg.Wait()
		t.Logf("requests during 20 redeploys: %d ok, %d failed", ok.Load(), failed.Load())
		require.Zero(t, failed.Load(), "failed requests: %v", failures)
		require.Positive(t, ok.Load())
	})

	t.Run("a deploy the fleet cannot take fails and the previous version keeps serving", func(t *testing.T) {
		// A third gateway joins, then freezes: its heartbeat stays live for
		// its TTL but it never loads the new deployment.
		addr := freeAddr(t)
		g3 := startProc(t, "gateway-3", gatewayBin, append(p.env, "GATEWAY_ADDR="+addr, "GATEWAY_ID=gateway-3"))
		waitHTTP(t, "http://"+addr+"/readyz", 200, 30*time.Second)
		time.Sleep(2500 * time.Millisecond) // let it heartbeat what it serves
		require.NoError(t, g3.cmd.Process.Signal(syscall.SIGSTOP))
		defer func() { _ = g3.cmd.Process.Signal(syscall.SIGCONT) }()

		var before stageObj
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/stages/prod", nil, &before)
		admin.mustDo(t, 200, "PATCH", "/v1/apis/"+api.APIID+"/routes/"+route.RouteID, map[string]any{
			"integration": routeBody(p.upstream.URL, "broken")["integration"]}, nil)
		d := deploy(t)
		require.Equal(t, "FAILED", d.Status)
		assert.Contains(t, d.StatusReason, "gateway-3")

		var after stageObj
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/stages/prod", nil, &after)
		assert.Equal(t, before.DeploymentID, after.DeploymentID, "the stage keeps its previous deployment")
		for _, g := range p.gateways {
			eventually(t, 10*time.Second, func() error {
				_, body, err := invoke(context.Background(), hc, g, api.APIID, "/prod/hello/world")
				if err != nil || !strings.Contains(body, "/v20/hello/world") {
					return fmt.Errorf("%s serves %s %v", g, body, err)
				}
				return nil
			})
		}
		require.NoError(t, g3.cmd.Process.Signal(syscall.SIGCONT))
		// Put the route back for the tests that follow.
		admin.mustDo(t, 200, "PATCH", "/v1/apis/"+api.APIID+"/routes/"+route.RouteID, map[string]any{
			"integration": routeBody(p.upstream.URL, "v20")["integration"]}, nil)
	})

	t.Run("tenant B cannot read, change or deploy tenant A's API", func(t *testing.T) {
		out := startProc(t, "tenant-create", turnpikeBin, p.env, "tenant", "create", "--name", "tenant-b", "--admin-email", "ops@tenant-b.test")
		<-out.done
		require.Equal(t, 0, out.cmd.ProcessState.ExitCode(), out.output())
		var created struct {
			TenantID  string `json:"tenantId"`
			AccessKey struct {
				AccessKeyID string `json:"accessKeyId"`
				Token       string `json:"token"`
			} `json:"accessKey"`
		}
		line := out.output()[strings.Index(out.output(), "{"):]
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(line)), &created), out.output())
		require.NotEmpty(t, created.AccessKey.Token)
		b := newClient(p.apiURL, created.AccessKey.Token)

		var list struct {
			Items []apiObj `json:"items"`
		}
		b.mustDo(t, 200, "GET", "/v1/apis", nil, &list)
		assert.Empty(t, list.Items)
		for _, c := range []struct{ method, path string }{
			{"GET", "/v1/apis/" + api.APIID},
			{"PATCH", "/v1/apis/" + api.APIID},
			{"DELETE", "/v1/apis/" + api.APIID},
			{"GET", "/v1/apis/" + api.APIID + "/routes"},
			{"GET", "/v1/apis/" + api.APIID + "/routes/" + route.RouteID},
			{"DELETE", "/v1/apis/" + api.APIID + "/routes/" + route.RouteID},
			{"GET", "/v1/apis/" + api.APIID + "/stages/prod"},
			{"DELETE", "/v1/apis/" + api.APIID + "/stages/prod"},
			{"POST", "/v1/apis/" + api.APIID + "/deployments"},
			{"GET", "/v1/apis/" + api.APIID + "/deployments"},
		} {
			var body any
			switch c.method {
			case "PATCH":
				body = map[string]any{"name": "stolen"}
			case "POST":
				body = map[string]any{"stageName": "prod"}
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			status := b.do(t, c.method, c.path, body, &e)
			assert.Equal(t, 404, status, "%s %s", c.method, c.path)
			assert.NotEmpty(t, e.Error.Code, "%s %s", c.method, c.path)
		}
		// Tenant A's API is untouched.
		var got apiObj
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID, nil, &got)
		assert.Equal(t, "pets", got.Name)
		var st stageObj
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/stages/prod", nil, &st)
	})

	t.Run("bad input gets a clear error and changes nothing", func(t *testing.T) {
		for _, c := range []struct {
			desc, method, path string
			body               any
			status             int
		}{
			{"malformed JSON", "POST", "/v1/apis", `{"name":`, 400},
			{"unknown field", "POST", "/v1/apis", `{"name":"x","protocolType":"HTTP","colour":"red"}`, 400},
			{"route key that does not parse", "POST", "/v1/apis/" + api.APIID + "/routes", map[string]any{"routeKey": "FETCH hello", "integration": map[string]any{"type": "HTTP_PROXY", "uri": "http://127.0.0.1:1/x"}}, 422},
			{"integration URI that is not http(s)", "POST", "/v1/apis/" + api.APIID + "/routes", map[string]any{"routeKey": "GET /x", "integration": map[string]any{"type": "HTTP_PROXY", "uri": "ftp://127.0.0.1/x"}}, 422},
			{"duplicate stage", "POST", "/v1/apis/" + api.APIID + "/stages", map[string]any{"stageName": "prod"}, 409},
			{"unknown api", "GET", "/v1/apis/nosuchapi0", nil, 404},
		} {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			status := admin.do(t, c.method, c.path, c.body, &e)
			assert.Equal(t, c.status, status, c.desc)
			assert.NotEmpty(t, e.Error.Code, c.desc)
			assert.NotEmpty(t, e.Error.Message, c.desc)
		}
		noAuth := newClient(p.apiURL, "")
		assert.Equal(t, 401, noAuth.do(t, "GET", "/v1/apis", nil, nil))
		bad := newClient(p.apiURL, "tpk_not_a_real_key")
		assert.Equal(t, 401, bad.do(t, "GET", "/v1/apis", nil, nil))
		var routes struct {
			Items []routeObj `json:"items"`
		}
		admin.mustDo(t, 200, "GET", "/v1/apis/"+api.APIID+"/routes", nil, &routes)
		assert.Len(t, routes.Items, 1)
	})

	t.Run("console: log in, create an API with a route, deploy, see the invoke URL", func(t *testing.T) {
		testConsole(t, p)
	})

	t.Run("iam console: a ReadOnlyAccess user pressing Deploy is refused with a clear message", func(t *testing.T) {
		testIAMConsole(t, p, api.APIID)
	})
}
