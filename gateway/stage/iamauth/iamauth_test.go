package iamauth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

func testStore() *Store {
	s := NewStore()
	s.Swap(Compile([]*gwconfig.ExecuteAPIGrants{{TenantID: "t1", Keys: []gwconfig.ExecuteAPIKey{
		{AccessKeyID: "TPAK1", PrincipalID: "usr_reader", TokenHash: hashOf("tpk_reader"),
			Statements: []gwconfig.ExecuteAPIStatement{stmt("Allow", invoke, "trn:turnpike:t1:execute-api:a1/prod/GET/*")}},
		{AccessKeyID: "TPAK2", PrincipalID: "usr_admin", TokenHash: hashOf("tpk_admin"),
			Statements: []gwconfig.ExecuteAPIStatement{
				stmt("Allow", both, "*"),
				stmt("Deny", invoke, "trn:turnpike:t1:execute-api:a1/prod/DELETE/*"),
			}},
	}}}))
	return s
}

func match(t *testing.T, authType, method, path string) *pipeline.Exchange {
	t.Helper()
	st, err := router.CompileStage(&gwconfig.Stage{TenantID: "t1", APIID: "a1", StageName: "prod", DeploymentID: "d",
		Routes: []gwconfig.Route{{RouteID: "r", RouteKey: "ANY /{proxy+}", AuthorizationType: authType,
			Integration: gwconfig.Integration{Type: gwconfig.IntegrationMock}}}})
	require.NoError(t, err)
	ex := &pipeline.Exchange{}
	require.Equal(t, router.Matched, router.New("", []*router.Stage{st}).Lookup(&ex.Match, "a1.execute-api.localhost", path, method))
	return ex
}

func TestStage(t *testing.T) {
	testCases := []struct {
		desc     string
		authType string
		method   string
		path     string
		auth     string
		status   int // 0: passes
		body     string
	}{
		{desc: "NONE passes without a token", authType: gwconfig.AuthorizationNone, method: "GET", path: "/prod/pets"},
		{desc: "unset passes without a token", method: "GET", path: "/prod/pets"},
		{desc: "missing token", authType: gwconfig.AuthorizationAWSIAM, method: "GET", path: "/prod/pets",
			status: 403, body: `{"message":"Missing Authentication Token"}`},
		{desc: "unknown token", authType: gwconfig.AuthorizationAWSIAM, method: "GET", path: "/prod/pets", auth: "Bearer tpk_nope",
			status: 403, body: `{"message":"The security token included in the request is invalid."}`},
		{desc: "other scheme", authType: gwconfig.AuthorizationAWSIAM, method: "GET", path: "/prod/pets", auth: "Basic dXNlcg==",
			status: 403, body: `{"message":"The security token included in the request is invalid."}`},
		{desc: "allowed", authType: gwconfig.AuthorizationAWSIAM, method: "GET", path: "/prod/pets/1", auth: "Bearer tpk_reader"},
		{desc: "bearer is case-insensitive", authType: gwconfig.AuthorizationAWSIAM, method: "GET", path: "/prod/pets/1", auth: "bearer tpk_reader"},
		{desc: "implicit deny", authType: gwconfig.AuthorizationAWSIAM, method: "POST", path: "/prod/pets", auth: "Bearer tpk_reader",
			status: 403, body: `{"message":"User: usr_reader is not authorized to perform: execute-api:Invoke on resource: trn:turnpike:t1:execute-api:a1/prod/POST/pets"}`},
		{desc: "explicit deny", authType: gwconfig.AuthorizationAWSIAM, method: "DELETE", path: "/prod/pets/1", auth: "Bearer tpk_admin",
			status: 403, body: `{"message":"User: usr_admin is not authorized to perform: execute-api:Invoke on resource: trn:turnpike:t1:execute-api:a1/prod/DELETE/pets/1 with an explicit deny"}`},
	}
	store := testStore()
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			ex := match(t, tc.authType, tc.method, tc.path)
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
			var seen *http.Request
			err := New(store)(pipeline.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) error {
				seen = r
				return nil
			})).ServeHTTP(httptest.NewRecorder(), r)
			if tc.status == 0 {
				require.NoError(t, err)
				require.NotNil(t, seen)
				if tc.authType == gwconfig.AuthorizationAWSIAM {
					assert.Empty(t, seen.Header.Get("Authorization"))
					assert.NotNil(t, KeyFrom(seen.Context()))
				}
				return
			}
			assert.Nil(t, seen)
			var he *pipeline.HandlerError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tc.status, he.Status)
			assert.JSONEq(t, tc.body, string(he.Body))
		})
	}
}

func TestInvalidateAllowed(t *testing.T) {
	testCases := []struct {
		desc     string
		authType string
		auth     string
		want     bool
	}{
		{desc: "no token", authType: gwconfig.AuthorizationNone},
		{desc: "unknown token", authType: gwconfig.AuthorizationNone, auth: "Bearer tpk_nope"},
		{desc: "key without the grant", authType: gwconfig.AuthorizationNone, auth: "Bearer tpk_reader"},
		{desc: "key with the grant on a NONE method", authType: gwconfig.AuthorizationNone, auth: "Bearer tpk_admin", want: true},
		{desc: "key with the grant on an AWS_IAM method", authType: gwconfig.AuthorizationAWSIAM, auth: "Bearer tpk_admin", want: true},
		{desc: "key without the grant on an AWS_IAM method", authType: gwconfig.AuthorizationAWSIAM, auth: "Bearer tpk_reader"},
	}
	store := testStore()
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			ex := match(t, tc.authType, "GET", "/prod/pets/1")
			r := httptest.NewRequest("GET", "/prod/pets/1", nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
			got := false
			h := New(store)(pipeline.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) error {
				got = store.InvalidateAllowed(r, &ex.Match)
				return nil
			}))
			_ = h.ServeHTTP(httptest.NewRecorder(), r)
			assert.Equal(t, tc.want, got)
		})
	}
}
