// Package authz decides whether a principal may perform an action on a
// resource. Policies are IAM-style JSON documents (policy_doc.go); the
// policies that apply to a principal are compiled to a Casbin enforcer
// with the conditions as Go functions (policy_engine.go), and decisions are
// cached per policy-set version (Authorizer).
//
// Resources are TRNs, trn:turnpike:<tenantId>:<resource path>, e.g.
// trn:turnpike:tnt_x:apis/a1b2/stages/prod. Actions are service:Operation,
// e.g. apigw:CreateApi or iam:ListAccessKeys; they match case-insensitively.
// A resource outside the principal's tenant is never allowed, whatever a
// policy says.
package authz

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/reqctx"
)

// TRNPrefix starts every resource name.
const TRNPrefix = "trn:turnpike:"

// IAM actions of the session and access keys; the apigw actions belong to
// the APIs domain, the other IAM actions to the IAM admin routes.
const (
	ActionGetSession      = "iam:GetSession"
	ActionChangePassword  = "iam:ChangePassword"
	ActionListAccessKeys  = "iam:ListAccessKeys"
	ActionCreateAccessKey = "iam:CreateAccessKey"
	ActionGetAccessKey    = "iam:GetAccessKey"
	ActionUpdateAccessKey = "iam:UpdateAccessKey"
	ActionDeleteAccessKey = "iam:DeleteAccessKey"
)

// SelfServiceActions are allowed to every authenticated principal whatever
// its policies (like AWS's sts:GetCallerIdentity): who am I, and change my
// own password.
var SelfServiceActions = []string{ActionGetSession, ActionChangePassword}

// ErrForbidden is the answer to a denied request; its message names the
// action and resource.
var ErrForbidden = apierr.Forbidden("auth.forbidden", "You are not allowed to perform this action.")

// ErrPasswordResetRequired refuses everything but self-service to a user
// whose password must be changed first.
var ErrPasswordResetRequired = apierr.Forbidden("auth.password-reset-required",
	"You must change your password before doing anything else: in the console, user menu → Change password; over the API, POST /v1/auth/password.")

// TRN names resource (a path such as apis/a1b2) within tenantID.
func TRN(tenantID, resource string) string { return TRNPrefix + tenantID + ":" + resource }

// PrincipalPolicies is what a Source knows of a principal.
type PrincipalPolicies struct {
	PolicySet
	// PasswordResetRequired refuses everything but self-service actions.
	PasswordResetRequired bool
	// Groups are the names of the user's groups, the values of
	// turnpike:PrincipalGroups.
	Groups []string
}

// Source finds the policies of principals.
type Source interface {
	// PolicyVersion is a number that changes whenever anything deciding
	// the policies of the tenant's principals changes (a policy, an
	// attachment, a group membership, a role, a password-reset flag).
	PolicyVersion(ctx context.Context, tenantID string) (int64, error)
	// PrincipalPolicies returns the policies that apply to p.
	PrincipalPolicies(ctx context.Context, p *reqctx.Principal) (*PrincipalPolicies, error)
}

// Cache bounds: when full, a cache is emptied (cheap, and correct since
// every entry can be rebuilt).
const (
	maxCompiledEntries = 4096
	maxDecisionEntries = 65536
)

// Authorizer implements the API's Authorizer over a Source. Compiled
// policy sets are cached by (tenant, user, access key, policy version) and
// decisions additionally by action, resource and every condition input, so
// a change bumps the version and takes effect on the next request.
type Authorizer struct {
	src Source
	now func() time.Time

	mu        sync.Mutex
	compiled  map[string]*compiledEntry
	decisions map[string]Result
}

type compiledEntry struct {
	c             *Compiled
	resetRequired bool
	groups        []string
}

// NewAuthorizer returns an Authorizer over src.
func NewAuthorizer(src Source) *Authorizer {
	return &Authorizer{src: src, now: time.Now, compiled: map[string]*compiledEntry{}, decisions: map[string]Result{}}
}

// New returns an Authorizer that knows only the built-in roles: a
// principal's Roles map to their managed policies. For tests and tools
// without a database.
func New() (*Authorizer, error) { return NewAuthorizer(RolesSource{}), nil }

// RolesSource resolves a principal's built-in roles to managed policies;
// its version never changes.
type RolesSource struct{}

// PolicyVersion implements Source.
func (RolesSource) PolicyVersion(context.Context, string) (int64, error) { return 0, nil }

// PrincipalPolicies implements Source.
func (RolesSource) PrincipalPolicies(_ context.Context, p *reqctx.Principal) (*PrincipalPolicies, error) {
	return &PrincipalPolicies{PolicySet: PolicySet{Identity: BuiltinRolePolicies(p.Roles)}}, nil
}

// BuiltinRolePolicies returns the managed policies of the built-in roles
// among roles, without repeats.
func BuiltinRolePolicies(roles []string) []Policy {
	var out []Policy
	seen := map[string]bool{}
	for _, r := range roles {
		for _, name := range BuiltinRoles[r] {
			if m, ok := Managed(name); ok && !seen[name] {
				seen[name] = true
				out = append(out, m.AsPolicy())
			}
		}
	}
	return out
}

