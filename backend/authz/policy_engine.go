package authz

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
)

//go:embed policy_model.conf
var policyModelConf string

// Decision is the outcome of an evaluation.
type Decision string

// Decisions, as the simulator names them.
const (
	Allowed      Decision = "allowed"
	ExplicitDeny Decision = "explicitDeny"
	ImplicitDeny Decision = "implicitDeny"
)

// Policy is a named document that applies to a principal.
type Policy struct {
	ID       string
	Name     string
	Document *Document
}

// PolicySet is every policy that applies to one principal.
type PolicySet struct {
	// Identity are the user's policies: attached to the user, to its
	// groups and to its roles.
	Identity []Policy
	// Session, when set (an access key created with a session policy),
	// narrows Identity: an action is allowed only when both allow it.
	Session *Policy
}

// Request is one question: may the principal whose context this is
// perform Action on Resource (a full TRN)?
type Request struct {
	TenantID string
	Action   string
	Resource string
	// Context holds the single-valued condition keys' values
	// (ContextKeys); absent keys are missing from the request.
	Context map[string]string
	// Lists holds the multi-valued keys' values (turnpike:PrincipalGroups).
	Lists map[string][]string
}

// MatchedStatement names the statement that decided.
type MatchedStatement struct {
	PolicyID   string `json:"policyId"`
	PolicyName string `json:"policyName"`
	Sid        string `json:"sid"`
	Effect     string `json:"effect"`
}

// Result is a decision and the statement that made it (nil for an
// implicit deny).
type Result struct {
	Decision Decision
	Matched  *MatchedStatement
}

const (
	setIdentity = "identity"
	setSession  = "session"
	noCondition = "-"
)

// Compiled is a PolicySet compiled to a Casbin enforcer; the conditions,
// which Casbin cannot express, are Go functions the matcher calls. It is
// safe for concurrent use and never changes after Compile.
type Compiled struct {
	e       *casbin.SyncedEnforcer
	refs    []MatchedStatement
	conds   []condition
	session bool
	// notActions and notResources are the lists of NotAction and
	// NotResource elements; a rule names one as "!<index>".
	notActions   [][]string
	notResources [][]string
	// keys are the (lower-cased) context keys any condition or policy
	// variable reads: the only ones a decision depends on.
	keys map[string]bool
	// timeDependent is set when a condition reads the clock: its decisions
	// are not cached.
	timeDependent bool
}

// condition is one statement's Condition block: every operator and key
// must hold.
type condition []condTest

// notPrefix starts a rule's action or resource that stands for a NotAction
// or NotResource list; neither an action nor a resource can start so.
const notPrefix = "!"

// evalCtx is what the matcher functions see of the request.
type evalCtx struct {
	vals map[string][]string // lower-cased keys
}

// ruleAdapter is a read-only Casbin adapter over compiled rules.
type ruleAdapter struct{ rules [][]string }

func (a *ruleAdapter) LoadPolicy(m model.Model) error {
	for _, r := range a.rules {
		if err := persist.LoadPolicyArray(r, m); err != nil {
			return err
		}
	}
	return nil
}

var errReadOnlyAdapter = fmt.Errorf("authz: the compiled policy adapter is read-only")

func (a *ruleAdapter) SavePolicy(model.Model) error             { return errReadOnlyAdapter }
func (a *ruleAdapter) AddPolicy(string, string, []string) error { return errReadOnlyAdapter }
func (a *ruleAdapter) RemovePolicy(string, string, []string) error {
	return errReadOnlyAdapter
}
func (a *ruleAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnlyAdapter
}

