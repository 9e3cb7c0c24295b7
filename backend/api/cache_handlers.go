package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/cache"
)

// ActionFlushStageCache flushes a stage's cache.
const ActionFlushStageCache = "apigw:FlushStageCache"

var errCacheUnavailable = apierr.Unavailable("cache.unavailable", "The cache store is unavailable; try again.")

// StageGetter finds a tenant's stage; a missing one (or another tenant's)
// is apis.ErrStageNotFound.
type StageGetter interface {
	GetStage(ctx context.Context, tenantID, apiID, stageName string) (*apis.Stage, error)
}

// CacheModule is the stage cache's management API: flushing a stage's
// entries. It flushes the store the gateways read: Redis in a fleet (one
// generation bump every gateway sees on its next lookup), the embedded
// gateway's in-process store otherwise.
type CacheModule struct {
	stages StageGetter
	store  cache.Store
}

var _ Module = (*CacheModule)(nil)

// NewCacheModule returns the cache routes.
func NewCacheModule(stages StageGetter, store cache.Store) (*CacheModule, error) {
	if stages == nil || store == nil {
		return nil, fmt.Errorf("cache module: stages and store are required")
	}
	return &CacheModule{stages: stages, store: store}, nil
}

// Routes implements Module.
func (m *CacheModule) Routes(r *Router) {
	r.Handle(http.MethodDelete, "/apis/:apiId/stages/:stageName/cache/data", ActionFlushStageCache, resourceStage,
		"Flush a stage's cache: every cached response of the stage, across the fleet (202)", m.flush,
		&RouteDoc{StatusCode: http.StatusAccepted})
}

func (m *CacheModule) flush(c *gin.Context) error {
	tenant, err := apisTenant(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	st, err := m.stages.GetStage(ctx, tenant, c.Param("apiId"), c.Param("stageName"))
	if err != nil {
		return err
	}
	if err := m.store.Flush(ctx, cache.StageID(tenant, st.APIID, st.StageName)); err != nil {
		return errCacheUnavailable.Errorf("flushing the cache of stage %s/%s: %w", st.APIID, st.StageName, err)
	}
	c.Status(http.StatusAccepted)
	return nil
}
