// Package usageimpl implements usage.Service over a gorm store, publishing
// every change to the fleet inside the database transaction.
package usageimpl

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/turnpike/turnpike/backend/usage"
)

// store is what the service needs from persistence. Methods scope every
// query to the tenant they are given, except the all* methods that
// Reconcile uses.
type store interface {
	// inTx runs fn with a store bound to one transaction.
	inTx(ctx context.Context, fn func(tx store) error) error

	insertKey(ctx context.Context, k *usage.APIKey) error
	getKey(ctx context.Context, tenantID, keyID string) (*usage.APIKey, error)
	listKeys(ctx context.Context, tenantID string) ([]*usage.APIKey, error)
	updateKey(ctx context.Context, k *usage.APIKey) error
	deleteKey(ctx context.Context, tenantID, keyID string) error

	insertPlan(ctx context.Context, p *usage.UsagePlan) error
	getPlan(ctx context.Context, tenantID, planID string) (*usage.UsagePlan, error)
	listPlans(ctx context.Context, tenantID string) ([]*usage.UsagePlan, error)
	updatePlan(ctx context.Context, p *usage.UsagePlan) error
	deletePlan(ctx context.Context, tenantID, planID string) error

	insertPlanKey(ctx context.Context, tenantID, planID, keyID string, at time.Time) error
	deletePlanKey(ctx context.Context, tenantID, planID, keyID string) error
	// planKeys returns the keys attached to the plan.
	planKeys(ctx context.Context, tenantID, planID string) ([]*usage.APIKey, error)

	tenantIDs(ctx context.Context) ([]string, error)
	allKeys(ctx context.Context) ([]*usage.APIKey, error)
	allPlans(ctx context.Context) ([]*usage.UsagePlan, error)
}

// errIDTaken means a freshly generated id collided; the caller draws again.
var errIDTaken = errors.New("generated id already taken")

// ID and value lengths, as API Gateway draws them.
const (
	keyIDLength    = 10
	planIDLength   = 6
	keyValueLength = 40
	idAttempts     = 4
)

const (
	idAlphabet    = "abcdefghijklmnopqrstuvwxyz0123456789"
	valueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		// 256 is not a multiple of the alphabet's length; at 40 characters
		// of 62 the slight bias leaves far more than 200 bits.
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newKeyValue draws an API key value.
func newKeyValue() string { return randomString(keyValueLength, valueAlphabet) }

// withNewID calls insert with fresh ids until one is free.
func withNewID(n int, insert func(id string) error) error {
	var err error
	for range idAttempts {
		if err = insert(randomString(n, idAlphabet)); !errors.Is(err, errIDTaken) {
			return err
		}
	}
	return err
}

// HashValue is what the fleet receives instead of a key's value: SHA-256,
// hex encoded, which the gateway computes from x-api-key.
func HashValue(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// now is the store's clock: UTC, at the microsecond precision Postgres
// keeps, so values read back compare equal.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
