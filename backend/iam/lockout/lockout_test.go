package lockout_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/iam/lockout/lockouttest"
	"github.com/turnpike/turnpike/gateway/redistest"
)

func TestMemory(t *testing.T) {
	lockouttest.Run(t, func(t *testing.T, p lockout.Policy, now func() time.Time) lockout.Limiter {
		return lockout.NewMemory(p, now)
	})
}

func TestIntegrationRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	lockouttest.Run(t, func(t *testing.T, p lockout.Policy, now func() time.Time) lockout.Limiter {
		prefix := redistest.Prefix(t)
		return lockout.New(redistest.Connect(t, prefix), prefix, "login", p, now)
	})
}

// TestIntegrationRedisClock: with no clock given, Redis's own clock runs
// the lockout (the fleet's mode).
func TestIntegrationRedisClock(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: skipped under -short")
	}
	prefix := redistest.Prefix(t)
	l := lockout.New(redistest.Connect(t, prefix), prefix, "login", lockout.Policy{Max: 2, Window: time.Minute, Lockout: time.Hour}, nil)
	ctx := context.Background()
	for range 2 {
		d, err := l.Attempt(ctx, "k")
		require.NoError(t, err)
		assert.True(t, d.Allowed)
	}
	d, err := l.Attempt(ctx, "k")
	require.NoError(t, err)
	assert.False(t, d.Allowed)
	assert.Greater(t, d.RetryAfter, 59*time.Minute)
	assert.LessOrEqual(t, d.RetryAfter, time.Hour)
}
