package recovery

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/turnpike/turnpike/gateway/pipeline"
)

func TestRecover(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	testCases := []struct {
		desc       string
		next       pipeline.HandlerFunc
		wantStatus int
	}{
		{desc: "no panic", next: func(http.ResponseWriter, *http.Request) error { return nil }},
		{desc: "panic becomes 500", next: func(http.ResponseWriter, *http.Request) error { panic("boom") }, wantStatus: 500},
		{desc: "error passes through", next: func(http.ResponseWriter, *http.Request) error {
			return pipeline.Errorf(404, pipeline.CodeNotFound, "x")
		}, wantStatus: 404},
	}
	for _, test := range testCases {
		t.Run(test.desc, func(t *testing.T) {
			err := New(logger)(test.next).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			if test.wantStatus == 0 {
				require.NoError(t, err)
				return
			}
			var he *pipeline.HandlerError
			require.True(t, errors.As(err, &he))
			assert.Equal(t, test.wantStatus, he.Status)
		})
	}
}

func TestRecoverLetsAbortHandlerThrough(t *testing.T) {
	h := New(slog.New(slog.DiscardHandler))(pipeline.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
		panic(http.ErrAbortHandler)
	}))
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		_ = h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	})
}