// Compile turns the set into Casbin rules: one per statement, action and
// resource: p, set, resource, action (lower-cased), allow|deny, condition
// index, statement index.
func Compile(set PolicySet) (*Compiled, error) {
	c := &Compiled{session: set.Session != nil, keys: map[string]bool{}}
	var rules [][]string
	add := func(setName string, p Policy) error {
		if p.Document == nil {
			return fmt.Errorf("policy %s has no document", p.ID)
		}
		for _, s := range p.Document.Statement {
			ref := strconv.Itoa(len(c.refs))
			c.refs = append(c.refs, MatchedStatement{PolicyID: p.ID, PolicyName: p.Name, Sid: s.Sid, Effect: s.Effect})
			cond := noCondition
			if len(s.Condition) > 0 {
				cc, err := c.compileCondition(s.Condition)
				if err != nil {
					return fmt.Errorf("policy %s: %w", p.ID, err)
				}
				cond = strconv.Itoa(len(c.conds))
				c.conds = append(c.conds, cc)
			}
			eft := "allow"
			if s.Effect == EffectDeny {
				eft = "deny"
			}
			acts := make([]string, 0, len(s.Action))
			for _, a := range s.Action {
				acts = append(acts, strings.ToLower(a))
			}
			if s.NotAction != nil {
				lower := make([]string, len(s.NotAction))
				for i, a := range s.NotAction {
					lower[i] = strings.ToLower(a)
				}
				acts = []string{notPrefix + strconv.Itoa(len(c.notActions))}
				c.notActions = append(c.notActions, lower)
			}
			ress := []string(s.Resource)
			if s.NotResource != nil {
				ress = []string{notPrefix + strconv.Itoa(len(c.notResources))}
				c.notResources = append(c.notResources, s.NotResource)
			}
			for _, r := range append(slices.Clone(s.Resource), s.NotResource...) {
				for _, m := range variableRE.FindAllStringSubmatch(r, -1) {
					c.keys[strings.ToLower(m[1])] = true
				}
			}
			for _, a := range acts {
				for _, r := range ress {
					rules = append(rules, []string{"p", setName, r, a, eft, cond, ref})
				}
			}
		}
		return nil
	}
	for _, p := range set.Identity {
		if err := add(setIdentity, p); err != nil {
			return nil, err
		}
	}
	if set.Session != nil {
		if err := add(setSession, *set.Session); err != nil {
			return nil, err
		}
	}
	m, err := model.NewModelFromString(policyModelConf)
	if err != nil {
		return nil, fmt.Errorf("loading authz model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, &ruleAdapter{rules: rules})
	if err != nil {
		return nil, fmt.Errorf("loading compiled policies: %w", err)
	}
	e.AddFunction("trnTenant", trnTenantFunc)
	e.AddFunction("iamAction", c.actionFunc)
	e.AddFunction("iamResource", c.resourceFunc)
	e.AddFunction("iamCondition", c.conditionFunc)
	c.e = e
	return c, nil
}

func (c *Compiled) compileCondition(block map[string]map[string]StringList) (condition, error) {
	var out condition
	for op, keys := range block {
		for key, vals := range keys {
			t, ok := compileTest(op, key, vals)
			if !ok {
				return nil, fmt.Errorf("condition %s %s: invalid operator or value", op, key)
			}
			c.keys[t.key] = true
			c.timeDependent = c.timeDependent || t.usesTime()
			out = append(out, t)
		}
	}
	return out, nil
}

// Evaluate decides req: an explicit Deny in any policy wins; otherwise an
// Allow is needed in the identity policies and, when there is one, in the
// session policy; otherwise the request is implicitly denied.
func (c *Compiled) Evaluate(req Request) (Result, error) {
	if req.TenantID == "" || trnTenant(req.Resource) != req.TenantID {
		return Result{Decision: ImplicitDeny}, nil
	}
	ec := &evalCtx{vals: make(map[string][]string, len(req.Context)+len(req.Lists))}
	for k, v := range req.Context {
		ec.vals[strings.ToLower(k)] = []string{v}
	}
	for k, v := range req.Lists {
		ec.vals[strings.ToLower(k)] = v
	}
	act := strings.ToLower(req.Action)
	id, err := c.enforce(setIdentity, req, act, ec)
	if err != nil || id.Decision == ExplicitDeny || !c.session {
		return id, err
	}
	ses, err := c.enforce(setSession, req, act, ec)
	if err != nil || ses.Decision != Allowed {
		return ses, err
	}
	return id, nil
}

func (c *Compiled) enforce(set string, req Request, act string, ec *evalCtx) (Result, error) {
	ok, explain, err := c.e.EnforceEx(set, req.TenantID, req.Resource, act, ec)
	if err != nil {
		return Result{}, fmt.Errorf("enforcing %s on %s: %w", req.Action, req.Resource, err)
	}
	var matched *MatchedStatement
	if len(explain) == 6 {
		if i, err := strconv.Atoi(explain[5]); err == nil && i >= 0 && i < len(c.refs) {
			m := c.refs[i]
			matched = &m
		}
	}
	switch {
	case ok:
		return Result{Decision: Allowed, Matched: matched}, nil
	case matched != nil && matched.Effect == EffectDeny:
		return Result{Decision: ExplicitDeny, Matched: matched}, nil
	default:
		return Result{Decision: ImplicitDeny}, nil
	}
}

// iamAction(requested, pattern): both lower-cased by the compiler and the
// evaluator. A pattern "!<i>" is NotAction list i: it matches every action
// that none of the list's patterns matches.
func (c *Compiled) actionFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("iamAction: want 2 arguments, got %d", len(args))
	}
	s, _ := args[0].(string)
	p, _ := args[1].(string)
	if idx, ok := strings.CutPrefix(p, notPrefix); ok {
		list, err := listAt(c.notActions, idx)
		if err != nil {
			return false, err
		}
		return !slices.ContainsFunc(list, func(x string) bool { return wildcardMatch(s, x) }), nil
	}
	return wildcardMatch(s, p), nil
}

