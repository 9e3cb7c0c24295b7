package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/api"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/cache"
)

// fakeStages knows one stage of tenant ta.
type fakeStages struct{}

func (fakeStages) GetStage(_ context.Context, tenantID, apiID, stageName string) (*apis.Stage, error) {
	if tenantID == apisTenantA && apiID == "a1" && stageName == "prod" {
		return &apis.Stage{TenantID: tenantID, APIID: apiID, StageName: stageName}, nil
	}
	return nil, apis.ErrStageNotFound
}

// failingStore fails every flush.
type failingStore struct{ cache.Store }

func (failingStore) Flush(context.Context, string) error { return errors.New("redis down") }

func TestFlushStageCache(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		desc       string
		tenant     string
		path       string
		deny       bool
		broken     bool
		wantStatus int
		wantCode   string
		flushed    bool
	}{
		{desc: "flushes", tenant: apisTenantA, path: "/v1/apis/a1/stages/prod/cache/data", wantStatus: http.StatusAccepted, flushed: true},
		{desc: "another tenant's stage is not found", tenant: apisTenantB, path: "/v1/apis/a1/stages/prod/cache/data",
			wantStatus: http.StatusNotFound, wantCode: "stage.not-found"},
		{desc: "unknown stage", tenant: apisTenantA, path: "/v1/apis/a1/stages/dev/cache/data", wantStatus: http.StatusNotFound, wantCode: "stage.not-found"},
		{desc: "denied by policy", tenant: apisTenantA, path: "/v1/apis/a1/stages/prod/cache/data", deny: true, wantStatus: http.StatusForbidden},
		{desc: "store down", tenant: apisTenantA, path: "/v1/apis/a1/stages/prod/cache/data", broken: true,
			wantStatus: http.StatusServiceUnavailable, wantCode: "cache.unavailable"},
	}
	for _, test := range tests {
		t.Run(test.desc, func(t *testing.T) {
			mem := cache.NewMemory(nil)
			require.NoError(t, mem.Set(ctx, cache.StageID(apisTenantA, "a1", "prod"), "k", []byte("v"), time.Minute, 0))
			var store cache.Store = mem
			if test.broken {
				store = failingStore{mem}
			}
			mod, err := api.NewCacheModule(fakeStages{}, store)
			require.NoError(t, err)
			authz := &apisAuthz{deny: map[string]bool{}}
			if test.deny {
				authz.deny[api.ActionFlushStageCache] = true
			}
			srv := api.New(api.Config{Logger: slog.New(slog.DiscardHandler), Authn: apisAuthn{}, Authz: authz, Modules: []api.Module{mod}})

			req := httptest.NewRequest(http.MethodDelete, test.path, nil)
			req.Header.Set(apisTenantHeader, test.tenant)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)

			assert.Equal(t, test.wantStatus, rec.Code)
			if test.wantCode != "" {
				var body struct {
					Error struct{ Code string } `json:"error"`
				}
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
				assert.Equal(t, test.wantCode, body.Error.Code)
			}
			_, cached, err := mem.Get(ctx, cache.StageID(apisTenantA, "a1", "prod"), "k")
			require.NoError(t, err)
			assert.Equal(t, !test.flushed, cached)
			assert.Equal(t, api.ActionFlushStageCache+" "+test.path[len("/v1/"):len(test.path)-len("/cache/data")], authz.last())
		})
	}
}
