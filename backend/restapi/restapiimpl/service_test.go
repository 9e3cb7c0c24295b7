package restapiimpl

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/backend/apis/apistest"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/restapi"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
)

type fixture struct {
	db  *db.DB
	svc *Service
	ctx context.Context
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	require.NoError(t, apistest.InsertTenant(d, tenantA))
	require.NoError(t, apistest.InsertTenant(d, tenantB))
	return &fixture{db: d, svc: ProvideService(d), ctx: context.Background()}
}

// api inserts an API row of the tenant directly (the apis service is not
// under test here).
func (f *fixture) api(t *testing.T, tenant, id, protocol string) string {
	t.Helper()
	require.NoError(t, f.db.Gorm.Exec(`INSERT INTO apis (id, tenant_id, name, description, protocol_type, created_at, updated_at)
		VALUES (?, ?, 'pets', '', ?, ?, ?)`, id, tenant, protocol, now(), now()).Error)
	return id
}

func (f *fixture) root(t *testing.T, tenant, apiID string) *restapi.Resource {
	t.Helper()
	list, err := f.svc.ListResources(f.ctx, tenant, apiID)
	require.NoError(t, err)
	require.NotEmpty(t, list)
	assert.Equal(t, "/", list[0].Path)
	return list[0]
}

func (f *fixture) child(t *testing.T, tenant, apiID, parent, part string) *restapi.Resource {
	t.Helper()
	r, err := f.svc.CreateResource(f.ctx, tenant, apiID, restapi.CreateResourceCommand{ParentID: parent, PathPart: part})
	require.NoError(t, err)
	return r
}

func TestResourceTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		api := f.api(t, tenantA, "resta00001", "REST")
		root := f.root(t, tenantA, api)
		pets := f.child(t, tenantA, api, root.ID, "pets")
		pet := f.child(t, tenantA, api, pets.ID, "{petId}")
		toys := f.child(t, tenantA, api, pet.ID, "toys")
		proxy := f.child(t, tenantA, api, root.ID, "{proxy+}")
		assert.Equal(t, "/pets/{petId}/toys", toys.Path)

		testCases := []struct {
			desc   string
			parent string
			part   string
			code   string
		}{
			{desc: "sibling duplicate", parent: root.ID, part: "pets", code: "resource.duplicate"},
			{desc: "second variable sibling", parent: pets.ID, part: "{id}", code: "resource.duplicate"},
			{desc: "child of a greedy resource", parent: proxy.ID, part: "x", code: "resource.invalid"},
			{desc: "bad path part", parent: root.ID, part: "a/b", code: "resource.invalid"},
			{desc: "empty path part", parent: root.ID, part: "", code: "resource.invalid"},
			{desc: "repeated parameter name", parent: toys.ID, part: "{petId}", code: "resource.invalid"},
			{desc: "unknown parent", parent: "nope", part: "x", code: "resource.invalid"},
		}
		for _, tc := range testCases {
			t.Run(tc.desc, func(t *testing.T) {
				_, err := f.svc.CreateResource(f.ctx, tenantA, api, restapi.CreateResourceCommand{ParentID: tc.parent, PathPart: tc.part})
				assertCode(t, err, tc.code)
			})
		}

		// Renaming moves the descendants.
		_, err := f.svc.UpdateResource(f.ctx, tenantA, api, pet.ID, restapi.UpdateResourceCommand{PathPart: ptr("{id}")})
		require.NoError(t, err)
		got, err := f.svc.GetResource(f.ctx, tenantA, api, toys.ID)
		require.NoError(t, err)
		assert.Equal(t, "/pets/{id}/toys", got.Path)

		// Another tenant sees nothing.
		_, err = f.svc.GetResource(f.ctx, tenantB, api, toys.ID)
		assert.ErrorIs(t, err, apis.ErrAPINotFound)
		_, err = f.svc.ListResources(f.ctx, tenantB, api)
		assert.ErrorIs(t, err, apis.ErrAPINotFound)

		// Deleting cascades to children and their methods.
		_, err = f.svc.PutMethod(f.ctx, tenantA, api, toys.ID, "GET", restapi.PutMethodCommand{})
		require.NoError(t, err)
		require.NoError(t, f.svc.DeleteResource(f.ctx, tenantA, api, pets.ID))
		_, err = f.svc.GetResource(f.ctx, tenantA, api, toys.ID)
		assert.ErrorIs(t, err, restapi.ErrResourceNotFound)
		list, err := f.svc.ListResources(f.ctx, tenantA, api)
		require.NoError(t, err)
		assert.Len(t, list, 2) // root and {proxy+}
		var n int64
		require.NoError(t, d.Gorm.Table("rest_methods").Where("api_id = ?", api).Count(&n).Error)
		assert.Zero(t, n)

		assertCode(t, f.svc.DeleteResource(f.ctx, tenantA, api, root.ID), "resource.root")
	})
}

