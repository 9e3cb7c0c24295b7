package iamauth

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/turnpike/turnpike/gateway/gwconfig"
	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// Error codes, for logs.
const (
	CodeMissingToken = "iam_missing_token"
	CodeInvalidToken = "iam_invalid_token"
	CodeDenied       = "iam_denied"
)

// Bodies as API Gateway words them for IAM-authorized methods (all 403:
// API Gateway answers a missing or bad credential of an AWS_IAM method
// with 403, not 401).
var (
	bodyMissingToken = []byte(`{"message":"Missing Authentication Token"}`)
	bodyInvalidToken = []byte(`{"message":"The security token included in the request is invalid."}`)

	errMissingToken = &pipeline.HandlerError{Status: http.StatusForbidden, Code: CodeMissingToken, Body: bodyMissingToken}
	errInvalidToken = &pipeline.HandlerError{Status: http.StatusForbidden, Code: CodeInvalidToken, Body: bodyInvalidToken}
)

// Store holds the current Index; the gateway swaps it when the fleet
// publishes new grants.
type Store struct {
	idx    atomic.Pointer[Index]
	loaded atomic.Bool
	now    func() time.Time
}

// NewStore returns an empty, not yet loaded Store.
func NewStore() *Store {
	s := &Store{now: time.Now}
	s.idx.Store(Compile(nil))
	return s
}

// Swap publishes a new index and marks the store loaded.
func (s *Store) Swap(idx *Index) {
	s.idx.Store(idx)
	s.loaded.Store(true)
}

// Loaded reports whether the first index has been swapped in.
func (s *Store) Loaded() bool { return s.loaded.Load() }

// Index is the current index.
func (s *Store) Index() *Index { return s.idx.Load() }

type keyCtx struct{}

// KeyFrom returns the key the stage authenticated the request with, or
// nil.
func KeyFrom(ctx context.Context) *Key {
	k, _ := ctx.Value(keyCtx{}).(*Key)
	return k
}

// New returns the stage. It runs after resolve and endpoint access, before
// API keys and throttles (so an unauthenticated caller never spends a
// key's quota). Routes that are not AWS_IAM pass untouched. An authorized
// request goes on without its Authorization header: the token is a
// control-plane credential and must not reach the integration.
func New(store *Store) pipeline.Stage {
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			ex := pipeline.ExchangeFrom(r.Context())
			rt := ex.Match.Route
			if rt == nil || rt.Config.AuthorizationType != gwconfig.AuthorizationAWSIAM {
				return next.ServeHTTP(w, r)
			}
			st := ex.Match.Stage
			token, present := bearer(r)
			if !present {
				return errMissingToken
			}
			k := store.Index().Lookup(st.Config.TenantID, token, store.now())
			if k == nil {
				return errInvalidToken
			}
			// Named before the decision, so a denied call's log line says who.
			ex.IAMPrincipalID, ex.IAMAccessKeyID = k.PrincipalID, k.AccessKeyID
			res := Resource(r, st)
			if d := k.Decide(Invoke, res, sourceAddr(r.RemoteAddr)); d != Allowed {
				return denied(k, Invoke, res, d)
			}
			r.Header.Del("Authorization")
			r = r.WithContext(context.WithValue(r.Context(), keyCtx{}, k))
			return next.ServeHTTP(w, r)
		})
	}
}

// InvalidateAllowed reports whether the caller may invalidate the cache
// entry of r (execute-api:InvalidateCache): with the key the stage
// authenticated, or, on methods that are not AWS_IAM, with a bearer token
// the request carries (removed from the request when it is a key of the
// tenant). A caller without a valid key is not allowed.
func (s *Store) InvalidateAllowed(r *http.Request, m *router.Match) bool {
	if m == nil || m.Stage == nil {
		return false
	}
	k := KeyFrom(r.Context())
	if k == nil {
		token, ok := bearer(r)
		if !ok {
			return false
		}
		if k = s.Index().Lookup(m.Stage.Config.TenantID, token, s.now()); k == nil {
			return false
		}
		// A Turnpike access key is a control-plane credential: it goes no
		// further than the gateway, whatever the method.
		r.Header.Del("Authorization")
	}
	return k.Decide(InvalidateCache, Resource(r, m.Stage), sourceAddr(r.RemoteAddr)) == Allowed
}

// denied is the 403 of an authenticated caller whose policies do not
// allow the action, worded as API Gateway words it.
func denied(k *Key, a Action, resource string, d Decision) error {
	msg := "User: " + k.PrincipalID + " is not authorized to perform: " + a.String() + " on resource: " + resource
	if d == ExplicitDeny {
		msg += " with an explicit deny"
	}
	return &pipeline.HandlerError{Status: http.StatusForbidden, Code: CodeDenied, Body: messageBody(msg)}
}

func messageBody(msg string) []byte {
	var b strings.Builder
	b.WriteString(`{"message":"`)
	for _, c := range msg {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c < 0x20:
			b.WriteString(" ")
		default:
			b.WriteRune(c)
		}
	}
	b.WriteString(`"}`)
	return []byte(b.String())
}

// bearer returns the token of "Authorization: Bearer <token>"; present
// is false when the request has no Authorization header at all.
func bearer(r *http.Request) (token string, present bool) {
	vs := r.Header["Authorization"]
	if len(vs) == 0 || vs[0] == "" {
		return "", false
	}
	scheme, tok, ok := strings.Cut(vs[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// Resource is the execute-api resource name of r on stage st (see
// gwconfig/iam.go): the request path below the stage, without its leading
// slash.
func Resource(r *http.Request, st *router.Stage) string {
	c := st.Config
	p := strings.TrimPrefix(r.URL.Path, "/")
	p = strings.TrimPrefix(p, c.StageName)
	p = strings.TrimPrefix(p, "/")
	return gwconfig.ExecuteAPIResource(c.TenantID, c.APIID, c.StageName, r.Method, p)
}

func sourceAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(remote); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}
