// Package temporaldev starts the Temporal dev server (workflows/devserver,
// built into bin/temporal-dev) as a child process, for the embedded default
// and the e2e tests. The server is a separate program so that its very large
// dependency graph stays out of the backend's.
package temporaldev

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// EnvBinary names the dev server binary explicitly.
const EnvBinary = "TURNPIKE_TEMPORAL_DEV_BIN"

// ErrBinaryNotFound says the dev server has not been built.
var ErrBinaryNotFound = errors.New("temporal dev server binary not found: run `make temporal-dev` (the first build compiles the Temporal server and takes 15-20 minutes), set " + EnvBinary + ", or point TEMPORAL_ADDRESS at a Temporal server")

// Server is a running dev server.
type Server struct {
	// Address is the frontend host:port.
	Address string
	// Namespace is the namespace the server created.
	Namespace string
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	done      chan error
}

// FindBinary looks for the dev server: $TURNPIKE_TEMPORAL_DEV_BIN, then
// bin/temporal-dev under the working directory and its parents, then
// temporal-dev next to the running executable, then on PATH.
func FindBinary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			p := filepath.Join(dir, "bin", "temporal-dev")
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "temporal-dev")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("temporal-dev"); err == nil {
		return p, nil
	}
	return "", ErrBinaryNotFound
}

// Start runs the binary and waits until it prints its address. The child
// exits when Stop is called or when this process dies (its stdin closes).
func Start(ctx context.Context, binary string, log *slog.Logger) (*Server, error) {
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), "TEMPORAL_DEV_WATCH_STDIN=1")
	cmd.Stderr = os.Stderr
	// Its own process group, so a Ctrl-C in the terminal reaches the parent
	// first and the parent stops it in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting temporal dev server %s: %w", binary, err)
	}
	s := &Server{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	go func() { s.done <- cmd.Wait() }()

	timeout := time.NewTimer(90 * time.Second)
	defer timeout.Stop()
	for s.Address == "" || s.Namespace == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = s.Stop()
				return nil, fmt.Errorf("temporal dev server exited before it was ready")
			}
			if v, ok := strings.CutPrefix(line, "TEMPORAL_ADDRESS="); ok {
				s.Address = v
			}
			if v, ok := strings.CutPrefix(line, "TEMPORAL_NAMESPACE="); ok {
				s.Namespace = v
			}
		case <-timeout.C:
			_ = s.Stop()
			return nil, fmt.Errorf("temporal dev server did not start within 90s")
		case <-ctx.Done():
			_ = s.Stop()
			return nil, ctx.Err()
		}
	}
	log.Info("temporal dev server started", "address", s.Address, "namespace", s.Namespace, "pid", cmd.Process.Pid)
	return s, nil
}

// Stop asks the server to stop and waits up to 10 s before killing it.
func (s *Server) Stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.stdin.Close()
	select {
	case <-s.done:
		return nil
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("temporal dev server did not stop within 10s; killed")
	}
}
