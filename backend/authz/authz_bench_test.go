package authz

import (
	"context"
	"testing"

	"github.com/turnpike/turnpike/backend/reqctx"
)

func benchSet() PolicySet {
	return PolicySet{Identity: BuiltinRolePolicies([]string{RoleReadOnly}),
		Session: &Policy{ID: "s", Document: mustManaged(PolicyDeveloperAccess)}}
}

// BenchmarkAuthorizeCached is a repeated decision: one version read and a
// map hit.
func BenchmarkAuthorizeCached(b *testing.B) {
	a := NewAuthorizer(&countingSource{set: benchSet()})
	p := &reqctx.Principal{TenantID: "t1", UserID: "u1", AccessKeyID: "k1", SourceIP: "10.0.0.1"}
	ctx := context.Background()
	for b.Loop() {
		_ = a.Authorize(ctx, p, "apigw:GetApi", "apis/a1")
	}
}

// BenchmarkEvaluate is one Casbin evaluation of a compiled set (the cache
// miss path after compilation).
func BenchmarkEvaluate(b *testing.B) {
	c, err := Compile(benchSet())
	if err != nil {
		b.Fatal(err)
	}
	req := Request{TenantID: "t1", Action: "apigw:GetApi", Resource: TRN("t1", "apis/a1"), Context: map[string]string{KeySourceIP: "10.0.0.1"}}
	for b.Loop() {
		if _, err := c.Evaluate(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompile is compiling a principal's set to Casbin (once per
// policy version).
func BenchmarkCompile(b *testing.B) {
	set := benchSet()
	for b.Loop() {
		if _, err := Compile(set); err != nil {
			b.Fatal(err)
		}
	}
}
