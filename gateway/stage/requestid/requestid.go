// Package requestid gives every request an id: the caller's X-Request-Id
// when it is sane, a new UUID otherwise. The id is forwarded to the
// integration and returned to the caller.
package requestid

import (
	"math/rand/v2"
	"net/http"

	"github.com/turnpike/turnpike/gateway/pipeline"
)

// Header carries the request id both ways.
const Header = "X-Request-Id"

// New returns the request id stage.
func New() pipeline.Stage {
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			id := r.Header.Get(Header)
			if !valid(id) {
				id = NewID()
				r.Header[Header] = []string{id}
			}
			pipeline.ExchangeFrom(r.Context()).RequestID = id
			// Clipped, so appending to the response header cannot write into the
			// request header's backing array.
			w.Header()[Header] = r.Header[Header][:1:1]
			return next.ServeHTTP(w, r)
		})
	}
}

// valid accepts ids of 1-128 printable ASCII characters without spaces, so
// a caller cannot forge log lines or headers with one.
func valid(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

const hexDigits = "0123456789abcdef"

// NewID returns a random version 4 UUID. It uses the runtime's per-thread
// generator: request ids need to be unique, not secret.
func NewID() string {
	var u [16]byte
	a, b := rand.Uint64(), rand.Uint64()
	for i := 0; i < 8; i++ {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[c>>4], hexDigits[c&0x0f]
		j += 2
	}
	return string(s[:])
}
