// Package worker runs the Temporal worker that executes Turnpike's
// workflows, inside the backend binary or on its own.
package worker

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/turnpike/turnpike/workflows/deploy"
)

// Dial connects to Temporal at hostPort in namespace, with Temporal's own
// logs going to logger.
func Dial(ctx context.Context, hostPort, namespace string, logger *slog.Logger) (client.Client, error) {
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		Logger:    tlog.NewStructuredLogger(logger.With("component", "temporal")),
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to temporal at %s: %w", hostPort, err)
	}
	return c, nil
}

// Run polls deploy.TaskQueue with the deploy workflow and its activities
// until ctx ends, then stops the worker (letting running activities
// finish) and returns nil; it returns an error if the worker cannot start
// or fails. The client's logger (see Dial) carries Temporal's own logs.
func Run(ctx context.Context, c client.Client, acts *deploy.Activities, logger *slog.Logger) error {
	logger = logger.With("component", "worker", "taskQueue", deploy.TaskQueue)
	w := sdkworker.New(c, deploy.TaskQueue, sdkworker.Options{})
	deploy.Register(w, acts)

	stop := make(chan any)
	defer context.AfterFunc(ctx, func() { close(stop) })()
	logger.Info("worker started")
	if err := w.Run(stop); err != nil {
		return fmt.Errorf("running worker on %s: %w", deploy.TaskQueue, err)
	}
	logger.Info("worker stopped")
	return nil
}
