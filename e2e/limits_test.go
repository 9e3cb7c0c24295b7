//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
)

// limitsFleet is what TestLimits publishes and drives.
type limitsFleet struct {
	p     *platform
	admin *client
	hc    *http.Client
	apiID string
	// bus reads what the control plane published (key ids by value hash).
	bus fleet.FleetBus
	// path is what call invokes; empty is /prod/hello/world.
	path string
}

// testKey is a key made for one subtest.
type testKey struct {
	value, id, planID string
	// probes are the requests admitted while waiting for every gateway to
	// know the key; they count against its quota.
	probes int64
}

// envValue reads NAME=value from the platform's environment.
func (p *platform) envValue(name string) string {
	for _, kv := range p.env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestLimits proves the fleet-exact limits: three gateways share one
// Redis; a key's throttle admits rate × time + burst across them, its
// quota admits exactly N, and a disabled key is refused everywhere within
// seconds.
func TestLimits(t *testing.T) {
	p := startPlatform(t)
	addr := freeAddr(t)
	startProc(t, "gateway-3", gatewayBin, append(p.env, "GATEWAY_ADDR="+addr, "GATEWAY_ID=gateway-3"))
	waitHTTP(t, "http://"+addr+"/readyz", 200, 30*time.Second)
	p.gateways = append(p.gateways, addr)
	require.Len(t, p.gateways, 3)

	rc := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	t.Cleanup(func() { _ = rc.Close() })
	f := &limitsFleet{
		p: p, admin: newClient(p.apiURL, p.token),
		hc:  &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}},
		bus: fleet.NewRedis(rc, p.envValue("TURNPIKE_REDIS_PREFIX")).(fleet.FleetBus),
	}
	f.publishAPI(t)

	t.Run("throttle: five times the rate for 10s admits rate × time + burst", func(t *testing.T) {
		const rate, burst = 50, 10
		k := f.key(t, "throttled", &gwconfig.Throttle{RateLimit: rate, BurstLimit: burst}, nil)
		time.Sleep(time.Second) // the burst refills after the readiness probes

		res := f.drive(t, k.value, 5*rate, 10*time.Second)
		want := rate*res.window.Seconds() + burst
		t.Logf("offered %d in %s: admitted %d (want %.0f ± 5%%), throttled %d, other %d; per gateway admitted %v",
			res.sent, res.window.Round(time.Millisecond), res.admitted, want, res.throttled, res.other, res.perGateway)
		require.Zero(t, res.other, "unexpected answers: %v", res.samples)
		require.GreaterOrEqual(t, float64(res.sent), 3*rate*res.window.Seconds(), "the client could not offer enough load")
		assert.InDelta(t, want, float64(res.admitted), 0.05*want)
		for i, n := range res.perGateway {
			assert.Positive(t, n, "gateway %d admitted nothing", i+1)
		}
	})

	t.Run("quota: 200 per day admits exactly 200 across the fleet", func(t *testing.T) {
		const n = 200
		k := f.key(t, "quota", &gwconfig.Throttle{RateLimit: 5000, BurstLimit: 5000},
			&gwconfig.Quota{Limit: n, Period: gwconfig.QuotaDay})
		probes := k.probes
		var admitted, exceeded, other atomic.Int64
		var retryAfter atomic.Value
		var samples sync.Map
		var wg sync.WaitGroup
		for w := range 12 {
			wg.Go(func() {
				for i := range 25 {
					g := f.p.gateways[(w+i)%3]
					status, body, h, err := f.call(g, k.value)
					switch {
					case err == nil && status == 200:
						admitted.Add(1)
					case err == nil && status == 429 && strings.Contains(body, "Limit Exceeded"):
						exceeded.Add(1)
						retryAfter.Store(h.Get("Retry-After"))
					default:
						other.Add(1)
						samples.Store(fmt.Sprintf("%d %s %v", status, body, err), true)
					}
				}
			})
		}
		wg.Wait()
		t.Logf("%d probes admitted, then 300 requests: %d admitted, %d Limit Exceeded, %d other",
			probes, admitted.Load(), exceeded.Load(), other.Load())
		require.Zero(t, other.Load(), "unexpected answers")
		assert.Equal(t, int64(n), probes+admitted.Load())
		assert.Equal(t, 300-(n-probes), exceeded.Load())
		ra, _ := retryAfter.Load().(string)
		secs, err := strconv.Atoi(ra)
		require.NoError(t, err, "Retry-After %q", ra)
		now := time.Now().UTC()
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
		assert.InDelta(t, time.Until(midnight).Seconds(), float64(secs), 60)

		// The usage report reads the same counters.
		var u struct {
			Days []struct {
				Date string `json:"date"`
				Used int64  `json:"used"`
			} `json:"days"`
		}
		today := now.Format(time.DateOnly)
		f.admin.mustDo(t, 200, "GET", "/v1/usageplans/"+k.planID+"/usage?keyId="+k.id+"&startDate="+today+"&endDate="+today, nil, &u)
		require.Len(t, u.Days, 1)
		assert.Equal(t, int64(n), u.Days[0].Used)
	})

	t.Run("a disabled key is refused by every gateway within seconds", func(t *testing.T) {
		k := f.key(t, "revoked", &gwconfig.Throttle{RateLimit: 1000, BurstLimit: 1000}, nil)
		start := time.Now()
		f.admin.mustDo(t, 200, "PATCH", "/v1/apikeys/"+k.id, map[string]any{"enabled": false}, nil)
		for _, g := range f.p.gateways {
			eventually(t, 5*time.Second, func() error {
				status, body, _, err := f.call(g, k.value)
				if err != nil || status != 403 {
					return fmt.Errorf("%s answered %d %s %v", g, status, body, err)
				}
				if !strings.Contains(body, `"Forbidden"`) {
					return fmt.Errorf("%s answered 403 %s", g, body)
				}
				return nil
			})
		}
		t.Logf("revocation reached all three gateways in %s", time.Since(start).Round(time.Millisecond))
		// No key at all is refused too.
		status, _, _, err := f.call(f.p.gateways[0], "")
		require.NoError(t, err)
		assert.Equal(t, 403, status)
	})
}

