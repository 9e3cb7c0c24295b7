package apisimpl

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/workflows/deploy"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

type fixture struct {
	db      *db.DB
	svc     *Service
	ds      *DeployStore
	bus     fleet.Bus
	starter *apistest.FakeStarter
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	require.NoError(t, apistest.InsertTenant(d, tenantA))
	require.NoError(t, apistest.InsertTenant(d, tenantB))
	bus := fleet.NewMemory()
	t.Cleanup(func() { _ = bus.Close() })
	st := &apistest.FakeStarter{}
	return &fixture{db: d, bus: bus, starter: st, ds: NewDeployStore(d),
		svc: ProvideService(Deps{DB: d, Bus: bus, Starter: st})}
}

func (f *fixture) api(t *testing.T, tenant string) *apis.API {
	t.Helper()
	a, err := f.svc.CreateAPI(context.Background(), tenant, apis.CreateAPICommand{Name: "pets", ProtocolType: "HTTP"})
	require.NoError(t, err)
	return a
}

func mockRoute(key string) apis.CreateRouteCommand {
	return apis.CreateRouteCommand{RouteKey: key, Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock, MockBody: "ok"}}
}

// deployed runs a deployment to the stage through the deploy store, as the
// workflow would, and returns its id.
func (f *fixture) deployed(t *testing.T, tenant, apiID, stage string) string {
	t.Helper()
	ctx := context.Background()
	d, err := f.svc.CreateDeployment(ctx, tenant, apiID, apis.CreateDeploymentCommand{StageName: stage})
	require.NoError(t, err)
	snap, err := f.ds.CompileDeployment(ctx, tenant, d.ID)
	require.NoError(t, err)
	require.NoError(t, f.bus.PutStage(ctx, snap))
	require.NoError(t, f.ds.MarkDeployed(ctx, tenant, d.ID))
	return d.ID
}

func TestIntegrationAPIStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)

		a, err := f.svc.CreateAPI(ctx, tenantA, apis.CreateAPICommand{Name: "pets", ProtocolType: "HTTP", Description: "d"})
		require.NoError(t, err)
		assert.Regexp(t, `^[a-z0-9]{10}$`, a.ID)

		got, err := f.svc.GetAPI(ctx, tenantA, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a, got)

		name := "cats"
		upd, err := f.svc.UpdateAPI(ctx, tenantA, a.ID, apis.UpdateAPICommand{Name: &name})
		require.NoError(t, err)
		assert.Equal(t, "cats", upd.Name)
		assert.Equal(t, "d", upd.Description)

		list, err := f.svc.ListAPIs(ctx, tenantA)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "cats", list[0].Name)

		listB, err := f.svc.ListAPIs(ctx, tenantB)
		require.NoError(t, err)
		assert.Empty(t, listB)

		_, err = f.svc.CreateAPI(ctx, tenantA, apis.CreateAPICommand{Name: "ws", ProtocolType: "WEBSOCKET"})
		assert.ErrorIs(t, err, apis.ErrAPIInvalid)

		require.NoError(t, f.svc.DeleteAPI(ctx, tenantA, a.ID))
		_, err = f.svc.GetAPI(ctx, tenantA, a.ID)
		assert.ErrorIs(t, err, apis.ErrAPINotFound)
		assert.ErrorIs(t, f.svc.DeleteAPI(ctx, tenantA, a.ID), apis.ErrAPINotFound)
	})
}

func TestIntegrationRouteStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)

		r, err := f.svc.CreateRoute(ctx, tenantA, a.ID, apis.CreateRouteCommand{RouteKey: "GET /pets/{id}",
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: "https://example.com/pets/{id}"}})
		require.NoError(t, err)
		assert.Regexp(t, `^[a-z0-9]{7}$`, r.ID)
		assert.Equal(t, gwconfig.DefaultTimeoutMillis, r.Integration.TimeoutInMillis)

		got, err := f.svc.GetRoute(ctx, tenantA, a.ID, r.ID)
		require.NoError(t, err)
		assert.Equal(t, r, got)

		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /pets/{id}"))
		assert.ErrorIs(t, err, apis.ErrRouteKeyTaken)

		r2, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("$default"))
		require.NoError(t, err)
		key := "GET /pets/{id}"
		_, err = f.svc.UpdateRoute(ctx, tenantA, a.ID, r2.ID, apis.UpdateRouteCommand{RouteKey: &key})
		assert.ErrorIs(t, err, apis.ErrRouteKeyTaken)
		got2, err := f.svc.GetRoute(ctx, tenantA, a.ID, r2.ID)
		require.NoError(t, err)
		assert.Equal(t, "$default", got2.RouteKey)

		key = "POST /pets"
		upd, err := f.svc.UpdateRoute(ctx, tenantA, a.ID, r2.ID, apis.UpdateRouteCommand{RouteKey: &key})
		require.NoError(t, err)
		assert.Equal(t, "POST /pets", upd.RouteKey)

		list, err := f.svc.ListRoutes(ctx, tenantA, a.ID)
		require.NoError(t, err)
		assert.Len(t, list, 2)

		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, apis.CreateRouteCommand{RouteKey: "GET /x",
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: "ftp://example.com"}})
		assert.ErrorIs(t, err, apis.ErrRouteInvalid)

		require.NoError(t, f.svc.DeleteRoute(ctx, tenantA, a.ID, r.ID))
		_, err = f.svc.GetRoute(ctx, tenantA, a.ID, r.ID)
		assert.ErrorIs(t, err, apis.ErrRouteNotFound)
	})
}

func TestIntegrationStageStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)

		st, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod",
			StageVariables: map[string]string{"backend": "a.example.com"}})
		require.NoError(t, err)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		assert.ErrorIs(t, err, apis.ErrStageExists)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "bad name"})
		assert.ErrorIs(t, err, apis.ErrStageInvalid)

		got, err := f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, st, got)

		desc := "production"
		upd, err := f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", apis.UpdateStageCommand{Description: &desc})
		require.NoError(t, err)
		assert.Equal(t, "production", upd.Description)
		assert.Equal(t, map[string]string{"backend": "a.example.com"}, upd.StageVariables)

		list, err := f.svc.ListStages(ctx, tenantA, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "production", list[0].Description)

		require.NoError(t, f.svc.DeleteStage(ctx, tenantA, a.ID, "prod"))
		_, err = f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		assert.ErrorIs(t, err, apis.ErrStageNotFound)
	})
}

func TestIntegrationStageVariablesRepublish(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, apis.CreateRouteCommand{RouteKey: "ANY /{proxy+}",
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationHTTPProxy, URI: "http://${stageVariables.host}/{proxy}"}})
		require.NoError(t, err)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod",
			StageVariables: map[string]string{"host": "a.example.com"}})
		require.NoError(t, err)
		depID := f.deployed(t, tenantA, a.ID, "prod")
		before, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)

		_, err = f.svc.UpdateStage(ctx, tenantA, a.ID, "prod", apis.UpdateStageCommand{
			StageVariables: map[string]string{"host": "b.example.com"}})
		require.NoError(t, err)

		after, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, depID, after.DeploymentID)
		assert.Equal(t, map[string]string{"host": "b.example.com"}, after.StageVariables)
		assert.Greater(t, after.Revision, before.Revision)

		// Deleting the stage withdraws it.
		require.NoError(t, f.svc.DeleteStage(ctx, tenantA, a.ID, "prod"))
		_, err = f.bus.GetStage(ctx, a.ID, "prod")
		assert.ErrorIs(t, err, fleet.ErrNotFound)
	})
}

