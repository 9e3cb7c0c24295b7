package lockout_test

import (
	"testing"
	"time"

	"github.com/turnpike/turnpike/backend/iam/lockout"
	"github.com/turnpike/turnpike/backend/iam/lockout/lockouttest"
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
		prefix := lockouttest.Prefix(t)
		return lockout.New(lockouttest.Redis(t, prefix), prefix, "login", p, now)
	})
}