// publishAPI deploys an HTTP API whose route GET /hello/{name} requires an
// API key.
func (f *limitsFleet) publishAPI(t *testing.T) {
	var api apiObj
	f.admin.mustDo(t, 201, "POST", "/v1/apis", map[string]any{"name": "limited", "protocolType": "HTTP"}, &api)
	f.apiID = api.APIID
	f.admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/routes", map[string]any{"routeKey": "GET /hello/{name}",
		"apiKeyRequired": true, "integration": map[string]any{"type": "HTTP_PROXY", "uri": f.p.upstream.URL + "/hello/{name}"}}, nil)
	f.admin.mustDo(t, 201, "POST", "/v1/apis/"+api.APIID+"/stages", map[string]any{"stageName": "prod"}, nil)
	var d deploymentObj
	f.admin.mustDo(t, 200, "POST", "/v1/apis/"+api.APIID+"/deployments?wait=true", map[string]any{"stageName": "prod"}, &d)
	require.Equal(t, "DEPLOYED", d.Status, d.StatusReason)
	for _, g := range f.p.gateways {
		eventually(t, 10*time.Second, func() error {
			status, body, _, err := f.call(g, "")
			if err != nil || status != 403 || !strings.Contains(body, `"Forbidden"`) {
				return fmt.Errorf("%s answered %d %s %v without a key", g, status, body, err)
			}
			return nil
		})
	}
}