func TestIntegrationDeleteAPICascadesAndWithdraws(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /"))
		require.NoError(t, err)
		for _, s := range []string{"dev", "prod"} {
			_, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: s})
			require.NoError(t, err)
			f.deployed(t, tenantA, a.ID, s)
		}
		stages, err := f.bus.Stages(ctx)
		require.NoError(t, err)
		require.Len(t, stages, 2)

		require.NoError(t, f.svc.DeleteAPI(ctx, tenantA, a.ID))

		stages, err = f.bus.Stages(ctx)
		require.NoError(t, err)
		assert.Empty(t, stages)
		for _, table := range []string{"routes", "stages", "deployments"} {
			var n int64
			require.NoError(t, d.Gorm.Table(table).Where("api_id = ?", a.ID).Count(&n).Error)
			assert.Zero(t, n, table)
		}
	})
}

func TestIntegrationTenantScoping(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		r, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /"))
		require.NoError(t, err)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)
		depID := f.deployed(t, tenantA, a.ID, "prod")

		name := "stolen"
		key := "GET /x"
		desc := "x"
		checks := []struct {
			desc string
			run  func() error
		}{
			{"get api", func() error { _, err := f.svc.GetAPI(ctx, tenantB, a.ID); return err }},
			{"update api", func() error {
				_, err := f.svc.UpdateAPI(ctx, tenantB, a.ID, apis.UpdateAPICommand{Name: &name})
				return err
			}},
			{"delete api", func() error { return f.svc.DeleteAPI(ctx, tenantB, a.ID) }},
			{"list routes", func() error { _, err := f.svc.ListRoutes(ctx, tenantB, a.ID); return err }},
			{"create route", func() error { _, err := f.svc.CreateRoute(ctx, tenantB, a.ID, mockRoute("GET /y")); return err }},
			{"get route", func() error { _, err := f.svc.GetRoute(ctx, tenantB, a.ID, r.ID); return err }},
			{"update route", func() error {
				_, err := f.svc.UpdateRoute(ctx, tenantB, a.ID, r.ID, apis.UpdateRouteCommand{RouteKey: &key})
				return err
			}},
			{"delete route", func() error { return f.svc.DeleteRoute(ctx, tenantB, a.ID, r.ID) }},
			{"list stages", func() error { _, err := f.svc.ListStages(ctx, tenantB, a.ID); return err }},
			{"get stage", func() error { _, err := f.svc.GetStage(ctx, tenantB, a.ID, "prod"); return err }},
			{"update stage", func() error {
				_, err := f.svc.UpdateStage(ctx, tenantB, a.ID, "prod", apis.UpdateStageCommand{Description: &desc})
				return err
			}},
			{"delete stage", func() error { return f.svc.DeleteStage(ctx, tenantB, a.ID, "prod") }},
			{"create deployment", func() error {
				_, err := f.svc.CreateDeployment(ctx, tenantB, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
				return err
			}},
			{"get deployment", func() error { _, err := f.svc.GetDeployment(ctx, tenantB, a.ID, depID); return err }},
			{"list deployments", func() error { _, err := f.svc.ListDeployments(ctx, tenantB, a.ID); return err }},
			{"compile deployment", func() error { _, err := f.ds.CompileDeployment(ctx, tenantB, depID); return err }},
			{"mark deployed", func() error { return f.ds.MarkDeployed(ctx, tenantB, depID) }},
			{"mark failed", func() error { return f.ds.MarkFailed(ctx, tenantB, depID, "x") }},
			{"record progress", func() error { return f.ds.RecordProgress(ctx, tenantB, depID, "x") }},
		}
		for _, c := range checks {
			t.Run(c.desc, func(t *testing.T) {
				err := c.run()
				require.Error(t, err)
				assert.Equal(t, 404, statusOf(err))
			})
		}
		snap, err := f.ds.ActiveSnapshot(ctx, tenantB, a.ID, "prod")
		require.NoError(t, err)
		assert.Nil(t, snap)

		// Tenant A's rows are untouched.
		got, err := f.svc.GetAPI(ctx, tenantA, a.ID)
		require.NoError(t, err)
		assert.Equal(t, "pets", got.Name)
		gr, err := f.svc.GetRoute(ctx, tenantA, a.ID, r.ID)
		require.NoError(t, err)
		assert.Equal(t, "GET /", gr.RouteKey)
		dep, err := f.svc.GetDeployment(ctx, tenantA, a.ID, depID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusDeployed, dep.Status)
		assert.Len(t, dep.Progress, 1)
	})
}

