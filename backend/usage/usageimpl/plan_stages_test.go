package usageimpl

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/usage"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// TestIntegrationDeletesDropPlanStages deletes stages and APIs through the
// APIs service: usage plans lose the API stages they named in the same
// transaction, and the fleet's copy of each plan is republished.
func TestIntegrationDeletesDropPlanStages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		require.NoError(t, apistest.InsertTenant(d, tenantA))
		bus := fleet.NewMemory()
		t.Cleanup(func() { _ = bus.Close() })
		kb := bus.(fleet.FleetBus)
		apiSvc := apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: kb})
		svc := ProvideService(Deps{DB: d, Bus: kb, Stages: apiSvc})
		apiSvc.OnDelete(svc.DropAPIStages)

		mk := func(name string, stages ...string) string {
			a, err := apiSvc.CreateAPI(ctx, tenantA, apis.CreateAPICommand{Name: name, ProtocolType: gwconfig.ProtocolHTTP})
			require.NoError(t, err)
			for _, st := range stages {
				_, err := apiSvc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: st})
				require.NoError(t, err)
			}
			return a.ID
		}
		one, two := mk("one", "prod", "dev"), mk("two", "prod")
		plan, err := svc.CreateUsagePlan(ctx, tenantA, usage.CreateUsagePlanCommand{Name: "gold", APIStages: []gwconfig.PlanAPIStage{
			{APIID: one, Stage: "prod"}, {APIID: one, Stage: "dev"}, {APIID: two, Stage: "prod"}}})
		require.NoError(t, err)
		stagesOf := func() ([]gwconfig.PlanAPIStage, []gwconfig.PlanAPIStage) {
			p, err := svc.GetUsagePlan(ctx, tenantA, plan.ID)
			require.NoError(t, err)
			published, err := kb.UsagePlans(ctx)
			require.NoError(t, err)
			require.Len(t, published, 1)
			return p.APIStages, published[0].APIStages
		}

		// A failing hook rolls the delete back: the stage and the plan stay.
		errHook := errors.New("hook failed")
		failing := apisimpl.ProvideService(apisimpl.Deps{DB: d, Bus: kb})
		failing.OnDelete(svc.DropAPIStages)
		failing.OnDelete(func(context.Context, string, string, string) error { return errHook })
		require.ErrorIs(t, failing.DeleteStage(ctx, tenantA, one, "dev"), errHook)
		_, err = apiSvc.GetStage(ctx, tenantA, one, "dev")
		require.NoError(t, err)
		stored, _ := stagesOf()
		assert.Len(t, stored, 3)

		require.NoError(t, apiSvc.DeleteStage(ctx, tenantA, one, "dev"))
		stored, published := stagesOf()
		want := []gwconfig.PlanAPIStage{{APIID: one, Stage: "prod"}, {APIID: two, Stage: "prod"}}
		assert.Equal(t, want, stored)
		assert.Equal(t, want, published)

		require.NoError(t, apiSvc.DeleteAPI(ctx, tenantA, one))
		stored, published = stagesOf()
		want = []gwconfig.PlanAPIStage{{APIID: two, Stage: "prod"}}
		assert.Equal(t, want, stored)
		assert.Equal(t, want, published)
	})
}
