package limit

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// batcher auto-pipelines the limiter's script calls, the way rueidis does:
// a call that finds fewer than maxInflight batches on the wire goes out at
// once (an idle gateway adds no latency); calls that arrive meanwhile
// queue, and when a batch comes back its leader hands the whole queue (up
// to maxBatch) to one of the waiters, which sends it as one pipeline. A
// loaded gateway thus pays one write and one read for many decisions
// instead of one each. No goroutine of its own: the callers take turns.
type batcher struct {
	client      redis.UniversalClient
	maxBatch    int
	maxInflight int

	mu       sync.Mutex
	queue    []*scriptCall
	inflight int
}

// scriptCall is one queued EVALSHA. It is pooled: the waiter reuses it
// once signalled.
type scriptCall struct {
	args []any
	cmd  *redis.Cmd
	// sig carries the waiter's turn: sigDone (cmd has its reply) or
	// sigLead (send batch, then signal its members).
	sig   chan uint8
	batch []*scriptCall
	one   [1]*scriptCall // batch of a call sent alone
}

const (
	sigDone uint8 = iota
	sigLead
)

var scriptCalls = sync.Pool{New: func() any {
	return &scriptCall{args: make([]any, 0, 10), sig: make(chan uint8, 1)}
}}

func newScriptCall() *scriptCall { return scriptCalls.Get().(*scriptCall) }

func (c *scriptCall) release() {
	clear(c.args)
	c.args, c.cmd, c.batch, c.one[0] = c.args[:0], nil, nil, nil
	scriptCalls.Put(c)
}

// do runs c's command in some batch and returns when its reply is in
// c.cmd, or when ctx ends while c still waits in the queue.
func (b *batcher) do(ctx context.Context, c *scriptCall) error {
	c.cmd = redis.NewCmd(ctx, c.args...)
	b.mu.Lock()
	if b.inflight < b.maxInflight {
		b.inflight++
		b.mu.Unlock()
		c.one[0] = c
		b.lead(ctx, c.one[:], c)
		return nil
	}
	b.queue = append(b.queue, c)
	b.mu.Unlock()
	select {
	case s := <-c.sig:
		b.turn(ctx, c, s)
		return nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	for i, q := range b.queue {
		if q == c {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			b.mu.Unlock()
			return ctx.Err()
		}
	}
	b.mu.Unlock()
	// Already in a batch: its leader may be c itself, so c must take its
	// turn for the others' sake.
	b.turn(ctx, c, <-c.sig)
	return ctx.Err()
}

func (b *batcher) turn(ctx context.Context, c *scriptCall, s uint8) {
	if s == sigLead {
		b.lead(ctx, c.batch, c)
	}
}

// lead sends batch as one pipeline, signals its members (but self, whose
// caller is here), then hands the queue on or ends its batch slot.
func (b *batcher) lead(ctx context.Context, batch []*scriptCall, self *scriptCall) {
	b.exec(context.WithoutCancel(ctx), batch)
	for _, c := range batch {
		if c != self {
			c.sig <- sigDone
		}
	}
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.inflight--
		b.mu.Unlock()
		return
	}
	n := min(len(b.queue), b.maxBatch)
	next := make([]*scriptCall, n)
	copy(next, b.queue)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.mu.Unlock()
	next[0].batch = next
	next[0].sig <- sigLead
}

// exec sends batch in one round trip; calls that find the script missing
// from Redis's cache (a restart, SCRIPT FLUSH) load it and go again.
func (b *batcher) exec(ctx context.Context, batch []*scriptCall) {
	if len(batch) == 1 {
		_ = b.client.Process(ctx, batch[0].cmd)
	} else {
		pipe := b.client.Pipeline()
		for _, c := range batch {
			_ = pipe.Process(ctx, c.cmd)
		}
		_, _ = pipe.Exec(ctx)
	}
	var retry []*scriptCall
	for _, c := range batch {
		if err := c.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			retry = append(retry, c)
		}
	}
	if len(retry) == 0 {
		return
	}
	if err := allowScript.Load(ctx, b.client).Err(); err != nil {
		return // Every retry keeps its NOSCRIPT error.
	}
	pipe := b.client.Pipeline()
	for _, c := range retry {
		c.cmd = redis.NewCmd(ctx, c.args...)
		_ = pipe.Process(ctx, c.cmd)
	}
	_, _ = pipe.Exec(ctx)
}