func statusOf(err error) int {
	var e *apierr.Error
	if !errors.As(err, &e) {
		return 0
	}
	return e.Status
}

func TestIntegrationDeployStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /v1"))
		require.NoError(t, err)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod",
			StageVariables: map[string]string{"v": "1"}})
		require.NoError(t, err)

		// Deployment to a missing stage is a 422; nothing is started.
		_, err = f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "nope"})
		assert.ErrorIs(t, err, apis.ErrDeploymentInvalid)
		assert.Empty(t, f.starter.Started())

		// First deploy: pending, then compiled, then deployed.
		d1, err := f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod", Description: "first"})
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusPending, d1.Status)
		assert.Equal(t, []deploy.Input{{TenantID: tenantA, APIID: a.ID, StageName: "prod", DeploymentID: d1.ID}}, f.starter.Started())

		_, err = f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		assert.ErrorIs(t, err, apis.ErrDeploymentInProgress)

		snap, err := f.ds.CompileDeployment(ctx, tenantA, d1.ID)
		require.NoError(t, err)
		require.NoError(t, snap.Validate())
		assert.Equal(t, tenantA, snap.TenantID)
		assert.Equal(t, a.ID, snap.APIID)
		assert.Equal(t, "pets", snap.APIName)
		assert.Equal(t, "HTTP", snap.ProtocolType)
		assert.Equal(t, d1.ID, snap.DeploymentID)
		assert.Equal(t, map[string]string{"v": "1"}, snap.StageVariables)
		require.Len(t, snap.Routes, 1)
		assert.Equal(t, 200, snap.Routes[0].Integration.MockStatusCode)
		again, err := f.ds.CompileDeployment(ctx, tenantA, d1.ID)
		require.NoError(t, err)
		assert.Equal(t, snap.Revision, again.Revision)

		got, err := f.svc.GetDeployment(ctx, tenantA, a.ID, d1.ID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusInProgress, got.Status)
		assert.Equal(t, 1, got.RouteCount)

		none, err := f.ds.ActiveSnapshot(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Nil(t, none)

		require.NoError(t, f.ds.RecordProgress(ctx, tenantA, d1.ID, "Published"))
		require.NoError(t, f.ds.MarkDeployed(ctx, tenantA, d1.ID))
		require.NoError(t, f.ds.MarkDeployed(ctx, tenantA, d1.ID))
		got, err = f.svc.GetDeployment(ctx, tenantA, a.ID, d1.ID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusDeployed, got.Status)
		require.NotNil(t, got.DeployedAt)
		require.Len(t, got.Progress, 2)
		assert.Equal(t, "Published", got.Progress[1].Message)
		st, err := f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, d1.ID, st.DeploymentID)
		assert.Equal(t, deploy.StatusDeployed, st.LastDeploymentStatus)

		active, err := f.ds.ActiveSnapshot(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		require.NotNil(t, active)
		assert.Equal(t, d1.ID, active.DeploymentID)

		// A second deploy fails: the stage keeps the first.
		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /v2"))
		require.NoError(t, err)
		d2, err := f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
		snap2, err := f.ds.CompileDeployment(ctx, tenantA, d2.ID)
		require.NoError(t, err)
		assert.Len(t, snap2.Routes, 2)
		require.NoError(t, f.ds.MarkFailed(ctx, tenantA, d2.ID, "Gateways did not converge."))
		require.NoError(t, f.ds.MarkFailed(ctx, tenantA, d2.ID, "again"))
		assert.ErrorIs(t, f.ds.MarkDeployed(ctx, tenantA, d2.ID), apis.ErrDeploymentFinished)
		_, err = f.ds.CompileDeployment(ctx, tenantA, d2.ID)
		assert.ErrorIs(t, err, apis.ErrDeploymentFinished)

		got2, err := f.svc.GetDeployment(ctx, tenantA, a.ID, d2.ID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusFailed, got2.Status)
		assert.Equal(t, "Gateways did not converge.", got2.StatusReason)
		st, err = f.svc.GetStage(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, d1.ID, st.DeploymentID)
		assert.Equal(t, deploy.StatusFailed, st.LastDeploymentStatus)
		active, err = f.ds.ActiveSnapshot(ctx, tenantA, a.ID, "prod")
		require.NoError(t, err)
		assert.Equal(t, d1.ID, active.DeploymentID)
		assert.Len(t, active.Routes, 1)

		list, err := f.svc.ListDeployments(ctx, tenantA, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, d2.ID, list[0].ID)
		assert.Equal(t, d1.ID, list[1].ID)
	})
}

