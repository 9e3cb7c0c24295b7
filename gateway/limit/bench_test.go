package limit_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/limit"
	"github.com/turnpike/turnpike/gateway/redistest"
)

// benchKeySet indexes 10,000 keys in 100 plans.
func benchKeySet() *limit.KeySet {
	var keys []*gwconfig.APIKey
	var plans []*gwconfig.UsagePlan
	for p := range 100 {
		plans = append(plans, plan("p"+strconv.Itoa(p)))
	}
	for k := range 10000 {
		keys = append(keys, key("k"+strconv.Itoa(k), "value-"+strconv.Itoa(k), "p"+strconv.Itoa(k%100)))
	}
	return limit.NewKeySet(keys, plans, nil)
}

// BenchmarkKeyLookup is the gateway's key check: hash the x-api-key value,
// find the key, find its plan stage and the throttle for the route.
func BenchmarkKeyLookup(b *testing.B) {
	set := benchKeySet()
	const value = "value-4242"
	b.ReportAllocs()
	for b.Loop() {
		k := set.Lookup(value)
		ps := k.Stage("a1", "prod")
		if _, _, ok := ps.MethodThrottle("GET /pets"); !ok {
			b.Fatal("no throttle")
		}
	}
}

func benchRequest() *limit.Request {
	return &limit.Request{
		Throttles: []limit.Throttle{
			{Key: "t:t-1", Policy: "tenant", Rate: 1e9, Burst: 1e9},
			{Key: "m:a1/prod:GET /pets", Policy: "method", Rate: 1e9, Burst: 1e9},
			{Key: "k:p1:k1", Policy: "key", Rate: 1e9, Burst: 1e9},
		},
		PlanID: "p1", KeyID: "k1",
		Quota: &gwconfig.Quota{Limit: 1 << 60, Period: gwconfig.QuotaMonth},
	}
}

// BenchmarkLocalAllow is one full decision (tenant, method and key
// throttles, quota, usage) in process.
func BenchmarkLocalAllow(b *testing.B) {
	l := limit.NewLocal()
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if d, err := l.Allow(b.Context(), req); err != nil || !d.Allowed() {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkIntegrationRedisAllow is the same decision in one Redis round
// trip (loopback).
func BenchmarkIntegrationRedisAllow(b *testing.B) {
	prefix := redistest.Prefix(b)
	c := redisClient(b, prefix)
	l := limit.NewRedis(c, prefix)
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		if d, err := l.Allow(b.Context(), req); err != nil || !d.Allowed() {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkIntegrationRedisAllowParallel is the decision from many
// goroutines at once, as a loaded gateway makes it: calls made together
// share pipelines (one round trip per batch).
func BenchmarkIntegrationRedisAllowParallel(b *testing.B) {
	for _, proto := range []int{3, 2} {
		b.Run(fmt.Sprintf("resp%d", proto), func(b *testing.B) { benchAllowParallel(b, proto) })
	}
}

func benchAllowParallel(b *testing.B, proto int) {
	prefix := redistest.Prefix(b)
	c := redisClient(b, prefix)
	opts := limit.ClientOptions(*c.Options())
	opts.Protocol = proto
	c = redis.NewClient(opts)
	b.Cleanup(func() { _ = c.Close() })
	l := limit.NewRedis(c, prefix)
	req := benchRequest()
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if d, err := l.Allow(b.Context(), req); err != nil || !d.Allowed() {
				b.Fatal(d, err)
			}
		}
	})
}
