// Package cache stores gateway responses for the stage cache. One Store
// interface has two implementations: Memory, an in-process LRU per stage
// (the embedded default), and Redis, shared by a fleet. Both keep a
// generation number per stage that is part of every entry's key, so
// flushing a stage is one O(1) bump; entries of older generations are
// never read again and expire by their TTL (Redis) or are dropped at once
// (Memory).
package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"time"
)

// Store holds cached responses, by stage and key. Keys are built by the
// cache stage and already contain the tenant, api, stage, deployment,
// route, method, path and key parameters; stage is the flush unit
// ("{tenantId}/{apiId}/{stageName}").
type Store interface {
	// Get returns the entry stored under key in the stage's current
	// generation. A miss is (nil, false, nil).
	Get(ctx context.Context, stage, key string) ([]byte, bool, error)
	// Set stores val under key for ttl, unless the stage's entries would
	// then take more than budget bytes (budget ≤ 0 is unbounded); an entry
	// refused for size is not an error.
	Set(ctx context.Context, stage, key string, val []byte, ttl time.Duration, budget int64) error
	// Delete removes one entry (Cache-Control: max-age=0).
	Delete(ctx context.Context, stage, key string) error
	// Flush drops every entry of the stage by moving it to a new
	// generation.
	Flush(ctx context.Context, stage string) error
}

// StageID is the flush unit of a stage's cache.
func StageID(tenantID, apiID, stageName string) string {
	return tenantID + "/" + apiID + "/" + stageName
}

// Entry is one cached response.
type Entry struct {
	Status int
	Header http.Header
	Body   []byte
}

var errCorrupt = errors.New("cache: corrupt entry")

// Encode appends e's wire form to dst: status, header count, each header's
// name and values, then the body.
func (e *Entry) Encode(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(e.Status))
	dst = binary.AppendUvarint(dst, uint64(len(e.Header)))
	for k, vs := range e.Header {
		dst = appendString(dst, k)
		dst = binary.AppendUvarint(dst, uint64(len(vs)))
		for _, v := range vs {
			dst = appendString(dst, v)
		}
	}
	return append(dst, e.Body...)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// Decode parses an entry written by Encode. The body aliases b.
func Decode(b []byte) (*Entry, error) {
	d := decoder{b: b}
	e := &Entry{Status: int(d.uvarint())}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(b)) {
		return nil, errCorrupt
	}
	e.Header = make(http.Header, n)
	for range n {
		k := d.str()
		c := d.uvarint()
		if d.err != nil || c > uint64(len(b)) {
			return nil, errCorrupt
		}
		vs := make([]string, c)
		for i := range vs {
			vs[i] = d.str()
		}
		e.Header[k] = vs
	}
	if d.err != nil {
		return nil, errCorrupt
	}
	e.Body = d.b
	return e, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// RedisOrMemory returns a Redis store on client, or an in-process store
// when client is nil (the embedded default).
func RedisOrMemory(client Client, prefix string) Store {
	if client == nil || isNilClient(client) {
		return NewMemory(nil)
	}
	return NewRedis(client, prefix)
}
