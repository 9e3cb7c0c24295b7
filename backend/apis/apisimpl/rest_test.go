package apisimpl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/backend/restapi/restapiimpl"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func TestEndpointConfigurationValidation(t *testing.T) {
	testCases := []struct {
		desc string
		ec   apis.EndpointConfiguration
		ok   bool
	}{
		{desc: "regional", ec: apis.EndpointConfiguration{Types: []string{"REGIONAL"}}, ok: true},
		{desc: "edge", ec: apis.EndpointConfiguration{Types: []string{"EDGE"}}, ok: true},
		{desc: "private with CIDRs", ec: apis.EndpointConfiguration{Types: []string{"PRIVATE"}, AllowedSourceCIDRs: []string{"10.0.0.0/8", "::1/128"}}, ok: true},
		{desc: "private without CIDRs", ec: apis.EndpointConfiguration{Types: []string{"PRIVATE"}}},
		{desc: "private with a bad CIDR", ec: apis.EndpointConfiguration{Types: []string{"PRIVATE"}, AllowedSourceCIDRs: []string{"10.0.0.1"}}},
		{desc: "regional with CIDRs", ec: apis.EndpointConfiguration{Types: []string{"REGIONAL"}, AllowedSourceCIDRs: []string{"10.0.0.0/8"}}},
		{desc: "two types", ec: apis.EndpointConfiguration{Types: []string{"REGIONAL", "PRIVATE"}}},
		{desc: "unknown type", ec: apis.EndpointConfiguration{Types: []string{"GLOBAL"}}},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			cmd := apis.UpdateAPICommand{EndpointConfiguration: &tc.ec}
			err := cmd.Validate()
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, apis.ErrAPIInvalid)
			}
		})
	}
}

// TestIntegrationRESTDeployment deploys a REST API: the snapshot's routes
// come from the resource tree, with the API's endpoint configuration and
// the target groups its integrations use.
func TestIntegrationRESTDeployment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		a, err := f.svc.CreateAPI(ctx, tenantA, apis.CreateAPICommand{Name: "pets", ProtocolType: "REST"})
		require.NoError(t, err)
		ec := apis.EndpointConfiguration{Types: []string{"PRIVATE"}, AllowedSourceCIDRs: []string{"127.0.0.0/8"}}
		upd, err := f.svc.UpdateAPI(ctx, tenantA, a.ID, apis.UpdateAPICommand{EndpointConfiguration: &ec})
		require.NoError(t, err)
		assert.Equal(t, ec, upd.EndpointConfiguration)
		got, err := f.svc.GetAPI(ctx, tenantA, a.ID)
		require.NoError(t, err)
		assert.Equal(t, ec, got.EndpointConfiguration)

		rs := restapiimpl.ProvideService(d)
		list, err := rs.ListResources(ctx, tenantA, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		pets, err := rs.CreateResource(ctx, tenantA, a.ID, restapi.CreateResourceCommand{ParentID: list[0].ID, PathPart: "pets"})
		require.NoError(t, err)
		tg, err := rs.CreateTargetGroup(ctx, tenantA, restapi.TargetGroupCommand{Name: "up", Targets: []restapi.Target{{Address: "127.0.0.1:9"}}})
		require.NoError(t, err)
		_, err = rs.PutMethod(ctx, tenantA, a.ID, pets.ID, "GET", restapi.PutMethodCommand{})
		require.NoError(t, err)
		_, err = rs.PutIntegration(ctx, tenantA, a.ID, pets.ID, "GET", restapi.Integration{Type: "HTTP_PROXY", URI: "http://pets.internal/pets",
			ConnectionType: "VPC_LINK", ConnectionID: tg.ID})
		require.NoError(t, err)
		// An HTTP route of the REST API's routes table is not deployed.
		_, err = f.svc.CreateStage(ctx, tenantA, a.ID, apis.CreateStageCommand{StageName: "prod"})
		require.NoError(t, err)

		dep, err := f.svc.CreateDeployment(ctx, tenantA, a.ID, apis.CreateDeploymentCommand{StageName: "prod"})
		require.NoError(t, err)
		snap, err := f.ds.CompileDeployment(ctx, tenantA, dep.ID)
		require.NoError(t, err)
		require.Len(t, snap.Routes, 1)
		assert.Equal(t, "GET /pets", snap.Routes[0].RouteKey)
		assert.Equal(t, gwconfig.EndpointPrivate, snap.EndpointType)
		assert.Equal(t, []string{"127.0.0.0/8"}, snap.AllowedSourceCIDRs)
		require.Contains(t, snap.TargetGroups, tg.ID)
		assert.Equal(t, tenantA, snap.TargetGroups[tg.ID].TenantID)
	})
}