// Authorize implements the API's Authorizer: resource is a path within the
// principal's tenant (apis/a1b2), or a full TRN, whose tenant must then be
// the principal's.
func (a *Authorizer) Authorize(ctx context.Context, p *reqctx.Principal, action, resource string) error {
	trn := resource
	if !strings.HasPrefix(resource, TRNPrefix) {
		trn = TRN(p.TenantID, resource)
	}
	res, err := a.Decide(ctx, p, action, trn)
	if err != nil {
		return err
	}
	if res.Decision != Allowed {
		return ErrForbidden.WithMessage("You are not allowed to perform %s on %s.", action, trn)
	}
	return nil
}

// Decide evaluates one request of p, with the context taken from p and the
// resource.
func (a *Authorizer) Decide(ctx context.Context, p *reqctx.Principal, action, trn string) (Result, error) {
	if p == nil || p.TenantID == "" || p.UserID == "" {
		return Result{Decision: ImplicitDeny}, nil
	}
	selfService := slices.ContainsFunc(SelfServiceActions, func(s string) bool { return strings.EqualFold(s, action) })
	if selfService && trnTenant(trn) == p.TenantID {
		return Result{Decision: Allowed}, nil
	}
	entry, key, err := a.compile(ctx, p)
	if err != nil {
		return Result{}, err
	}
	if entry.resetRequired {
		return Result{}, ErrPasswordResetRequired
	}
	// Only a set that reads the clock needs it (and then is not cached).
	req := a.request(ctx, p, action, trn, entry.groups, entry.c.timeDependent)
	// Decisions that read the clock would each be a new entry.
	if entry.c.timeDependent {
		res, err := entry.c.Evaluate(req)
		if err != nil {
			return Result{}, apierr.Internal.Errorf("%w", err)
		}
		return res, nil
	}
	dkey := entry.c.decisionKey(key, req)
	a.mu.Lock()
	res, ok := a.decisions[dkey]
	a.mu.Unlock()
	if ok {
		return res, nil
	}
	res, err = entry.c.Evaluate(req)
	if err != nil {
		return Result{}, apierr.Internal.Errorf("%w", err)
	}
	a.mu.Lock()
	if len(a.decisions) >= maxDecisionEntries {
		clear(a.decisions)
	}
	a.decisions[dkey] = res
	a.mu.Unlock()
	return res, nil
}

// ErrSimulateContext is the 422 for a simulation context that names an
// unknown key or a value the key cannot hold.
var ErrSimulateContext = apierr.Unprocessable("simulate.invalid", "Invalid simulation request.")

// Simulate evaluates a request of p with the given context values added
// to (and overriding) those of the request being served, without the
// cache and without the self-service exemption. A multi-valued key takes
// every value given, a single-valued key exactly one; an empty list
// removes a key. Setting one of aws:CurrentTime and aws:EpochTime sets
// the other to the same instant.
func (a *Authorizer) Simulate(ctx context.Context, p *reqctx.Principal, action, trn string, extra map[string][]string) (Result, error) {
	if err := CheckContextOverride(extra); err != nil {
		return Result{}, err
	}
	pp, err := a.src.PrincipalPolicies(ctx, p)
	if err != nil {
		return Result{}, err
	}
	c, err := Compile(pp.PolicySet)
	if err != nil {
		return Result{}, apierr.Internal.Errorf("%w", err)
	}
	req := a.request(ctx, p, action, trn, pp.Groups, true)
	for k, vals := range extra {
		ki, _ := lookupKey(k)
		switch {
		case ki.multi:
			req.Lists[ki.name] = vals
		case len(vals) == 0:
			delete(req.Context, ki.name)
		default:
			req.Context[ki.name] = vals[0]
		}
		if ki.name == KeyCurrentTime || ki.name == KeyEpochTime {
			delete(req.Context, KeyCurrentTime)
			delete(req.Context, KeyEpochTime)
			if len(vals) == 1 {
				t, _ := parseDate(vals[0])
				setTime(req.Context, t)
			}
		}
	}
	return c.Evaluate(req)
}

// CheckContextOverride checks a simulation's context: known keys, one
// value for a single-valued key, and values of the key's kind.
func CheckContextOverride(extra map[string][]string) error {
	e := ErrSimulateContext
	bad := false
	for k, vals := range extra {
		at := "context." + k
		ki, ok := lookupKey(k)
		switch {
		case !ok:
			e, bad = e.WithDetail(at, "unknown-key", "Unknown condition key "+strconv.Quote(k)+"; known: "+strings.Join(ContextKeys, ", ")+"."), true
		case !ki.multi && len(vals) > 1:
			e, bad = e.WithDetail(at, "invalid", ki.name+" takes one value."), true
		case len(vals) == 1 && len(ki.fams) > 0:
			if msg := checkConditionValue(ki.fams[0], vals[0]); msg != "" {
				e, bad = e.WithDetail(at, "invalid-value", msg), true
			}
		}
	}
	if bad {
		return e
	}
	return nil
}

