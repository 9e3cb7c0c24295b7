package accesslog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/turnpike/turnpike/gateway/gwconfig"
)

// Writer takes finished lines. Write never waits for I/O beyond copying
// into a buffer; it may drop a line when its destination cannot keep up
// (counted by Dropped).
type Writer interface {
	Write(r *Record, line []byte)
}

// Redis is what the stream writer needs of a go-redis client.
type Redis interface {
	Pipelined(ctx context.Context, fn func(redis.Pipeliner) error) ([]redis.Cmder, error)
}

// SinkConfig configures a gateway's access log destinations.
type SinkConfig struct {
	// Stdout is where "stdout" lines go (default os.Stdout).
	Stdout io.Writer
	// Dir is the directory of file:NAME destinations; empty refuses them.
	Dir string
	// Redis carries the "redis" destination; nil refuses it.
	Redis Redis
	// StreamKey is the Redis stream (default "turnpike:accesslog").
	StreamKey string
	// StreamMaxLen trims the stream to about this many entries (default
	// 1,000,000; XADD MAXLEN ~).
	StreamMaxLen int64
	// FlushInterval is how often buffered lines are written out (default
	// 200ms).
	FlushInterval time.Duration
	// Logger reports write failures (once per flush at most).
	Logger *slog.Logger
}

// Sinks owns one Writer per destination, shared by every stage that
// names it; Close flushes them.
type Sinks struct {
	cfg     SinkConfig
	mu      sync.Mutex
	writers map[string]Writer
	closers []func() error
	dropped atomic.Int64
}

// NewSinks returns the destinations of one gateway.
func NewSinks(cfg SinkConfig) *Sinks {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.StreamKey == "" {
		cfg.StreamKey = "turnpike:accesslog"
	}
	if cfg.StreamMaxLen <= 0 {
		cfg.StreamMaxLen = 1_000_000
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = 200 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sinks{cfg: cfg, writers: make(map[string]Writer)}
}

// Dropped is how many lines were dropped because a destination could not
// keep up.
func (s *Sinks) Dropped() int64 { return s.dropped.Load() }

// Writer returns the writer of a destination (stdout, redis, file:NAME),
// opening it on first use.
func (s *Sinks) Writer(dest string) (Writer, error) {
	dest = gwconfig.NormalizeAccessLogDestination(dest)
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.writers[dest]; w != nil {
		return w, nil
	}
	var w Writer
	switch {
	case dest == gwconfig.AccessLogStdout:
		bw := newBuffered(s.cfg.Stdout, s.cfg.FlushInterval, s.cfg.Logger)
		s.closers = append(s.closers, bw.close)
		w = bw
	case dest == gwconfig.AccessLogRedis:
		if s.cfg.Redis == nil {
			return nil, errors.New("access log destination redis: this gateway has no Redis")
		}
		rw := newStream(s.cfg, &s.dropped)
		s.closers = append(s.closers, rw.close)
		w = rw
	case strings.HasPrefix(dest, gwconfig.AccessLogFilePrefix):
		if s.cfg.Dir == "" {
			return nil, fmt.Errorf("access log destination %s: this gateway has no access log directory", dest)
		}
		name := strings.TrimPrefix(dest, gwconfig.AccessLogFilePrefix)
		if !filepath.IsLocal(name) {
			return nil, fmt.Errorf("access log destination %s: not a relative path", dest)
		}
		p := filepath.Join(s.cfg.Dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("access log destination %s: %w", dest, err)
		}
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("access log destination %s: %w", dest, err)
		}
		bw := newBuffered(f, s.cfg.FlushInterval, s.cfg.Logger)
		s.closers = append(s.closers, func() error { return errors.Join(bw.close(), f.Close()) })
		w = bw
	default:
		return nil, fmt.Errorf("access log destination %q is not stdout, redis or file:NAME", dest)
	}
	s.writers[dest] = w
	return w, nil
}

// Close flushes and closes every destination.
func (s *Sinks) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	s.closers, s.writers = nil, map[string]Writer{}
	return errors.Join(errs...)
}

// buffered writes lines into a 64 KiB buffer, written out when full and
// every interval.
type buffered struct {
	mu     sync.Mutex
	w      *bufio.Writer
	logger *slog.Logger
	stop   chan struct{}
	done   chan struct{}
}

func newBuffered(w io.Writer, interval time.Duration, logger *slog.Logger) *buffered {
	b := &buffered{w: bufio.NewWriterSize(w, 64<<10), logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop(interval)
	return b
}

func (b *buffered) Write(_ *Record, line []byte) {
	b.mu.Lock()
	_, err := b.w.Write(line)
	b.mu.Unlock()
	if err != nil {
		b.logger.Warn("access log write failed", "error", err)
	}
}

func (b *buffered) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

func (b *buffered) loop(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := b.flush(); err != nil {
				b.logger.Warn("access log flush failed", "error", err)
			}
		case <-b.stop:
			return
		}
	}
}

func (b *buffered) close() error {
	close(b.stop)
	<-b.done
	return b.flush()
}

// stream sends lines to a Redis stream off the request path: lines queue
// in a channel, and one goroutine XADDs them in pipelined batches.
type stream struct {
	mu      sync.RWMutex // Write holds it shared; close exclusively
	closed  bool
	cfg     SinkConfig
	ch      chan streamEntry
	dropped *atomic.Int64
	done    chan struct{}
}

type streamEntry struct {
	tenant, api, stage string
	line               string
}

const streamBatch = 256

func newStream(cfg SinkConfig, dropped *atomic.Int64) *stream {
	s := &stream{cfg: cfg, ch: make(chan streamEntry, 16384), dropped: dropped, done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *stream) Write(r *Record, line []byte) {
	// The stream entry holds the line without its newline.
	e := streamEntry{tenant: r.TenantID, api: r.APIID, stage: r.Stage, line: string(line[:len(line)-1])}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		s.dropped.Add(1)
		return
	}
	select {
	case s.ch <- e:
	default:
		s.dropped.Add(1)
	}
}

func (s *stream) loop() {
	defer close(s.done)
	batch := make([]streamEntry, 0, streamBatch)
	t := time.NewTicker(s.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case e, ok := <-s.ch:
			if !ok {
				s.send(batch)
				return
			}
			batch = append(batch, e)
			if len(batch) == streamBatch {
				batch = s.send(batch)
			}
		case <-t.C:
			batch = s.send(batch)
		}
	}
}

func (s *stream) send(batch []streamEntry) []streamEntry {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.cfg.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, e := range batch {
			p.XAdd(ctx, &redis.XAddArgs{
				Stream: s.cfg.StreamKey, MaxLen: s.cfg.StreamMaxLen, Approx: true,
				Values: []string{"tenant", e.tenant, "api", e.api, "stage", e.stage, "line", e.line},
			})
		}
		return nil
	})
	if err != nil {
		s.dropped.Add(int64(len(batch)))
		s.cfg.Logger.Warn("access log stream write failed; lines dropped", "lines", len(batch), "error", err)
	}
	clear(batch)
	return batch[:0]
}

func (s *stream) close() error {
	s.mu.Lock()
	s.closed = true
	close(s.ch)
	s.mu.Unlock()
	<-s.done
	return nil
}
