package iamimpl

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/backend/iam"
)

// store is the persistence the service needs. Every method that reads or
// writes one tenant's rows takes the tenant explicitly; the exceptions are
// the lookups that start from a secret or a login email (they return the
// tenant) and the tenant table itself.
type store interface {
	// withTx runs fn with a store bound to one transaction.
	withTx(ctx context.Context, fn func(s store) error) error

	countTenants(ctx context.Context) (int64, error)
	insertTenant(ctx context.Context, t *iam.Tenant) error
	getTenant(ctx context.Context, tenantID string) (*iam.Tenant, error)

	// insertUser inserts the user and its roles.
	insertUser(ctx context.Context, u *iam.User) error
	getUser(ctx context.Context, tenantID, userID string) (*iam.User, error)
	// getUserByEmail finds a user of any tenant by lower-cased email.
	getUserByEmail(ctx context.Context, email string) (*iam.User, error)

	insertSession(ctx context.Context, s *iam.Session, tokenHash string) error
	// getSessionByTokenHash finds a session of any tenant.
	getSessionByTokenHash(ctx context.Context, tokenHash string) (*iam.Session, error)
	getSession(ctx context.Context, tenantID, sessionID string) (*iam.Session, error)
	revokeSession(ctx context.Context, tenantID, sessionID string, at time.Time) error
	// deleteSessionsBefore deletes the sessions of every tenant that
	// expired or were revoked before at.
	deleteSessionsBefore(ctx context.Context, at time.Time) (int64, error)

	insertAccessKey(ctx context.Context, k *iam.AccessKey, tokenHash string) error
	// getAccessKeyByTokenHash finds an access key of any tenant.
	getAccessKeyByTokenHash(ctx context.Context, tokenHash string) (*iam.AccessKey, error)
	getAccessKey(ctx context.Context, tenantID, keyID string) (*iam.AccessKey, error)
	listAccessKeys(ctx context.Context, tenantID string) ([]*iam.AccessKey, error)
	// updateAccessKey writes the key's name, status and updatedAt.
	updateAccessKey(ctx context.Context, k *iam.AccessKey) error
	deleteAccessKey(ctx context.Context, tenantID, keyID string) error
	touchAccessKey(ctx context.Context, tenantID, keyID string, at time.Time, ip string) error
}
