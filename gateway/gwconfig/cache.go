package gwconfig

import (
	"fmt"
	"strings"
)

// Cache sizes and TTL bounds, as API Gateway sets them. SizeMB is the
// budget of one gateway's in-process cache, or the share of Redis memory a
// stage may fill in a fleet.
const (
	MinCacheSizeMB          = 0.5
	MaxCacheSizeMB          = 237
	DefaultCacheSizeMB      = 0.5
	DefaultCacheTTLSeconds  = 300
	MaxCacheTTLSeconds      = 3600
	MaxCacheKeyParameters   = 16
	cacheKeyParameterPrefix = "method.request."
)

// Strategies for a Cache-Control: max-age=0 the caller is not allowed to
// send (UnauthorizedCacheControlHeaderStrategy), named as API Gateway names
// them.
const (
	CacheControlFailWith403                  = "FAIL_WITH_403"
	CacheControlSucceedWithResponseHeader    = "SUCCEED_WITH_RESPONSE_HEADER"
	CacheControlSucceedWithoutResponseHeader = "SUCCEED_WITHOUT_RESPONSE_HEADER"
)

// StageCache is a stage's response cache.
type StageCache struct {
	// Enabled turns the stage's cache on (cacheClusterEnabled).
	Enabled bool `json:"enabled"`
	// SizeMB bounds the memory the stage's cached responses take
	// (cacheClusterSize: 0.5–237, default 0.5). Any value in range is
	// accepted, not only API Gateway's fixed sizes.
	SizeMB float64 `json:"sizeMb,omitempty"`
	// DefaultTTLSeconds is the time to live of a route that sets none
	// (default 300).
	DefaultTTLSeconds int `json:"defaultTtlSeconds,omitempty"`
	// RequireAuthorizationForCacheControl, when true, lets only callers
	// whose IAM access key (Authorization: Bearer) is allowed
	// execute-api:InvalidateCache on the request's resource (iam.go)
	// invalidate with Cache-Control: max-age=0; other such requests are
	// handled per UnauthorizedCacheControlHeaderStrategy. When false, any
	// caller may invalidate the entry its request maps to.
	RequireAuthorizationForCacheControl bool `json:"requireAuthorizationForCacheControl,omitempty"`
	// UnauthorizedCacheControlHeaderStrategy is FAIL_WITH_403,
	// SUCCEED_WITH_RESPONSE_HEADER (the request is served, the header
	// ignored and the answer says so) or SUCCEED_WITHOUT_RESPONSE_HEADER
	// (default SUCCEED_WITH_RESPONSE_HEADER).
	UnauthorizedCacheControlHeaderStrategy string `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
	// XCacheHeader adds X-Cache: Hit or Miss to cacheable answers.
	XCacheHeader bool `json:"xCacheHeader,omitempty"`
}

// RouteCache is a route's cache settings (methodSettings in API Gateway).
type RouteCache struct {
	// Enabled caches the route's answers; nil means only GET routes are
	// cached (cachingEnabled).
	Enabled *bool `json:"enabled,omitempty"`
	// TTLSeconds is the time to live of the route's entries, 0–3600; nil
	// takes the stage's default, 0 turns caching off (cacheTtlInSeconds).
	TTLSeconds *int `json:"ttlSeconds,omitempty"`
	// KeyParameters are the request parts besides the path that tell
	// entries apart: method.request.header.NAME,
	// method.request.querystring.NAME, method.request.path.NAME
	// (cacheKeyParameters).
	KeyParameters []string `json:"keyParameters,omitempty"`
}

// Cache key parameter sources.
const (
	CacheKeyHeader      = "header"
	CacheKeyQueryString = "querystring"
	CacheKeyPath        = "path"
)

// ParseCacheKeyParameter splits method.request.{header|querystring|path}.NAME.
func ParseCacheKeyParameter(p string) (source, name string, err error) {
	rest, ok := strings.CutPrefix(p, cacheKeyParameterPrefix)
	if !ok {
		return "", "", fmt.Errorf("%q does not start with %s", p, cacheKeyParameterPrefix)
	}
	source, name, ok = strings.Cut(rest, ".")
	if !ok || name == "" {
		return "", "", fmt.Errorf("%q names no parameter", p)
	}
	switch source {
	case CacheKeyHeader, CacheKeyQueryString, CacheKeyPath:
		return source, name, nil
	}
	return "", "", fmt.Errorf("%q: source must be header, querystring or path", p)
}

func (c *StageCache) setDefaults() {
	if c.SizeMB == 0 {
		c.SizeMB = DefaultCacheSizeMB
	}
	if c.DefaultTTLSeconds == 0 {
		c.DefaultTTLSeconds = DefaultCacheTTLSeconds
	}
	if c.UnauthorizedCacheControlHeaderStrategy == "" {
		c.UnauthorizedCacheControlHeaderStrategy = CacheControlSucceedWithResponseHeader
	}
}

func validateStageCache(ve *ValidationError, c *StageCache) {
	if c == nil {
		return
	}
	if c.SizeMB != 0 && (c.SizeMB < MinCacheSizeMB || c.SizeMB > MaxCacheSizeMB) {
		ve.add("cache.sizeMb", "out_of_range", "must be %g to %g", MinCacheSizeMB, float64(MaxCacheSizeMB))
	}
	if c.DefaultTTLSeconds < 0 || c.DefaultTTLSeconds > MaxCacheTTLSeconds {
		ve.add("cache.defaultTtlSeconds", "out_of_range", "must be 0 to %d", MaxCacheTTLSeconds)
	}
	switch c.UnauthorizedCacheControlHeaderStrategy {
	case "", CacheControlFailWith403, CacheControlSucceedWithResponseHeader, CacheControlSucceedWithoutResponseHeader:
	default:
		ve.add("cache.unauthorizedCacheControlHeaderStrategy", "invalid", "must be %s, %s or %s",
			CacheControlFailWith403, CacheControlSucceedWithResponseHeader, CacheControlSucceedWithoutResponseHeader)
	}
}

func validateRouteCache(ve *ValidationError, prefix string, c *RouteCache) {
	if c == nil {
		return
	}
	if c.TTLSeconds != nil && (*c.TTLSeconds < 0 || *c.TTLSeconds > MaxCacheTTLSeconds) {
		ve.add(prefix+"cache.ttlSeconds", "out_of_range", "must be 0 to %d", MaxCacheTTLSeconds)
	}
	if len(c.KeyParameters) > MaxCacheKeyParameters {
		ve.add(prefix+"cache.keyParameters", "too_many", "at most %d", MaxCacheKeyParameters)
	}
	for i, p := range c.KeyParameters {
		if _, _, err := ParseCacheKeyParameter(p); err != nil {
			ve.add(fmt.Sprintf("%scache.keyParameters[%d]", prefix, i), "invalid", "%v", err)
		}
	}
}
