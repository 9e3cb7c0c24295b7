// Command temporal-dev runs a single-process Temporal server with an in-memory
// SQLite store, for `make run` and the e2e tests. It lives in its own Go module
// because the Temporal server takes many minutes to compile: keeping it out of
// the backend's and gateway's import graph keeps their builds fast.
//
// On start it prints two lines that the parent process reads:
//
//	TEMPORAL_ADDRESS=127.0.0.1:PORT
//	TEMPORAL_NAMESPACE=NAME
//
// It stops on SIGINT/SIGTERM or when its standard input closes, so a parent
// that dies never leaves it behind.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/server/temporaltest"
)

func main() {
	ts := temporaltest.NewServer()
	fmt.Printf("TEMPORAL_ADDRESS=%s\n", ts.GetFrontendHostPort())
	fmt.Printf("TEMPORAL_NAMESPACE=%s\n", ts.GetDefaultNamespace())

	done := make(chan struct{}, 2)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		done <- struct{}{}
	}()
	if os.Getenv("TEMPORAL_DEV_WATCH_STDIN") == "1" {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			done <- struct{}{}
		}()
	}
	<-done
	ts.Stop()
}
