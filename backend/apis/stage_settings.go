package apis

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// MethodSetting is one route's cache and throttle settings in a stage,
// keyed by route key in Stage.MethodSettings (API Gateway's methodSettings).
type MethodSetting struct {
	// CachingEnabled caches the route's answers; absent caches GET routes.
	CachingEnabled *bool `json:"cachingEnabled,omitempty"`
	// CacheTTLInSeconds is 0–3600; absent takes the stage default, 0 turns
	// caching off.
	CacheTTLInSeconds *int `json:"cacheTtlInSeconds,omitempty"`
	// CacheKeyParameters are method.request.{header|querystring|path}.NAME.
	CacheKeyParameters []string `json:"cacheKeyParameters,omitempty"`
	// ThrottlingRateLimit (requests per second, 0 or more) and
	// ThrottlingBurstLimit (0 or more) are the route's throttle in this
	// stage; both or neither. It overrides the stage default and the
	// route's own throttle, as a stage's method throttle does in API Gateway.
	ThrottlingRateLimit  *float64 `json:"throttlingRateLimit,omitempty"`
	ThrottlingBurstLimit *int     `json:"throttlingBurstLimit,omitempty"`
}

// Throttle is the setting's throttle as the gateway takes it, nil unless
// both limits are set.
func (m MethodSetting) Throttle() *gwconfig.Throttle {
	if m.ThrottlingRateLimit == nil || m.ThrottlingBurstLimit == nil {
		return nil
	}
	return &gwconfig.Throttle{RateLimit: *m.ThrottlingRateLimit, BurstLimit: *m.ThrottlingBurstLimit}
}

// methodThrottle checks a method setting's throttle: both limits or
// neither, each zero or more (zero refuses every request, as in API
// Gateway).
func (v *validator) methodThrottle(field string, m MethodSetting) {
	rate, burst := m.ThrottlingRateLimit, m.ThrottlingBurstLimit
	switch {
	case rate == nil && burst != nil:
		v.Add(field+".throttlingRateLimit", "required", "is required with throttlingBurstLimit")
	case rate != nil && burst == nil:
		v.Add(field+".throttlingBurstLimit", "required", "is required with throttlingRateLimit")
	}
	if rate != nil && (math.IsNaN(*rate) || math.IsInf(*rate, 0) || *rate < 0) {
		v.Add(field+".throttlingRateLimit", "out_of_range", "must be zero or more requests per second")
	}
	if burst != nil && *burst < 0 {
		v.Add(field+".throttlingBurstLimit", "out_of_range", "must be zero or more")
	}
}

// RouteCache is the setting as the gateway takes it.
func (m MethodSetting) RouteCache() *gwconfig.RouteCache {
	return &gwconfig.RouteCache{Enabled: m.CachingEnabled, TTLSeconds: m.CacheTTLInSeconds,
		KeyParameters: slices.Clone(m.CacheKeyParameters)}
}

// AccessLogSettings is a stage's access log (API Gateway's
// accessLogSettings): Format is CLF, JSON, XML, CSV or $context variables;
// DestinationArn is stdout, redis or file:NAME.
type AccessLogSettings struct {
	Format         string `json:"format"`
	DestinationArn string `json:"destinationArn"`
}

// AccessLog is the setting as the gateway takes it.
func (a *AccessLogSettings) AccessLog() *gwconfig.AccessLog {
	if a == nil {
		return nil
	}
	return &gwconfig.AccessLog{Format: a.Format, Destination: a.DestinationArn}
}

// Optional is a PATCH value that tells "absent" (Set false) from null (Set,
// Value nil: remove it) and a value.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON implements json.Unmarshaler; it is called for null too.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var t T
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	o.Value = &t
	return nil
}

// MarshalJSON implements json.Marshaler.
func (o Optional[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.Value) }

