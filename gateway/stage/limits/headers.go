package limits

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/turnpike/turnpike/gateway/limit"
)

// The RateLimit headers are set on every keyed request, so their values
// are made without the usual string + []string per header: the
// RateLimit-Policy value depends on the policy alone and is formatted once
// (policyHeaders); Retry-After values are shared for the usual waits; the
// RateLimit value, which changes per request, costs its string only, its
// one-element slice is cut from a pooled block (valueSlices).
//
// The shared slices are cut with cap 1, so a later append to the header
// copies instead of writing into them.

// policyRef is what a RateLimit-Policy value is made of.
type policyRef struct {
	policy        string
	limit, window int64
}

// maxPolicyHeaders bounds the policy value cache: policies come from
// configuration, so it is dropped only when something churns through them.
const maxPolicyHeaders = 1 << 12

// policyHeaders caches RateLimit-Policy values, copy-on-write: reads take
// no lock, a miss copies the map (misses stop once the policies are seen).
type policyHeaders struct {
	mu sync.Mutex
	m  atomic.Pointer[map[policyRef][]string]
}

func (c *policyHeaders) get(policy string, lim int64, window time.Duration) []string {
	k := policyRef{policy, lim, max(int64(window/time.Second), 1)}
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	var b [96]byte
	p := append(b[:0], '"')
	p = append(p, k.policy...)
	p = append(p, `";q=`...)
	p = strconv.AppendInt(p, k.limit, 10)
	p = append(p, ";w="...)
	p = strconv.AppendInt(p, k.window, 10)
	v := []string{string(p)}
	v = v[:1:1]

	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	n := map[policyRef][]string{}
	if old != nil && len(*old) < maxPolicyHeaders {
		n = make(map[policyRef][]string, len(*old)+1)
		for k, v := range *old {
			n[k] = v
		}
	}
	n[k] = v
	c.m.Store(&n)
	return v
}

// retryAfterValues are the Retry-After values of waits up to an hour.
var retryAfterValues = func() [][]string {
	vs := make([][]string, 3601)
	for i := range vs {
		vs[i] = []string{strconv.Itoa(i)}[:1:1]
	}
	return vs
}()

// retryAfter is Retry-After for d: whole seconds, rounded up, at least 1.
func retryAfter(d time.Duration) []string {
	s := max(int64((d+time.Second-1)/time.Second), 1)
	if s < int64(len(retryAfterValues)) {
		return retryAfterValues[s]
	}
	return []string{strconv.FormatInt(s, 10)}
}

// valueSlices hands out one-element header value slices cut from blocks,
// one allocation per block instead of one per header. Each element is
// handed out once; a block lives while any response still holds a piece.
var valueSlices = sync.Pool{New: func() any { return new(valueBlock) }}

type valueBlock struct {
	vs []string
}

const valueBlockSize = 64

func headerValue(s string) []string {
	b := valueSlices.Get().(*valueBlock)
	if len(b.vs) == 0 {
		b.vs = make([]string, valueBlockSize)
	}
	v := b.vs[:1:1]
	v[0] = s
	b.vs = b.vs[1:]
	valueSlices.Put(b)
	return v
}

func (s *stage) setRateLimitHeaders(h http.Header, d limit.Decision) {
	h["Ratelimit-Policy"] = s.policyHeaders.get(d.Policy, d.Limit, d.Window)

	var b [96]byte
	p := append(b[:0], '"')
	p = append(p, d.Policy...)
	p = append(p, `";r=`...)
	p = strconv.AppendInt(p, max(d.Remaining, 0), 10)
	p = append(p, ";t="...)
	reset := d.Reset
	if !d.Allowed() {
		reset = d.RetryAfter
	}
	p = strconv.AppendInt(p, int64((reset+time.Second-1)/time.Second), 10)
	h["Ratelimit"] = headerValue(string(p))
}
