// Package fleet carries deployed stage configs from the control plane to the
// gateways, and the gateways' heartbeats back. It has two implementations
// behind one interface: Redis for a real fleet and an in-process bus for the
// embedded default. Both pass the contract suite in fleettest.
package fleet

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Bus is the fleet's shared configuration and liveness channel.
type Bus interface {
	// PutStage publishes a stage config, replacing any earlier one with the
	// same key; watchers are notified. The published Revision is s.Revision
	// if that is higher than every revision the bus has published, else the
	// next one, so it rises with every publish; s itself is not modified.
	PutStage(ctx context.Context, s *gwconfig.Stage) error
	// DeleteStage withdraws a stage from the fleet; watchers are notified.
	// Deleting a stage that is not published is not an error.
	DeleteStage(ctx context.Context, apiID, stageName string) error
	// GetStage returns one published stage, or ErrNotFound.
	GetStage(ctx context.Context, apiID, stageName string) (*gwconfig.Stage, error)
	// Stages returns every published stage config.
	Stages(ctx context.Context) ([]*gwconfig.Stage, error)
	// Watch returns a channel that receives a value after every change
	// (coalesced: one value may stand for many changes). It is closed when
	// ctx ends. Watchers should also re-read on a timer, since a Redis
	// subscription can miss messages while it reconnects.
	Watch(ctx context.Context) (<-chan struct{}, error)
	// Heartbeat records a gateway as live, with what it serves, for ttl.
	Heartbeat(ctx context.Context, hb Heartbeat, ttl time.Duration) error
	// Leave removes a gateway at once (on clean shutdown).
	Leave(ctx context.Context, gatewayID string) error
	// Gateways returns the live gateways: those whose last heartbeat has not
	// expired.
	Gateways(ctx context.Context) ([]Heartbeat, error)
	// Close releases the bus's resources.
	Close() error
}

// Heartbeat is what a gateway reports about itself.
type Heartbeat struct {
	// GatewayID is unique per gateway process.
	GatewayID string `json:"gatewayId"`
	// Addr is where the gateway listens, for operators.
	Addr string `json:"addr,omitempty"`
	// StartedAt is when the gateway process started.
	StartedAt time.Time `json:"startedAt"`
	// SeenAt is when this heartbeat was sent.
	SeenAt time.Time `json:"seenAt"`
	// Stages maps each stage key ({apiId}/{stageName}) the gateway serves
	// to the deployment id it serves there.
	Stages map[string]string `json:"stages"`
}

// Serves reports whether the gateway serves deploymentID on the stage.
func (h Heartbeat) Serves(apiID, stageName, deploymentID string) bool {
	return h.Stages[gwconfig.StageKey(apiID, stageName)] == deploymentID
}