// request is the question of p acting on trn, with the context of the
// request being served (its transport, ctx), of p and, withTime, the time.
func (a *Authorizer) request(ctx context.Context, p *reqctx.Principal, action, trn string, groups []string, withTime bool) Request {
	rc := RequestContext(p, trn)
	if withTime {
		setTime(rc, a.now())
	}
	if secure, ok := SecureTransportFrom(ctx); ok {
		rc[KeySecureTransport] = strconv.FormatBool(secure)
	}
	lists := map[string][]string{}
	if groups != nil {
		lists[KeyPrincipalGroups] = groups
	}
	return Request{TenantID: p.TenantID, Action: action, Resource: trn, Context: rc, Lists: lists}
}

func setTime(rc map[string]string, t time.Time) {
	rc[KeyCurrentTime] = t.UTC().Format(time.RFC3339)
	rc[KeyEpochTime] = strconv.FormatInt(t.Unix(), 10)
}

type transportKey struct{}

// WithSecureTransport returns ctx saying whether the request being served
// came over TLS (aws:SecureTransport).
func WithSecureTransport(ctx context.Context, secure bool) context.Context {
	return context.WithValue(ctx, transportKey{}, secure)
}

// SecureTransportFrom returns what WithSecureTransport said, if anything.
func SecureTransportFrom(ctx context.Context) (secure, ok bool) {
	secure, ok = ctx.Value(transportKey{}).(bool)
	return secure, ok
}

// compile returns p's compiled policy set for the tenant's current
// version.
func (a *Authorizer) compile(ctx context.Context, p *reqctx.Principal) (*compiledEntry, string, error) {
	v, err := a.src.PolicyVersion(ctx, p.TenantID)
	if err != nil {
		return nil, "", apierr.Internal.Errorf("policy version of tenant %s: %w", p.TenantID, err)
	}
	key := p.TenantID + "\x00" + p.UserID + "\x00" + p.AccessKeyID + "\x00" + strings.Join(p.Roles, ",") + "\x00" + strconv.FormatInt(v, 10)
	a.mu.Lock()
	e, ok := a.compiled[key]
	a.mu.Unlock()
	if ok {
		return e, key, nil
	}
	pp, err := a.src.PrincipalPolicies(ctx, p)
	if err != nil {
		return nil, "", err
	}
	c, err := Compile(pp.PolicySet)
	if err != nil {
		return nil, "", apierr.Internal.Errorf("compiling policies of %s: %w", p.UserID, err)
	}
	e = &compiledEntry{c: c, resetRequired: pp.PasswordResetRequired, groups: pp.Groups}
	a.mu.Lock()
	if len(a.compiled) >= maxCompiledEntries {
		clear(a.compiled)
		clear(a.decisions)
	}
	a.compiled[key] = e
	a.mu.Unlock()
	return e, key, nil
}

// decisionKey names a decision by the set, action, resource and the
// values of the context keys the set reads (only those can change it).
func (c *Compiled) decisionKey(setKey string, req Request) string {
	var b strings.Builder
	b.WriteString(setKey)
	b.WriteByte(0)
	b.WriteString(strings.ToLower(req.Action))
	b.WriteByte(0)
	b.WriteString(req.Resource)
	keys := make([]string, 0, len(req.Context)+len(req.Lists))
	for k := range req.Context {
		keys = append(keys, k)
	}
	for k := range req.Lists {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !c.keys[strings.ToLower(k)] {
			continue
		}
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		if v, ok := req.Context[k]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(strings.Join(req.Lists[k], "\x01"))
		}
	}
	return b.String()
}

// RequestContext is the condition context of p acting on trn.
func RequestContext(p *reqctx.Principal, trn string) map[string]string {
	c := map[string]string{
		KeyPrincipalID:   p.UserID,
		KeyPrincipalType: PrincipalTypeUser,
		KeyTenantID:      p.TenantID,
	}
	if p.Email != "" {
		c[KeyEmail] = p.Email
	}
	if p.SourceIP != "" {
		c[KeySourceIP] = p.SourceIP
	}
	if p.AccessKeyID != "" {
		c[KeyPrincipalType] = PrincipalTypeAccessKey
		c[KeyAccessKeyID] = p.AccessKeyID
	}
	if _, after, ok := strings.Cut(trn, "/stages/"); ok {
		stage, _, _ := strings.Cut(after, "/")
		if stage != "" && !strings.ContainsAny(stage, "*?") {
			c[KeyStageName] = stage
		}
	}
	return c
}

// trnTenant(trn string) is the tenant part of a TRN, or "" when trn is not
// one.
func trnTenantFunc(args ...any) (any, error) {
	if len(args) != 1 {
		return "", nil
	}
	s, _ := args[0].(string)
	return trnTenant(s), nil
}

func trnTenant(trn string) string {
	rest, ok := strings.CutPrefix(trn, TRNPrefix)
	if !ok {
		return ""
	}
	tenant, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return tenant
}

// wildcardMatch matches s against an IAM pattern: * is any run of
// characters (also across / and :), ? is one character. It runs in
// O(len(s)·len(pattern)) at worst, without regular expressions.
func wildcardMatch(s, pattern string) bool {
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
