//go:build e2e

package deploy_test

import (
	"bufio"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/turnpike/turnpike/gateway/fleet"
	"github.com/turnpike/turnpike/workflows/deploy"
	"github.com/turnpike/turnpike/workflows/worker"
)

// Run with: go test -tags e2e ./workflows/deploy -run E2E [-record]
// It needs bin/temporal-dev (make builds it; see workflows/devserver).
var record = flag.Bool("record", false, "write the workflows' histories to testdata/ for the replay test")

// startDevServer starts bin/temporal-dev and returns its address and
// namespace; it stops with the test.
func startDevServer(t *testing.T) (string, string) {
	bin := os.Getenv("TEMPORAL_DEV")
	if bin == "" {
		bin = filepath.Join("..", "..", "bin", "temporal-dev")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s not found (%v): build it with `cd workflows/devserver && go build -o ../../bin/temporal-dev .` or set TEMPORAL_DEV", bin, err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "TEMPORAL_DEV_WATCH_STDIN=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		// Closing stdin stops it; kill it if it does not stop in time.
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	var addr, ns string
	sc := bufio.NewScanner(stdout)
	for (addr == "" || ns == "") && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "TEMPORAL_ADDRESS="); ok {
			addr = v
		}
		if v, ok := strings.CutPrefix(sc.Text(), "TEMPORAL_NAMESPACE="); ok {
			ns = v
		}
	}
	require.NotEmpty(t, addr, "temporal-dev printed no address")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return addr, ns
}

// liveGateway is a gateway as the real one behaves: it loads on every watch
// event and on a timer, and heartbeats with a short TTL.
func liveGateway(ctx context.Context, t *testing.T, bus fleet.Bus, id string, stuck func() bool) {
	ch, err := bus.Watch(ctx)
	require.NoError(t, err)
	served := map[string]string{}
	beat := func() {
		if !stuck() {
			stages, err := bus.Stages(ctx)
			if err != nil {
				return
			}
			served = map[string]string{}
			for _, s := range stages {
				served[s.Key()] = s.DeploymentID
			}
		}
		_ = bus.Heartbeat(ctx, fleet.Heartbeat{GatewayID: id, Stages: served}, 3*time.Second)
	}
	beat()
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
			case <-tick.C:
			}
			beat()
		}
	}()
}

func TestE2EDeployAgainstDevServer(t *testing.T) {
	addr, ns := startDevServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	c, err := worker.Dial(ctx, addr, ns, logger)
	require.NoError(t, err)
	defer c.Close()

	store := newFakeStore()
	bus := fleet.NewMemory()
	workerCtx, stopWorker := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		assert.NoError(t, worker.Run(workerCtx, c, &deploy.Activities{Store: store, Bus: bus}, logger))
	})
	defer func() { stopWorker(); wg.Wait() }()

	prev := newSnapshot("d-0", 1)
	store.activate(prev)
	require.NoError(t, bus.PutStage(ctx, prev))
	var stuckMu sync.Mutex
	stuck := false
	isStuck := func() bool { stuckMu.Lock(); defer stuckMu.Unlock(); return stuck }
	liveGateway(ctx, t, bus, "gw-1", func() bool { return false })
	liveGateway(ctx, t, bus, "gw-2", isStuck)
	starter := deploy.NewStarter(c)

	// A deploy the fleet takes.
	store.addDeployment(newSnapshot("d-1", 2))
	require.NoError(t, starter.Start(ctx, input("d-1")))
	res, err := deploy.Wait(ctx, c, "d-1")
	require.NoError(t, err)
	assert.Equal(t, deploy.Result{Status: deploy.StatusDeployed, Gateways: 2}, res)
	assert.ErrorIs(t, starter.Start(ctx, input("d-1")), deploy.ErrAlreadyStarted)

	// A deploy gw-2 never loads: rolled back to d-1.
	stuckMu.Lock()
	stuck = true
	stuckMu.Unlock()
	store.addDeployment(newSnapshot("d-2", 1))
	in := input("d-2")
	in.FleetTimeout = 3 * time.Second
	require.NoError(t, starter.Start(ctx, in))
	res, err = deploy.Wait(ctx, c, "d-2")
	require.NoError(t, err)
	assert.Equal(t, deploy.Result{
		Status: deploy.StatusFailed,
		Reason: "gateway gw-2 did not load deployment d-2 within 3s; stage rolled back to d-1",
	}, res)
	got, err := bus.GetStage(ctx, "a1", "prod")
	require.NoError(t, err)
	assert.Equal(t, "d-1", got.DeploymentID)

	if *record {
		writeHistory(ctx, t, c, "d-1", "testdata/deploy_success.json")
		writeHistory(ctx, t, c, "d-2", "testdata/deploy_rollback.json")
	}
}

func writeHistory(ctx context.Context, t *testing.T, c client.Client, deploymentID, path string) {
	it := c.GetWorkflowHistory(ctx, deploy.WorkflowID(deploymentID), "", false, 0)
	var h historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, append(b, '\n'), 0o644))
	t.Logf("wrote %s (%d events)", path, len(h.Events))
}
