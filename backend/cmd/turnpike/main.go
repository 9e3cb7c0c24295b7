// Command turnpike is the control plane: the management API and console
// (serve), the deploy worker (worker), schema migrations (migrate) and
// operator tasks (tenant create). With no configuration, serve starts the
// whole platform on one machine.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `turnpike — self-hosted API gateway platform

Usage:
  turnpike [serve]        management API + console; with no configuration also a
                          deploy worker, a Temporal dev server and one gateway
  turnpike worker         the deploy worker alone (needs TEMPORAL_ADDRESS, REDIS_URL)
  turnpike migrate        apply pending database migrations and exit
  turnpike tenant create --name NAME --admin-email EMAIL [--admin-password PW]
                          create a tenant with an administrator; prints its first
                          access key as JSON (the token is shown once)

Configuration is read from the environment; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, args := "serve", os.Args[1:]
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx)
	case "worker":
		err = runWorker(ctx)
	case "migrate":
		err = migrate(ctx)
	case "tenant":
		err = tenantCmd(ctx, args)
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "turnpike:", err)
		os.Exit(1)
	}
}

func newLogger(level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
