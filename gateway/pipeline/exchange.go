package pipeline

import (
	"context"
	"time"

	"github.com/turnpike/turnpike/gateway/router"
)

// Exchange is the per-request record the stages fill in and the entry point
// reads for the access log and metrics. It is owned by the entry point and
// valid only while the request is served; stages must not keep it.
type Exchange struct {
	// RequestID is the request's id (X-Request-Id).
	RequestID string
	// Start is when the gateway received the request.
	Start time.Time
	// Match is the resolved stage and route; Match.Route is nil until the
	// resolve stage found one.
	Match router.Match
	// IntegrationLatency is how long the integration took.
	IntegrationLatency time.Duration
	// CacheStatus is "Hit" or "Miss" when the route is cached, else empty.
	CacheStatus string
	// APIKeyID is the id of the caller's API key, once the limits stage
	// has matched one ($context.identity.apiKeyId).
	APIKeyID string
	// AuthorizerAPIKey is the API key value an authorizer returned; a stage
	// with apiKeySource AUTHORIZER reads the key from here.
	AuthorizerAPIKey string
	// IAMPrincipalID and IAMAccessKeyID name the caller of an AWS_IAM
	// method once the iamauth stage has found its access key, for the
	// access log ($context.identity.caller, .user, .accessKey). The token
	// itself is never kept.
	IAMPrincipalID string
	IAMAccessKeyID string
}

// Reset clears e for reuse.
func (e *Exchange) Reset() { *e = Exchange{} }

type exchangeKey struct{}

// WithExchange returns a context that carries e.
func WithExchange(ctx context.Context, e *Exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, e)
}

// ExchangeFrom returns the request's Exchange. Outside the gateway's entry
// point (in a unit test of one stage, say) it returns a fresh one that
// nobody reads.
func ExchangeFrom(ctx context.Context) *Exchange {
	if e, ok := ctx.Value(exchangeKey{}).(*Exchange); ok {
		return e
	}
	return &Exchange{}
}
