package limits_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
	"github.com/turnpike/turnpike/gateway/stage/limits"
)

// benchStage is the limits stage behind a resolved match, with one key in
// a plan with a throttle and a quota that never run out.
func benchStage(b *testing.B, l limit.Limiter) (pipeline.Handler, *router.Match) {
	ctx := context.Background()
	bus := fleet.NewMemory().(fleet.FleetBus)
	b.Cleanup(func() { _ = bus.Close() })
	if err := bus.PutUsagePlan(ctx, &gwconfig.UsagePlan{ID: "p1", TenantID: "t-1",
		Throttle:  &gwconfig.Throttle{RateLimit: 1e9, BurstLimit: 1e9},
		Quota:     &gwconfig.Quota{Limit: 1 << 60, Period: gwconfig.QuotaMonth},
		APIStages: []gwconfig.PlanAPIStage{{APIID: "a1", Stage: "prod"}}}); err != nil {
		b.Fatal(err)
	}
	if err := bus.PutAPIKey(ctx, &gwconfig.APIKey{ID: "k1", TenantID: "t-1", ValueHash: limit.HashKey("bench-key-value-0123456789"),
		Enabled: true, UsagePlanIDs: []string{"p1"}}); err != nil {
		b.Fatal(err)
	}
	if err := bus.PutTenantLimits(ctx, &gwconfig.TenantLimits{TenantID: "t-1", Throttle: gwconfig.Throttle{RateLimit: 1e9, BurstLimit: 1e9}}); err != nil {
		b.Fatal(err)
	}
	keys := limit.NewKeys(bus, nil)
	if err := keys.Load(ctx); err != nil {
		b.Fatal(err)
	}
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t-1", APIID: "a1", StageName: "prod", DeploymentID: "d1",
		Throttle: &gwconfig.Throttle{RateLimit: 1e9, BurstLimit: 1e9},
		Routes: []gwconfig.Route{{RouteID: "r1", RouteKey: "GET /pets", APIKeyRequired: true,
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}}})
	if err != nil {
		b.Fatal(err)
	}
	rt := router.New("", []*router.Stage{st})
	var m router.Match
	if rt.Lookup(&m, "a1.execute-api.localhost", "/prod/pets", "GET") != router.Matched {
		b.Fatal("no match")
	}
	h := limits.New(limits.Deps{Keys: keys, Limiter: l})(pipeline.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil }))
	return h, &m
}

func runStageBench(b *testing.B, l limit.Limiter) {
	h, m := benchStage(b, l)
	r := httptest.NewRequest(http.MethodGet, "http://a1.execute-api.localhost/prod/pets", nil)
	r.Header.Set("X-Api-Key", "bench-key-value-0123456789")
	ex := &pipeline.Exchange{Match: *m}
	r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.ServeHTTP(w, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStageLocal is the whole stage (key check, tenant, stage and
// plan throttles, quota, usage, RateLimit headers) with the in-process
// limiter.
func BenchmarkStageLocal(b *testing.B) { runStageBench(b, limit.NewLocal()) }

// BenchmarkIntegrationStageRedis is the same with the Redis limiter (one
// round trip per request, loopback).
func BenchmarkIntegrationStageRedis(b *testing.B) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		b.Fatalf("Redis at 127.0.0.1:6379 is unreachable (%v); start it with redis-server --daemonize yes", err)
	}
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	prefix := "turnpike-bench:" + hex.EncodeToString(rb[:]) + ":"
	b.Cleanup(func() {
		keys, _ := c.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			_ = c.Del(context.Background(), keys...).Err()
		}
		_ = c.Close()
	})
	runStageBench(b, limit.NewRedis(c, prefix))
}