// key creates a key and a plan for the stage through the REST API,
// attaches them, and waits until every gateway admits the key.
func (f *limitsFleet) key(t *testing.T, name string, th *gwconfig.Throttle, q *gwconfig.Quota) testKey {
	k := testKey{value: "e2e-" + name + "-" + randomID(16)}
	var key, plan struct {
		ID string `json:"id"`
	}
	f.admin.mustDo(t, 201, "POST", "/v1/apikeys", map[string]any{"name": name, "value": k.value}, &key)
	f.admin.mustDo(t, 201, "POST", "/v1/usageplans", map[string]any{"name": name, "throttle": th, "quota": q,
		"apiStages": []gwconfig.PlanAPIStage{{APIID: f.apiID, Stage: "prod"}}}, &plan)
	f.admin.mustDo(t, 201, "POST", "/v1/usageplans/"+plan.ID+"/keys", map[string]any{"keyId": key.ID}, nil)
	k.id, k.planID = key.ID, plan.ID

	// The fleet holds only the value's hash.
	keys, err := f.bus.APIKeys(context.Background())
	require.NoError(t, err)
	var published bool
	for _, pk := range keys {
		if pk.ID == k.id {
			published = true
			assert.Equal(t, limit.HashKey(k.value), pk.ValueHash)
		}
	}
	require.True(t, published, "key %s is not on the fleet bus", k.id)

	for _, g := range f.p.gateways {
		eventually(t, 10*time.Second, func() error {
			status, body, _, err := f.call(g, k.value)
			if err != nil || status != 200 {
				return fmt.Errorf("%s answered %d %s %v with key %s", g, status, body, err, name)
			}
			k.probes++
			return nil
		})
	}
	return k
}

// call invokes GET f.path (default /prod/hello/world) on gateway g with key
// value (none if empty).
func (f *limitsFleet) call(g, value string) (int, string, http.Header, error) {
	path := f.path
	if path == "" {
		path = "/prod/hello/world"
	}
	req, err := http.NewRequest(http.MethodGet, "http://"+g+path, nil)
	if err != nil {
		return 0, "", nil, err
	}
	req.Host = f.apiID + ".execute-api.localhost"
	if value != "" {
		req.Header.Set("x-api-key", value)
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 512)
	for {
		n, rerr := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if rerr != nil {
			break
		}
	}
	return resp.StatusCode, sb.String(), resp.Header, nil
}

type driveResult struct {
	sent, admitted, throttled, other int64
	window                           time.Duration
	perGateway                       []int64
	samples                          []string
}

// drive offers rps requests per second, round robin over the fleet's
// gateways, for d: requests are scheduled on a fixed clock and sent by a
// pool of workers, so a slow answer does not slow the offered rate.
func (f *limitsFleet) drive(t *testing.T, value string, rps int, d time.Duration) driveResult {
	var (
		res        driveResult
		mu         sync.Mutex
		first, end time.Time
		wg         sync.WaitGroup
		n          = len(f.p.gateways)
		admitted   = make([]atomic.Int64, n)
	)
	jobs := make(chan int, rps)
	for range 48 {
		wg.Go(func() {
			for i := range jobs {
				g := i % n
				status, body, h, err := f.call(f.p.gateways[g], value)
				mu.Lock()
				switch {
				case err == nil && status == 200:
					res.admitted++
					admitted[g].Add(1)
				case err == nil && status == 429 && strings.Contains(body, "Too Many Requests") && h.Get("Retry-After") != "":
					res.throttled++
				default:
					res.other++
					if len(res.samples) < 5 {
						res.samples = append(res.samples, fmt.Sprintf("%d %s %v", status, body, err))
					}
				}
				mu.Unlock()
			}
		})
	}
	interval := time.Second / time.Duration(rps)
	total := int(d / interval)
	first = time.Now()
	for i := range total {
		if wait := time.Until(first.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case jobs <- i:
			res.sent++
		default:
			// Every worker is busy and the queue is full: the offer drops,
			// which the sent count shows.
		}
	}
	end = time.Now()
	close(jobs)
	wg.Wait()
	// The window is from the first to the last request offered; the burst
	// covers the first instant.
	res.window = end.Sub(first)
	res.perGateway = make([]int64, n)
	for i := range admitted {
		res.perGateway[i] = admitted[i].Load()
	}
	return res
}
