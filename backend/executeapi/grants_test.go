package executeapi

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func TestStatements(t *testing.T) {
	kc := KeyContext{TenantID: "t1", PrincipalID: "usr_1", AccessKeyID: "TPAK1", Email: "a@example.com"}
	both := []string{gwconfig.ActionInvoke, gwconfig.ActionInvalidateCache}
	invoke := []string{gwconfig.ActionInvoke}
	testCases := []struct {
		desc string
		doc  string
		want []gwconfig.ExecuteAPIStatement
	}{
		{desc: "administrator access covers both actions everywhere",
			doc:  `{"Effect":"Allow","Action":"*","Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: both, Resources: []string{"*"}}}},
		{desc: "execute-api:* covers both",
			doc:  `{"Effect":"Allow","Action":"execute-api:*","Resource":"trn:turnpike:t1:execute-api:a1/*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: both, Resources: []string{"trn:turnpike:t1:execute-api:a1/*"}}}},
		{desc: "actions match case-insensitively",
			doc:  `{"Effect":"Allow","Action":"EXECUTE-API:invoke","Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "action wildcard",
			doc:  `{"Effect":"Deny","Action":"execute-api:Invo*","Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Deny", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "other services are dropped",
			doc:  `{"Effect":"Allow","Action":["apigw:*","iam:Get*"],"Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{}},
		{desc: "resources of other kinds are dropped",
			doc:  `{"Effect":"Allow","Action":"*","Resource":["trn:turnpike:t1:apis/*","trn:turnpike:*:execute-api:*","trn:turnpike:t2:execute-api:*"]}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: both, Resources: []string{"trn:turnpike:*:execute-api:*"}}}},
		{desc: "a statement left without resources is dropped",
			doc:  `{"Effect":"Allow","Action":"*","Resource":"trn:turnpike:t1:apis/*"}`,
			want: []gwconfig.ExecuteAPIStatement{}},
		{desc: "policy variables are substituted",
			doc: `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"trn:turnpike:${turnpike:TenantId}:execute-api:a1/prod/GET/users/${turnpike:PrincipalId}"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke,
				Resources: []string{"trn:turnpike:t1:execute-api:a1/prod/GET/users/usr_1"}}}},
		{desc: "source address conditions go to the gateway",
			doc: `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.0.2.1"]},"NotIpAddress":{"aws:SourceIp":"10.9.0.0/16"}}}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"},
				SourceCIDRs: []string{"10.0.0.0/8", "192.0.2.1/32"}, NotSourceCIDRs: []string{"10.9.0.0/16"}}}},
		{desc: "a condition on the key that holds is decided here",
			doc:  `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"turnpike:PrincipalType":"AccessKey"},"StringLike":{"turnpike:Email":"*@example.com"}}}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "a condition on the key that fails drops the statement",
			doc:  `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringNotEquals":{"turnpike:AccessKeyId":"TPAK1"}}}`,
			want: []gwconfig.ExecuteAPIStatement{}},
		{desc: "an allow under a condition the gateway cannot check is dropped",
			doc:  `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"apigw:StageName":"prod"}}}`,
			want: []gwconfig.ExecuteAPIStatement{}},
		{desc: "a deny under a condition the gateway cannot check always applies",
			doc:  `{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"*","Condition":{"StringEquals":{"apigw:StageName":"prod"}}}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Deny", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "NotAction covers execute-api unless listed",
			doc:  `{"Effect":"Allow","NotAction":"execute-api:InvalidateCache","Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "NotAction listing execute-api:* covers nothing",
			doc:  `{"Effect":"Allow","NotAction":"execute-api:*","Resource":"*"}`,
			want: []gwconfig.ExecuteAPIStatement{}},
		{desc: "NotResource excludes resources",
			doc: `{"Effect":"Deny","Action":"execute-api:Invoke","NotResource":"trn:turnpike:${turnpike:TenantId}:execute-api:a1/*"}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Deny", Actions: invoke, Resources: []string{"*"},
				NotResources: []string{"trn:turnpike:t1:execute-api:a1/*"}}}},
		{desc: "Null on the key's own keys is decided here",
			doc:  `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"Null":{"turnpike:AccessKeyId":"false"}}}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"}}}},
		{desc: "IfExists on an address condition goes to the gateway",
			doc: `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}}`,
			want: []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: invoke, Resources: []string{"*"},
				SourceCIDRs: []string{"10.0.0.0/8"}}}},
		{desc: "an allow on the user's groups cannot be checked by the gateway",
			doc:  `{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"turnpike:PrincipalGroups":"ops"}}}`,
			want: []gwconfig.ExecuteAPIStatement{}},
	}
	for _, tc := range testCases {
		t.Run(tc.desc, func(t *testing.T) {
			doc := authz.MustParseDocument(`{"Version":"2012-10-17","Statement":[` + tc.doc + `]}`)
			got := Statements([]authz.Policy{{ID: "p", Document: doc}}, kc)
			assert.Equal(t, tc.want, got)
		})
	}
}