func TestHTTPAPIHasNoResources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		api := f.api(t, tenantA, "httpa00001", "HTTP")
		_, err := f.svc.ListResources(f.ctx, tenantA, api)
		assert.ErrorIs(t, err, restapi.ErrNotREST)
	})
}

func TestMethodsIntegrationsAndCompile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		api := f.api(t, tenantA, "resta00002", "REST")
		root := f.root(t, tenantA, api)
		pets := f.child(t, tenantA, api, root.ID, "pets")
		pet := f.child(t, tenantA, api, pets.ID, "{petId}")

		v, err := f.svc.CreateValidator(f.ctx, tenantA, api, restapi.RequestValidator{Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true})
		require.NoError(t, err)
		_, err = f.svc.CreateValidator(f.ctx, tenantA, api, restapi.RequestValidator{Name: "all"})
		assertCode(t, err, "validator.duplicate")
		_, err = f.svc.CreateModel(f.ctx, tenantA, api, restapi.Model{Name: "Pet", Schema: json.RawMessage(`{"type":"object","required":["name"]}`)})
		require.NoError(t, err)
		_, err = f.svc.CreateModel(f.ctx, tenantA, api, restapi.Model{Name: "Bad", Schema: json.RawMessage(`{"type":"nonsense"}`)})
		assertCode(t, err, "model.invalid")

		methodCases := []struct {
			desc string
			cmd  restapi.PutMethodCommand
			code string
		}{
			{desc: "unknown validator", cmd: restapi.PutMethodCommand{RequestValidatorID: "nope"}, code: "method.invalid"},
			{desc: "unknown model", cmd: restapi.PutMethodCommand{RequestModels: map[string]string{"application/json": "Nope"}}, code: "method.invalid"},
			{desc: "bad parameter", cmd: restapi.PutMethodCommand{RequestParameters: map[string]bool{"querystring.x": true}}, code: "method.invalid"},
			{desc: "authorizer types are not supported yet", cmd: restapi.PutMethodCommand{AuthorizationType: "COGNITO_USER_POOLS"}, code: "method.invalid"},
		}
		for _, tc := range methodCases {
			t.Run(tc.desc, func(t *testing.T) {
				_, err := f.svc.PutMethod(f.ctx, tenantA, api, pet.ID, "POST", tc.cmd)
				assertCode(t, err, tc.code)
			})
		}

		m, err := f.svc.PutMethod(f.ctx, tenantA, api, pet.ID, "POST", restapi.PutMethodCommand{
			RequestParameters:  map[string]bool{"method.request.querystring.owner": true},
			RequestValidatorID: v.ID, RequestModels: map[string]string{"application/json": "Pet"}, APIKeyRequired: true})
		require.NoError(t, err)
		assert.Equal(t, "NONE", m.AuthorizationType)
		iamMethod, err := f.svc.PutMethod(f.ctx, tenantA, api, pet.ID, "ANY", restapi.PutMethodCommand{AuthorizationType: "AWS_IAM"})
		require.NoError(t, err)
		assert.Equal(t, "AWS_IAM", iamMethod.AuthorizationType)

		// A method without integration cannot be deployed.
		_, _, err = Compile(f.ctx, d.Gorm, tenantA, api)
		assertCode(t, err, "restapi.not-deployable")

		integrationCases := []struct {
			desc string
			in   restapi.Integration
			code string
		}{
			{desc: "timeout too short", in: restapi.Integration{Type: "HTTP_PROXY", URI: "http://x", TimeoutInMillis: 10}, code: "integration.invalid"},
			{desc: "bad mapping source", in: restapi.Integration{Type: "HTTP_PROXY", URI: "http://x",
				RequestParameters: map[string]string{"integration.request.header.x": "body.y"}}, code: "integration.invalid"},
			{desc: "bad type", in: restapi.Integration{Type: "AWS"}, code: "integration.invalid"},
			{desc: "VPC_LINK without connection id", in: restapi.Integration{Type: "HTTP_PROXY", URI: "http://x", ConnectionType: "VPC_LINK"}, code: "integration.invalid"},
			{desc: "VPC_LINK to an unknown group", in: restapi.Integration{Type: "HTTP_PROXY", URI: "http://x", ConnectionType: "VPC_LINK", ConnectionID: "tg-nope"}, code: "integration.invalid"},
		}
		for _, tc := range integrationCases {
			t.Run(tc.desc, func(t *testing.T) {
				_, err := f.svc.PutIntegration(f.ctx, tenantA, api, pet.ID, "POST", tc.in)
				assertCode(t, err, tc.code)
			})
		}

		// Tenant B's target group is invisible to tenant A.
		tgB, err := f.svc.CreateTargetGroup(f.ctx, tenantB, restapi.TargetGroupCommand{Name: "b", Targets: []restapi.Target{{Address: "127.0.0.1:1"}}})
		require.NoError(t, err)
		_, err = f.svc.PutIntegration(f.ctx, tenantA, api, pet.ID, "POST", restapi.Integration{Type: "HTTP_PROXY", URI: "http://x",
			ConnectionType: "VPC_LINK", ConnectionID: tgB.ID})
		assertCode(t, err, "integration.invalid")
		_, err = f.svc.GetTargetGroup(f.ctx, tenantA, tgB.ID)
		assert.ErrorIs(t, err, restapi.ErrTargetGroupMissing)

		tgA, err := f.svc.CreateTargetGroup(f.ctx, tenantA, restapi.TargetGroupCommand{Name: "a", Targets: []restapi.Target{{Address: "127.0.0.1:9001"}}})
		require.NoError(t, err)
		assert.Equal(t, gwconfig.LBRoundRobin, tgA.LoadBalancing)
		_, err = f.svc.PutIntegration(f.ctx, tenantA, api, pet.ID, "POST", restapi.Integration{Type: "HTTP_PROXY", URI: "http://pets.internal/pets/{id}",
			ConnectionType: "VPC_LINK", ConnectionID: tgA.ID, TLSConfig: &restapi.TLSConfig{InsecureSkipVerification: true},
			RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.petId"}})
		require.NoError(t, err)
		assertCode(t, f.svc.DeleteTargetGroup(f.ctx, tenantA, tgA.ID), "targetgroup.in-use")
		_, err = f.svc.PutIntegration(f.ctx, tenantA, api, pet.ID, "ANY", restapi.Integration{Type: "MOCK",
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 204}`}})
		require.NoError(t, err)
		_, err = f.svc.PutMethodResponse(f.ctx, tenantA, api, pet.ID, "POST", "200", restapi.MethodResponse{
			ResponseModels: map[string]string{"application/json": "Pet"}})
		require.NoError(t, err)
		mr, err := f.svc.GetMethodResponse(f.ctx, tenantA, api, pet.ID, "POST", "200")
		require.NoError(t, err)
		assert.Equal(t, "200", mr.StatusCode)
		assertCode(t, f.svc.DeleteModel(f.ctx, tenantA, api, "Pet"), "model.in-use")
		assertCode(t, f.svc.DeleteValidator(f.ctx, tenantA, api, v.ID), "validator.in-use")

		routes, groups, err := Compile(f.ctx, d.Gorm, tenantA, api)
		require.NoError(t, err)
		require.Len(t, routes, 2)
		assert.Equal(t, "ANY /pets/{petId}", routes[0].RouteKey)
		assert.Equal(t, gwconfig.IntegrationMock, routes[0].Integration.Type)
		assert.Equal(t, 204, routes[0].Integration.MockStatusCode)
		assert.Equal(t, gwconfig.AuthorizationAWSIAM, routes[0].AuthorizationType)
		post := routes[1]
		assert.Equal(t, "POST /pets/{petId}", post.RouteKey)
		assert.True(t, post.APIKeyRequired)
		assert.Empty(t, post.AuthorizationType)
		assert.Equal(t, &gwconfig.RequestValidator{Body: true, Parameters: true}, post.RequestValidator)
		assert.JSONEq(t, `{"type":"object","required":["name"]}`, string(post.RequestSchema))
		assert.Equal(t, map[string]bool{"method.request.querystring.owner": true}, post.RequestParameters)
		assert.Equal(t, tgA.ID, post.Integration.TargetGroupID)
		assert.True(t, post.Integration.TLSInsecureSkipVerify)
		require.Contains(t, groups, tgA.ID)
		assert.Equal(t, tenantA, groups[tgA.ID].TenantID)

		// The compiled stage is valid and compiles in the gateway's router.
		st := &gwconfig.Stage{TenantID: tenantA, APIID: api, StageName: "prod", DeploymentID: "d", Routes: routes, TargetGroups: groups}
		st.SetDefaults()
		require.NoError(t, st.Validate())

		// Compiling for another tenant finds nothing of tenant A.
		routes, _, err = Compile(f.ctx, d.Gorm, tenantB, api)
		require.NoError(t, err)
		assert.Empty(t, routes)
	})
}

func TestTargetGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		testCases := []struct {
			desc string
			cmd  restapi.TargetGroupCommand
			code string
		}{
			{desc: "no targets", cmd: restapi.TargetGroupCommand{Name: "x"}, code: "targetgroup.invalid"},
			{desc: "bad address", cmd: restapi.TargetGroupCommand{Name: "x", Targets: []restapi.Target{{Address: "nohost"}}}, code: "targetgroup.invalid"},
			{desc: "bad balancing", cmd: restapi.TargetGroupCommand{Name: "x", Targets: []restapi.Target{{Address: "a:1"}}, LoadBalancing: "RANDOM"}, code: "targetgroup.invalid"},
			{desc: "bad health check", cmd: restapi.TargetGroupCommand{Name: "x", Targets: []restapi.Target{{Address: "a:1"}},
				HealthCheck: restapi.HealthCheck{Path: "health", IntervalSeconds: 0}}, code: "targetgroup.invalid"},
			{desc: "no name", cmd: restapi.TargetGroupCommand{Targets: []restapi.Target{{Address: "a:1"}}}, code: "targetgroup.invalid"},
		}
		for _, tc := range testCases {
			t.Run(tc.desc, func(t *testing.T) {
				_, err := f.svc.CreateTargetGroup(f.ctx, tenantA, tc.cmd)
				assertCode(t, err, tc.code)
			})
		}
		cmd := restapi.TargetGroupCommand{Name: "pets", Targets: []restapi.Target{{Address: "127.0.0.1:9001"}}, LoadBalancing: "LEAST_REQUESTS"}
		g, err := f.svc.CreateTargetGroup(f.ctx, tenantA, cmd)
		require.NoError(t, err)
		_, err = f.svc.CreateTargetGroup(f.ctx, tenantA, cmd)
		assertCode(t, err, "targetgroup.duplicate")
		_, err = f.svc.CreateTargetGroup(f.ctx, tenantB, cmd) // names are per tenant
		require.NoError(t, err)

		cmd.Targets = append(cmd.Targets, restapi.Target{Address: "127.0.0.1:9002"})
		g2, err := f.svc.UpdateTargetGroup(f.ctx, tenantA, g.ID, cmd)
		require.NoError(t, err)
		assert.Len(t, g2.Targets, 2)
		_, err = f.svc.UpdateTargetGroup(f.ctx, tenantB, g.ID, cmd)
		assert.ErrorIs(t, err, restapi.ErrTargetGroupMissing)
		list, err := f.svc.ListTargetGroups(f.ctx, tenantA)
		require.NoError(t, err)
		assert.Len(t, list, 1)
		assert.ErrorIs(t, f.svc.DeleteTargetGroup(f.ctx, tenantB, g.ID), restapi.ErrTargetGroupMissing)
		require.NoError(t, f.svc.DeleteTargetGroup(f.ctx, tenantA, g.ID))
	})
}

func ptr[T any](v T) *T { return &v }

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, code, apierr.From(err).Code, err.Error())
}
