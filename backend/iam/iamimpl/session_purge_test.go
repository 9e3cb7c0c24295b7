package iamimpl

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/backend/db"
	"github.com/turnpike/turnpike/backend/db/dbtest"
	"github.com/turnpike/turnpike/backend/iam"
)

func TestIntegrationPurgeSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newServiceFixture(t, d)
		login := func() *iam.LoginResult {
			t.Helper()
			res, err := f.svc.Login(ctx, iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
			require.NoError(t, err)
			return res
		}
		count := func() int64 {
			var n int64
			require.NoError(t, d.Gorm.Table("sessions").Count(&n).Error)
			return n
		}
		old := login()
		f.clock.Advance(6 * time.Hour)
		revoked := login()
		require.NoError(t, f.svc.Logout(ctx, revoked.SessionToken))
		f.clock.Advance(time.Minute)
		live := login()
		require.EqualValues(t, 3, count())

		// 12h01m after the first sign-in: it expired, the second was signed out.
		f.clock.Advance(6*time.Hour + time.Minute)
		n, err := f.svc.PurgeSessions(ctx)
		require.NoError(t, err)
		assert.EqualValues(t, 2, n)
		assert.EqualValues(t, 1, count())
		_, err = f.svc.AuthenticateSession(ctx, live.SessionToken)
		assert.NoError(t, err)
		_, err = f.svc.AuthenticateSession(ctx, old.SessionToken)
		assert.ErrorIs(t, err, iam.ErrInvalidSession)

		n, err = f.svc.PurgeSessions(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}

// TestRunSessionPurgeStops: the loop purges at once and returns when its
// context ends.
func TestRunSessionPurgeStops(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newServiceFixture(t, d)
	_, err := f.svc.Login(context.Background(), iam.LoginCommand{Email: "admin@example.com", Password: testPassword})
	require.NoError(t, err)
	f.clock.Advance(13 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		f.svc.RunSessionPurge(ctx, time.Hour)
		close(done)
	}()
	require.Eventually(t, func() bool {
		var n int64
		require.NoError(t, d.Gorm.Table("sessions").Count(&n).Error)
		return n == 0
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	<-done
}
