package main

import (
	"context"
	"errors"

	"github.com/turnpike/turnpike/backend/apis/apisimpl"
	"github.com/turnpike/turnpike/workflows/deploy"
	"github.com/turnpike/turnpike/workflows/worker"
)

// runWorker runs the deploy worker alone, for a fleet where it scales apart
// from the API.
func runWorker(ctx context.Context) error {
	b, err := openBase(ctx, true)
	if err != nil {
		return err
	}
	defer b.close()
	if b.cfg.TemporalAddress == "" {
		return errors.New("turnpike worker needs TEMPORAL_ADDRESS (only serve starts a dev server)")
	}
	if b.cfg.Embedded() {
		return errors.New("turnpike worker needs REDIS_URL: without it, it could not reach any gateway")
	}
	tc, err := dialTemporal(ctx, b.cfg.TemporalAddress, b.cfg.TemporalNamespace, b.log)
	if err != nil {
		return err
	}
	defer tc.Close()
	b.log.Info("deploy worker started", "temporal", b.cfg.TemporalAddress, "namespace", b.cfg.TemporalNamespace, "taskQueue", deploy.TaskQueue)
	return worker.Run(ctx, tc, &deploy.Activities{Store: apisimpl.NewDeployStore(b.db), Bus: b.bus}, b.log)
}
