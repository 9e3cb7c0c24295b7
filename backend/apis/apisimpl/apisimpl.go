// Package apisimpl implements apis.Service over a gorm store, and
// deploy.Store for the deploy workflow's activities.
package apisimpl

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/turnpike/turnpike/backend/apis"
	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// store is what the service needs from persistence. Methods scope every
// query to the tenant they are given.
type store interface {
	// inTx runs fn with a store bound to one transaction.
	inTx(ctx context.Context, fn func(tx store) error) error

	insertAPI(ctx context.Context, a *apis.API) error
	getAPI(ctx context.Context, tenantID, apiID string) (*apis.API, error)
	listAPIs(ctx context.Context, tenantID string) ([]*apis.API, error)
	updateAPI(ctx context.Context, a *apis.API) error
	deleteAPI(ctx context.Context, tenantID, apiID string) error

	insertRoute(ctx context.Context, r *apis.Route) error
	getRoute(ctx context.Context, tenantID, apiID, routeID string) (*apis.Route, error)
	listRoutes(ctx context.Context, tenantID, apiID string) ([]*apis.Route, error)
	updateRoute(ctx context.Context, r *apis.Route) error
	deleteRoute(ctx context.Context, tenantID, apiID, routeID string) error

	insertStage(ctx context.Context, st *apis.Stage) error
	getStage(ctx context.Context, tenantID, apiID, stageName string) (*apis.Stage, error)
	listStages(ctx context.Context, tenantID, apiID string) ([]*apis.Stage, error)
	updateStage(ctx context.Context, st *apis.Stage) error
	deleteStage(ctx context.Context, tenantID, apiID, stageName string) error

	insertDeployment(ctx context.Context, d *apis.Deployment) error
	getDeployment(ctx context.Context, tenantID, apiID, deploymentID string) (*apis.Deployment, error)
	listDeployments(ctx context.Context, tenantID, apiID string) ([]*apis.Deployment, error)
	unfinishedDeployment(ctx context.Context, tenantID, apiID, stageName string) (*apis.Deployment, error)
	unfinishedDeployments(ctx context.Context, tenantID, apiID string) ([]*apis.Deployment, error)
	finishDeployment(ctx context.Context, tenantID, deploymentID, status, reason string, at time.Time) (bool, error)

	activeSnapshot(ctx context.Context, tenantID, apiID, stageName string) (*gwconfig.Stage, error)
}

// errIDTaken means a freshly generated id collided; the caller draws again.
var errIDTaken = errors.New("generated id already taken")

// ID lengths, as API Gateway draws them.
const (
	apiIDLength        = 10
	routeIDLength      = 7
	deploymentIDLength = 8
	idAttempts         = 4
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID draws a random lowercase alphanumeric id.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		// 256 is not a multiple of 36; the bias is irrelevant for ids.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// withNewID calls insert with fresh ids until one is free.
func withNewID(n int, insert func(id string) error) error {
	var err error
	for range idAttempts {
		if err = insert(newID(n)); !errors.Is(err, errIDTaken) {
			return err
		}
	}
	return err
}

// now is the store's clock: UTC, at the microsecond precision Postgres
// keeps, so values read back compare equal.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