// StageCacheSettings are the cache fields of a stage command, named as API
// Gateway names them; absent fields are left as they are.
type StageCacheSettings struct {
	// CacheClusterEnabled turns the stage's cache on.
	CacheClusterEnabled *bool `json:"cacheClusterEnabled,omitempty"`
	// CacheClusterSize is the cache's memory in MB, "0.5" to "237".
	CacheClusterSize *string `json:"cacheClusterSize,omitempty"`
	// CacheTTLInSeconds is the default time to live of cached answers
	// (0–3600, default 300).
	CacheTTLInSeconds *int `json:"cacheTtlInSeconds,omitempty"`
	// RequireAuthorizationForCacheControl refuses Cache-Control: max-age=0
	// from callers not allowed to invalidate.
	RequireAuthorizationForCacheControl *bool `json:"requireAuthorizationForCacheControl,omitempty"`
	// UnauthorizedCacheControlHeaderStrategy is FAIL_WITH_403,
	// SUCCEED_WITH_RESPONSE_HEADER or SUCCEED_WITHOUT_RESPONSE_HEADER.
	UnauthorizedCacheControlHeaderStrategy *string `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
	// XCacheHeader adds X-Cache: Hit or Miss to cacheable answers.
	XCacheHeader *bool `json:"xCacheHeader,omitempty"`
}

// Apply sets the given fields on c (a copy; nil starts from none) and
// returns it, or nil when the result is the zero cache.
func (s *StageCacheSettings) Apply(c *gwconfig.StageCache) *gwconfig.StageCache {
	var out gwconfig.StageCache
	if c != nil {
		out = *c
	}
	if s.CacheClusterEnabled != nil {
		out.Enabled = *s.CacheClusterEnabled
	}
	if s.CacheClusterSize != nil {
		out.SizeMB, _ = parseCacheSize(*s.CacheClusterSize)
	}
	if s.CacheTTLInSeconds != nil {
		out.DefaultTTLSeconds = *s.CacheTTLInSeconds
	}
	if s.RequireAuthorizationForCacheControl != nil {
		out.RequireAuthorizationForCacheControl = *s.RequireAuthorizationForCacheControl
	}
	if s.UnauthorizedCacheControlHeaderStrategy != nil {
		out.UnauthorizedCacheControlHeaderStrategy = *s.UnauthorizedCacheControlHeaderStrategy
	}
	if s.XCacheHeader != nil {
		out.XCacheHeader = *s.XCacheHeader
	}
	if out == (gwconfig.StageCache{}) {
		return nil
	}
	return &out
}

func parseCacheSize(s string) (float64, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// FormatCacheSize renders SizeMB as API Gateway's cacheClusterSize.
func FormatCacheSize(mb float64) string {
	if mb == 0 {
		return ""
	}
	return strconv.FormatFloat(mb, 'f', -1, 64)
}

// REST names of the gateway's field names.
var stageSettingFields = map[string]string{
	"cache.sizeMb":                                 "cacheClusterSize",
	"cache.defaultTtlSeconds":                      "cacheTtlInSeconds",
	"cache.unauthorizedCacheControlHeaderStrategy": "unauthorizedCacheControlHeaderStrategy",
	"accessLog.format":                             "accessLogSettings.format",
	"accessLog.destination":                        "accessLogSettings.destinationArn",
	"cache.ttlSeconds":                             "cacheTtlInSeconds",
	"cache.keyParameters":                          "cacheKeyParameters",
}

func restField(f string) string {
	base, idx, _ := strings.Cut(f, "[")
	if r, ok := stageSettingFields[base]; ok {
		if idx != "" {
			return r + "[" + idx
		}
		return r
	}
	return f
}

// stageSettings checks a stage command's cache, method and access log
// settings with the gateway's own rules and returns the method settings
// with canonical route keys.
func (v *validator) stageSettings(cache *StageCacheSettings, methods map[string]MethodSetting, log *AccessLogSettings) map[string]MethodSetting {
	if cache.CacheClusterSize != nil {
		if _, ok := parseCacheSize(*cache.CacheClusterSize); !ok {
			v.Add("cacheClusterSize", "invalid", "must be a number of MB, \"0.5\" to \"237\"")
		}
	}
	for _, fe := range gwconfig.ValidateStageSettings(cache.Apply(nil), log.AccessLog()) {
		v.Add(restField(fe.Field), fe.Code, fe.Message)
	}
	if methods == nil {
		return nil
	}
	out := make(map[string]MethodSetting, len(methods))
	for _, key := range slices.Sorted(maps.Keys(methods)) {
		m := methods[key]
		field := "methodSettings." + key
		canon := v.routeKey(field, key)
		for _, fe := range gwconfig.ValidateRouteCache(m.RouteCache()) {
			v.Add(field+"."+restField(fe.Field), fe.Code, fe.Message)
		}
		v.methodThrottle(field, m)
		if _, dup := out[canon]; dup {
			v.Add(field, "duplicate", "names the same route as another key")
		}
		out[canon] = m
	}
	return out
}

// ApplyTo puts the stage's cache, method and access log settings into a
// snapshot of it: they are the stage's current ones, not a deployment's.
// A method setting's throttle goes to Route.MethodThrottle, not
// Route.Throttle, so that removing it brings back the route's own.
func (st *Stage) ApplyTo(snap *gwconfig.Stage) {
	snap.Cache = nil
	if st.Cache != nil {
		c := *st.Cache
		snap.Cache = &c
	}
	snap.AccessLog = st.AccessLog.AccessLog()
	for i := range snap.Routes {
		r := &snap.Routes[i]
		r.Cache, r.MethodThrottle = nil, nil
		if m, ok := st.MethodSettings[r.RouteKey]; ok {
			r.Cache = m.RouteCache()
			r.MethodThrottle = m.Throttle()
		}
	}
}
