package apisimpl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// A route's authorization type survives the store on both dialects: NONE
// by default, AWS_IAM when asked, changed by an update and kept by one
// that does not name it.
func TestIntegrationRouteAuthorizationTypeStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)

		open, err := f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /open"))
		require.NoError(t, err)
		assert.Equal(t, gwconfig.AuthorizationNone, open.AuthorizationType)

		cmd := mockRoute("GET /pets")
		cmd.AuthorizationType = gwconfig.AuthorizationAWSIAM
		iam, err := f.svc.CreateRoute(ctx, tenantA, a.ID, cmd)
		require.NoError(t, err)
		got, err := f.svc.GetRoute(ctx, tenantA, a.ID, iam.ID)
		require.NoError(t, err)
		assert.Equal(t, iam, got)
		assert.Equal(t, gwconfig.AuthorizationAWSIAM, got.AuthorizationType)

		list, err := f.svc.ListRoutes(ctx, tenantA, a.ID)
		require.NoError(t, err)
		types := map[string]string{}
		for _, r := range list {
			types[r.RouteKey] = r.AuthorizationType
		}
		assert.Equal(t, map[string]string{"GET /open": "NONE", "GET /pets": "AWS_IAM"}, types)

		key := "GET /pets/all"
		upd, err := f.svc.UpdateRoute(ctx, tenantA, a.ID, iam.ID, apis.UpdateRouteCommand{RouteKey: &key})
		require.NoError(t, err)
		assert.Equal(t, gwconfig.AuthorizationAWSIAM, upd.AuthorizationType, "an update without the field keeps it")

		none := gwconfig.AuthorizationNone
		_, err = f.svc.UpdateRoute(ctx, tenantA, a.ID, iam.ID, apis.UpdateRouteCommand{AuthorizationType: &none})
		require.NoError(t, err)
		got, err = f.svc.GetRoute(ctx, tenantA, a.ID, iam.ID)
		require.NoError(t, err)
		assert.Equal(t, gwconfig.AuthorizationNone, got.AuthorizationType)

		bad := "CUSTOM"
		_, err = f.svc.UpdateRoute(ctx, tenantA, a.ID, iam.ID, apis.UpdateRouteCommand{AuthorizationType: &bad})
		assert.ErrorIs(t, err, apis.ErrRouteInvalid)
	})
}

// An HTTP API route with AWS_IAM compiles into the snapshot the gateway
// enforces (gateway/stage/iamauth, TestGatewayAWSIAM) as AuthorizationType
// AWS_IAM; a NONE route compiles without one, as REST methods do.
func TestIntegrationRouteAuthorizationTypeCompiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a := f.api(t, tenantA)
		cmd := mockRoute("GET /pets")
		cmd.AuthorizationType = gwconfig.AuthorizationAWSIAM
		_, err := f.svc.CreateRoute(ctx, tenantA, a.ID, cmd)
		require.NoError(t, err)
		_, err = f.svc.CreateRoute(ctx, tenantA, a.ID, mockRoute("GET /open"))
		require.NoError(t, err)
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)

		f.deployed(t, tenantA, a.ID, "prod")
		snap, err := f.bus.GetStage(ctx, a.ID, "prod")
		require.NoError(t, err)
		require.NoError(t, snap.Validate())
		types := map[string]string{}
		for _, r := range snap.Routes {
			types[r.RouteKey] = r.AuthorizationType
		}
		assert.Equal(t, map[string]string{"GET /pets": gwconfig.AuthorizationAWSIAM, "GET /open": ""}, types)
	})
}
