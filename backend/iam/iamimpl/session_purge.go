package iamimpl

import (
	"context"
	"time"
)

// PurgeSessions deletes every session that has expired or was revoked: such
// a session can never authenticate again, and without a purge the table
// grows with every sign-in. It returns how many it deleted.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	return s.store.deleteSessionsBefore(ctx, s.now())
}

// RunSessionPurge purges sessions now and then every interval until ctx
// ends; failures are logged and retried at the next tick. Every replica
// may run it: the delete is idempotent.
func (s *Service) RunSessionPurge(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.PurgeSessions(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "purging expired sessions failed", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "purged expired sessions", "sessions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