func TestIntegrationMarkDeployedIsTransactional(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)
		dep, err := f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
		_, err = f.ds.CompileDeployment(ctx, tenantA, dep.ID)
		require.NoError(t, err)
		// The stage disappears under the deploy (by hand, as the API
		// refuses while deploying): marking fails and changes nothing.
		require.NoError(t, d.Gorm.Exec("DELETE FROM stages WHERE api_id = ?", a.ID).Error)
		err = f.ds.MarkDeployed(ctx, tenantA, dep.ID)
		assert.ErrorIs(t, err, apis.ErrStageNotFound)
		got, err := f.svc.GetDeployment(ctx, tenantA, a.ID, dep.ID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusInProgress, got.Status)
		assert.Nil(t, got.DeployedAt)
	})
}

func TestIntegrationDeploymentStartFailure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		f.starter.ExpectedError = errors.New("connection refused")
		a := f.api(t, tenantA)
		_, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)
		_, err = f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		assert.ErrorIs(t, err, apis.ErrWorkflowUnavailable)
		list, err := f.svc.ListDeployments(ctx, tenantA, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, deploy.StatusFailed, list[0].Status)

		// The failed row does not block the next try.
		f.starter.ExpectedError = nil
		_, err = f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
	})
}

func TestIntegrationStaleDeploymentDoesNotBlock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		_, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)
		old, err := f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
		require.NoError(t, d.Gorm.Exec("UPDATE deployments SET updated_at = ? WHERE id = ?",
			time.Now().UTC().Add(-time.Hour), old.ID).Error)
		_, err = f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
		got, err := f.svc.GetDeployment(ctx, tenantA, a.ID, old.ID)
		require.NoError(t, err)
		assert.Equal(t, deploy.StatusFailed, got.Status)
	})
}

func TestIntegrationReconcile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		b := f.api(t, tenantB)
		for _, x := range []struct{ tenant, api string }{{tenantA, a.ID}, {tenantB, b.ID}} {
			_, err := f.svc.CreateRoute(ctx, x.tenant, x.api, mockRoute("GET /"))
			require.NoError(t, err)
			_, err = f.svc.CreateStage(ctx, x.tenant, x.api, apis.CreateStageCommand{StageName: "prod"})
			require.NoError(t, err)
			f.deployed(t, x.tenant, x.api, "prod")
		}
		_, err := f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "never"})
		require.NoError(t, err)

		snaps, err := f.ds.ActiveSnapshots(ctx)
		require.NoError(t, err)
		require.Len(t, snaps, 2)

		// A fresh bus (a restart) gets everything; a stale stage goes.
		bus := fleet.NewMemory()
		defer bus.Close()
		stale := &gwconfig.Stage{TenantID: tenantA, APIID: "gone", StageName: "prod", DeploymentID: "x"}
		require.NoError(t, bus.PutStage(ctx, stale))
		require.NoError(t, f.ds.Reconcile(ctx, bus))
		published, err := bus.Stages(ctx)
		require.NoError(t, err)
		var keys []string
		for _, p := range published {
			keys = append(keys, p.Key())
		}
		assert.ElementsMatch(t, []string{a.ID + "/prod", b.ID + "/prod"}, keys)
	})
}
