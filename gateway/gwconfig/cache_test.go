package gwconfig

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cacheStage() *Stage {
	return &Stage{TenantID: "t", APIID: "a", StageName: "prod", DeploymentID: "d",
		Routes: []Route{{RouteID: "r", RouteKey: "GET /pets", Integration: Integration{Type: IntegrationMock}}}}
}

func ptrTo[T any](v T) *T { return &v }

func TestValidateCacheAndAccessLog(t *testing.T) {
	tests := []struct {
		desc   string
		edit   func(s *Stage)
		fields []string
	}{
		{desc: "cache with defaults", edit: func(s *Stage) { s.Cache = &StageCache{Enabled: true} }},
		{desc: "size too small", edit: func(s *Stage) { s.Cache = &StageCache{Enabled: true, SizeMB: 0.1} }, fields: []string{"cache.sizeMb"}},
		{desc: "size too large", edit: func(s *Stage) { s.Cache = &StageCache{Enabled: true, SizeMB: 500} }, fields: []string{"cache.sizeMb"}},
		{desc: "any size in range", edit: func(s *Stage) { s.Cache = &StageCache{Enabled: true, SizeMB: 13.5} }},
		{desc: "ttl out of range", edit: func(s *Stage) { s.Cache = &StageCache{Enabled: true, DefaultTTLSeconds: 3601} }, fields: []string{"cache.defaultTtlSeconds"}},
		{desc: "bad strategy", edit: func(s *Stage) { s.Cache = &StageCache{UnauthorizedCacheControlHeaderStrategy: "IGNORE"} }, fields: []string{"cache.unauthorizedCacheControlHeaderStrategy"}},
		{desc: "route ttl out of range", edit: func(s *Stage) { s.Routes[0].Cache = &RouteCache{TTLSeconds: ptrTo(-1)} }, fields: []string{"routes[0].cache.ttlSeconds"}},
		{desc: "route key parameters", edit: func(s *Stage) {
			s.Routes[0].Cache = &RouteCache{KeyParameters: []string{"method.request.header.x", "method.request.querystring.y", "method.request.path.z"}}
		}},
		{desc: "bad key parameter", edit: func(s *Stage) {
			s.Routes[0].Cache = &RouteCache{KeyParameters: []string{"method.request.body.x", "header.x", "method.request.path."}}
		}, fields: []string{"routes[0].cache.keyParameters[0]", "routes[0].cache.keyParameters[1]", "routes[0].cache.keyParameters[2]"}},
		{desc: "access log preset", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "JSON", Destination: "stdout"} }},
		{desc: "access log custom to a file", edit: func(s *Stage) {
			s.AccessLog = &AccessLog{Format: "$context.requestId $context.status", Destination: "file:access/prod.log"}
		}},
		{desc: "access log to redis-stream", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "CSV", Destination: "redis-stream"} }},
		{desc: "unknown variable", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "$context.nope", Destination: "stdout"} }, fields: []string{"accessLog.format"}},
		{desc: "empty format", edit: func(s *Stage) { s.AccessLog = &AccessLog{Destination: "stdout"} }, fields: []string{"accessLog.format"}},
		{desc: "absolute file", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "CLF", Destination: "file:/etc/passwd"} }, fields: []string{"accessLog.destination"}},
		{desc: "file escaping the directory", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "CLF", Destination: "file:../x.log"} }, fields: []string{"accessLog.destination"}},
		{desc: "unknown destination", edit: func(s *Stage) { s.AccessLog = &AccessLog{Format: "CLF", Destination: "s3://x"} }, fields: []string{"accessLog.destination"}},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			s := cacheStage()
			test.edit(s)
			err := s.Validate()
			if len(test.fields) == 0 {
				require.NoError(t, err)
				return
			}
			ve, ok := AsValidationError(err)
			require.True(t, ok)
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			assert.Equal(t, test.fields, got)
		})
	}
}

func TestCacheDefaults(t *testing.T) {
	s := cacheStage()
	s.Cache = &StageCache{Enabled: true}
	s.SetDefaults()
	assert.Equal(t, &StageCache{Enabled: true, SizeMB: 0.5, DefaultTTLSeconds: 300,
		UnauthorizedCacheControlHeaderStrategy: CacheControlSucceedWithResponseHeader}, s.Cache)
}