func listAt(lists [][]string, idx string) ([]string, error) {
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(lists) {
		return nil, fmt.Errorf("authz: bad list index %q", idx)
	}
	return lists[i], nil
}

// iamResource(requested, pattern, effect, ctx): the pattern's policy
// variables are replaced from ctx. A requested resource may itself hold
// wildcards (a route whose stage is chosen in the body asks for
// apis/a1/stages/*): an Allow must cover it literally, while a Deny applies
// as soon as it could cover part of it.
//
// A pattern "!<i>" is NotResource list i: the statement applies to the
// resources none of the list covers. Failing safe both ways, an Allow
// applies to a wildcard request only when no listed pattern could cover
// part of it, and a Deny unless one listed pattern covers all of it; a
// listed pattern whose variable has no value keeps an Allow from applying
// and excludes nothing from a Deny.
func (c *Compiled) resourceFunc(args ...any) (any, error) {
	if len(args) != 4 {
		return false, fmt.Errorf("iamResource: want 4 arguments, got %d", len(args))
	}
	s, _ := args[0].(string)
	p, _ := args[1].(string)
	eft, _ := args[2].(string)
	ec, _ := args[3].(*evalCtx)
	idx, not := strings.CutPrefix(p, notPrefix)
	if !not {
		m, _ := resourceMatch(s, p, eft == "deny", ec)
		return m, nil
	}
	list, err := listAt(c.notResources, idx)
	if err != nil {
		return false, err
	}
	// For an Allow on a wildcard request any overlap excludes it.
	allow := eft != "deny"
	for _, x := range list {
		m, resolved := resourceMatch(s, x, allow, ec)
		if m || (!resolved && allow) {
			return false, nil
		}
	}
	return true, nil
}

// resourceMatch matches the requested resource s against pattern p:
// whether p covers s, or with overlap whether it could cover part of s (s
// holding wildcards). A pattern whose variable has no value matches
// nothing (resolved is then false).
func resourceMatch(s, p string, overlap bool, ec *evalCtx) (match, resolved bool) {
	if p == "*" {
		return true, true
	}
	if strings.Contains(p, "${") {
		var ok bool
		if p, ok = substituteVariables(p, ec); !ok {
			return false, false
		}
	}
	if overlap && strings.ContainsAny(s, "*?") {
		return globsIntersect(s, p), true
	}
	return wildcardMatch(s, p), true
}

func substituteVariables(p string, ec *evalCtx) (string, bool) {
	ok := true
	out := variableRE.ReplaceAllStringFunc(p, func(m string) string {
		key := strings.ToLower(m[2 : len(m)-1])
		v, has := "", false
		if ec != nil && len(ec.vals[key]) == 1 {
			v, has = ec.vals[key][0], true
		}
		if !has || v == "" || strings.ContainsAny(v, "*?") {
			ok = false
		}
		return v
	})
	return out, ok
}

// conditionFunc is iamCondition(ctx, index).
func (c *Compiled) conditionFunc(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("iamCondition: want 2 arguments, got %d", len(args))
	}
	ec, _ := args[0].(*evalCtx)
	idx, _ := args[1].(string)
	if idx == noCondition {
		return true, nil
	}
	i, err := strconv.Atoi(idx)
	if err != nil || i < 0 || i >= len(c.conds) {
		return false, fmt.Errorf("iamCondition: bad index %q", idx)
	}
	if ec == nil {
		ec = &evalCtx{}
	}
	for _, t := range c.conds[i] {
		if !t.holds(ec) {
			return false, nil
		}
	}
	return true, nil
}

// globsIntersect reports whether some string matches both IAM patterns a
// and b (* any run, ? one character).
func globsIntersect(a, b string) bool {
	memo := make(map[[2]int]bool)
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		memo[k] = false
		res := false
		switch {
		case i == len(a) && j == len(b):
			res = true
		case i < len(a) && a[i] == '*':
			res = rec(i+1, j) || (j < len(b) && rec(i, j+1))
		case j < len(b) && b[j] == '*':
			res = rec(i, j+1) || (i < len(a) && rec(i+1, j))
		case i < len(a) && j < len(b) && (a[i] == b[j] || a[i] == '?' || b[j] == '?'):
			res = rec(i+1, j+1)
		}
		memo[k] = res
		return res
	}
	return rec(0, 0)
}
