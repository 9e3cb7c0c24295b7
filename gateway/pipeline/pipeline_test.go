package pipeline

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func record(name string, order *[]string) Stage {
	return func(next Handler) Handler {
		return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			*order = append(*order, name)
			return next.ServeHTTP(w, r)
		})
	}
}

func TestChain(t *testing.T) {
	var order []string
	stop := func(next Handler) Handler {
		return HandlerFunc(func(http.ResponseWriter, *http.Request) error {
			order = append(order, "stop")
			return Errorf(http.StatusNotFound, CodeNotFound, "no route")
		})
	}
	h := Chain(record("a", &order), record("b", &order), stop, record("never", &order))
	err := h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))

	assert.Equal(t, []string{"a", "b", "stop"}, order)
	var he *HandlerError
	require.True(t, errors.As(err, &he))
	assert.Equal(t, http.StatusNotFound, he.Status)
	assert.Equal(t, "404 not_found: no route", err.Error())
}

func TestChainWithoutTerminalStage(t *testing.T) {
	var order []string
	err := Chain(record("a", &order)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	var he *HandlerError
	require.True(t, errors.As(err, &he))
	assert.Equal(t, http.StatusInternalServerError, he.Status)
}

func TestExchangeFromContext(t *testing.T) {
	ex := &Exchange{RequestID: "r1"}
	r := httptest.NewRequest("GET", "/", nil)
	assert.Empty(t, ExchangeFrom(r.Context()).RequestID)
	r = r.WithContext(WithExchange(r.Context(), ex))
	assert.Same(t, ex, ExchangeFrom(r.Context()))
}
