package executeapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/audit"
	"github.com/turnpike/turnpike/backend/authz"
	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
	"github.com/turnpike/turnpike/backend/iam/iamimpl"
	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

const invokeDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"trn:turnpike:*:execute-api:*"}]}`

type iamFixture struct {
	svc      *iamimpl.Service
	dir      *iamimpl.Directory
	tenant   string
	user     string
	bus      fleet.TenantBus
	pub      *Publisher
	policyID string
}

func newIAMFixture(t *testing.T, d *db.DB) *iamFixture {
	ctx := t.Context()
	cfg := iamimpl.Config{PasswordParams: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
	f := &iamFixture{svc: iamimpl.New(d, cfg), dir: iamimpl.NewDirectory(d, cfg)}
	tn, err := f.svc.CreateTenant(ctx, iam.CreateTenantCommand{Name: "grants"})
	require.NoError(t, err)
	f.tenant = tn.ID
	u, err := f.svc.CreateUser(ctx, iam.CreateUserCommand{TenantID: tn.ID, Email: "caller@example.com", Name: "Caller", Password: "correct horse battery"})
	require.NoError(t, err)
	f.user = u.ID
	p, err := f.dir.SavePolicy(ctx, iam.SavePolicyCommand{TenantID: tn.ID, Name: "invoke", Document: invokeDoc})
	require.NoError(t, err)
	f.policyID = p.ID
	f.bus = fleet.AsTenantBus(fleet.NewMemory())
	f.pub = NewPublisher(NewStore(d), f.dir, f.bus, nil)
	return f
}

// runWithKey gives the user an access key and runs the publisher until
// the test ends, once it has published the tenant.
func (f *iamFixture) runWithKey(t *testing.T) {
	t.Helper()
	_, err := f.svc.CreateAccessKey(t.Context(), iam.CreateAccessKeyCommand{TenantID: f.tenant, UserID: f.user, Name: "ci"})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.pub.Run(runCtx, time.Hour)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	require.Eventually(t, func() bool { return f.published(t) != nil }, 3*time.Second, 10*time.Millisecond)
}

func (f *iamFixture) published(t *testing.T) *gwconfig.ExecuteAPIGrants {
	t.Helper()
	all, err := f.bus.ExecuteAPIGrants(t.Context())
	require.NoError(t, err)
	for _, g := range all {
		if g.TenantID == f.tenant {
			return g
		}
	}
	return nil
}

func TestIntegrationPublisher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		f := newIAMFixture(t, d)

		// No key: nothing published.
		require.NoError(t, f.pub.Sync(ctx, f.tenant))
		assert.Nil(t, f.published(t))

		exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		k, err := f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: f.tenant, UserID: f.user, Name: "ci", ExpiresAt: &exp})
		require.NoError(t, err)
		narrow, err := f.svc.CreateAccessKey(ctx, iam.CreateAccessKeyCommand{TenantID: f.tenant, UserID: f.user, Name: "narrow",
			SessionPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"trn:turnpike:*:execute-api:a1/*"}]}`})
		require.NoError(t, err)

		// Keys without policies are published with no statements.
		require.NoError(t, f.pub.Sync(ctx, f.tenant))
		g := f.published(t)
		require.NotNil(t, g)
		require.Len(t, g.Keys, 2)
		byID := map[string]gwconfig.ExecuteAPIKey{}
		for _, k := range g.Keys {
			byID[k.AccessKeyID] = k
		}
		ck := byID[k.ID]
		assert.Equal(t, hashOf(k.Token), ck.TokenHash)
		assert.Equal(t, f.user, ck.PrincipalID)
		require.NotNil(t, ck.ExpiresAt)
		assert.True(t, exp.Equal(*ck.ExpiresAt))
		assert.Empty(t, ck.Statements)
		assert.False(t, ck.HasSession)
		nk := byID[narrow.ID]
		assert.True(t, nk.HasSession)
		assert.Equal(t, []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: gwconfig.ExecuteAPIActions,
			Resources: []string{"trn:turnpike:*:execute-api:a1/*"}}}, nk.Session)

		// Attaching a policy grants Invoke.
		require.NoError(t, f.dir.AttachPolicy(ctx, f.tenant, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.user}, f.policyID))
		require.NoError(t, f.pub.Sync(ctx, f.tenant))
		ck = f.published(t).Keys[indexOf(f.published(t), k.ID)]
		assert.Equal(t, []gwconfig.ExecuteAPIStatement{{Effect: "Allow", Actions: []string{gwconfig.ActionInvoke},
			Resources: []string{"trn:turnpike:*:execute-api:*"}}}, ck.Statements)

		// A deactivated key is withdrawn; with no key left the tenant's
		// grants are deleted.
		inactive := iam.AccessKeyInactive
		for _, id := range []string{k.ID, narrow.ID} {
			_, err = f.svc.UpdateAccessKey(ctx, iam.UpdateAccessKeyCommand{TenantID: f.tenant, AccessKeyID: id, Status: &inactive})
			require.NoError(t, err)
		}
		require.NoError(t, f.pub.Sync(ctx, f.tenant))
		assert.Nil(t, f.published(t))
	})
}

func indexOf(g *gwconfig.ExecuteAPIGrants, keyID string) int {
	for i, k := range g.Keys {
		if k.AccessKeyID == keyID {
			return i
		}
	}
	return -1
}

// TestIntegrationPublisherAfterCommit checks the audit hook: a committed
// IAM change republishes the tenant, a rolled back one does not.
func TestIntegrationPublisherAfterCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		f := newIAMFixture(t, d)
		f.runWithKey(t)
		statements := func() int {
			g := f.published(t)
			if g == nil || len(g.Keys) == 0 {
				return -1
			}
			return len(g.Keys[0].Statements)
		}
		require.Equal(t, 0, statements())

		log := f.pub.WrapAudit(audit.NewStore(d))
		attach := func(ctx context.Context) error {
			if err := f.dir.AttachPolicy(ctx, f.tenant, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.user}, f.policyID); err != nil {
				return err
			}
			return log.Record(ctx, &audit.Entry{TenantID: f.tenant, Action: "iam:AttachUserPolicy", Method: "POST", Status: 204})
		}

		errRollback := errors.New("rolled back")
		err := d.RunInTx(ctx, func(ctx context.Context) error {
			require.NoError(t, attach(ctx))
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		time.Sleep(200 * time.Millisecond) // Nothing may be published for a rolled back change.
		assert.Equal(t, 0, statements())

		require.NoError(t, d.RunInTx(ctx, attach))
		require.Eventually(t, func() bool { return statements() == 1 }, 3*time.Second, 10*time.Millisecond)
	})
}

func TestStatementsNeedPolicies(t *testing.T) {
	got := Statements([]authz.Policy{{ID: "empty"}}, KeyContext{TenantID: "t1"})
	assert.Empty(t, got)
}

// TestIntegrationPublisherPollsVersions changes a policy attachment outside
// the management API (no audit entry): the moved policy version is noticed
// and the tenant republished.
func TestIntegrationPublisherPollsVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		f := newIAMFixture(t, d)
		f.pub.pollEvery = 20 * time.Millisecond
		f.runWithKey(t)
		require.Empty(t, f.published(t).Keys[0].Statements)

		require.NoError(t, f.dir.AttachPolicy(ctx, f.tenant, iam.PrincipalRef{Type: iam.PrincipalUser, ID: f.user}, f.policyID))
		require.Eventually(t, func() bool { return len(f.published(t).Keys[0].Statements) == 1 }, 3*time.Second, 10*time.Millisecond)
	})
}
