package requestid

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/pipeline"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestID(t *testing.T) {
	testCases := []struct {
		desc     string
		incoming string
		keep     bool
	}{
		{desc: "generated when absent"},
		{desc: "caller's id is kept", incoming: "abc-123", keep: true},
		{desc: "id with spaces is replaced", incoming: "a b"},
		{desc: "id with quotes is replaced", incoming: `a"b`},
		{desc: "overlong id is replaced", incoming: strings.Repeat("a", 129)},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			ex := &pipeline.Exchange{}
			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(pipeline.WithExchange(r.Context(), ex))
			if test.incoming != "" {
				r.Header.Set(Header, test.incoming)
			}
			var forwarded string
			w := httptest.NewRecorder()
			err := New()(pipeline.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) error {
				forwarded = r.Header.Get(Header)
				return nil
			})).ServeHTTP(w, r)
			require.NoError(t, err)

			if test.keep {
				assert.Equal(t, test.incoming, ex.RequestID)
			} else {
				assert.Regexp(t, uuidRE, ex.RequestID)
			}
			assert.Equal(t, ex.RequestID, forwarded)
			assert.Equal(t, ex.RequestID, w.Header().Get(Header))
		})
	}
}

func TestNewIDIsUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		require.Regexp(t, uuidRE, id)
		require.False(t, seen[id])
		seen[id] = true
	}
}
