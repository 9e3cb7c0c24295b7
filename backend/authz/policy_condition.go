package authz

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition operators. Any operator but Null may end in IfExists (a key
// missing from the request then passes), and may start with ForAnyValue:
// or ForAllValues: on a multi-valued key (turnpike:PrincipalGroups).
const (
	CondIPAddress                 = "IpAddress"
	CondNotIPAddress              = "NotIpAddress"
	CondStringEquals              = "StringEquals"
	CondStringNotEquals           = "StringNotEquals"
	CondStringEqualsIgnoreCase    = "StringEqualsIgnoreCase"
	CondStringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
	CondStringLike                = "StringLike"
	CondStringNotLike             = "StringNotLike"
	CondNumericEquals             = "NumericEquals"
	CondNumericNotEquals          = "NumericNotEquals"
	CondNumericLessThan           = "NumericLessThan"
	CondNumericLessThanEquals     = "NumericLessThanEquals"
	CondNumericGreaterThan        = "NumericGreaterThan"
	CondNumericGreaterThanEquals  = "NumericGreaterThanEquals"
	CondDateEquals                = "DateEquals"
	CondDateNotEquals             = "DateNotEquals"
	CondDateLessThan              = "DateLessThan"
	CondDateLessThanEquals        = "DateLessThanEquals"
	CondDateGreaterThan           = "DateGreaterThan"
	CondDateGreaterThanEquals     = "DateGreaterThanEquals"
	CondBool                      = "Bool"
	CondNull                      = "Null"

	// CondIfExists ends an operator whose key may be missing.
	CondIfExists = "IfExists"
	// CondForAnyValue starts an operator on a multi-valued key: some value
	// of the request must pass.
	CondForAnyValue = "ForAnyValue:"
	// CondForAllValues starts an operator on a multi-valued key: every
	// value of the request must pass (no value passes too).
	CondForAllValues = "ForAllValues:"
)

// opFamily is what an operator compares, and so which keys it applies to.
type opFamily int

const (
	famString opFamily = iota
	famNumeric
	famDate
	famBool
	famIP
	famNull
)

// cmp is how a request value relates to a condition value.
type cmp int

const (
	cmpEq cmp = iota
	cmpEqFold
	cmpLike
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

// opSpec is a base operator: its family, comparison and whether it is the
// negation of that comparison (StringNotEquals: no value equals).
type opSpec struct {
	fam     opFamily
	cmp     cmp
	negated bool
}

var baseOps = map[string]opSpec{
	CondStringEquals: {famString, cmpEq, false}, CondStringNotEquals: {famString, cmpEq, true},
	CondStringEqualsIgnoreCase: {famString, cmpEqFold, false}, CondStringNotEqualsIgnoreCase: {famString, cmpEqFold, true},
	CondStringLike: {famString, cmpLike, false}, CondStringNotLike: {famString, cmpLike, true},
	CondNumericEquals: {famNumeric, cmpEq, false}, CondNumericNotEquals: {famNumeric, cmpEq, true},
	CondNumericLessThan: {famNumeric, cmpLT, false}, CondNumericLessThanEquals: {famNumeric, cmpLE, false},
	CondNumericGreaterThan: {famNumeric, cmpGT, false}, CondNumericGreaterThanEquals: {famNumeric, cmpGE, false},
	CondDateEquals: {famDate, cmpEq, false}, CondDateNotEquals: {famDate, cmpEq, true},
	CondDateLessThan: {famDate, cmpLT, false}, CondDateLessThanEquals: {famDate, cmpLE, false},
	CondDateGreaterThan: {famDate, cmpGT, false}, CondDateGreaterThanEquals: {famDate, cmpGE, false},
	CondBool:      {famBool, cmpEq, false},
	CondIPAddress: {famIP, cmpEq, false}, CondNotIPAddress: {famIP, cmpEq, true},
	CondNull: {famNull, cmpEq, false},
}

// baseOpNames lists the base operators for error messages, in a stable
// order.
var baseOpNames = []string{
	CondStringEquals, CondStringNotEquals, CondStringEqualsIgnoreCase, CondStringNotEqualsIgnoreCase, CondStringLike, CondStringNotLike,
	CondNumericEquals, CondNumericNotEquals, CondNumericLessThan, CondNumericLessThanEquals, CondNumericGreaterThan, CondNumericGreaterThanEquals,
	CondDateEquals, CondDateNotEquals, CondDateLessThan, CondDateLessThanEquals, CondDateGreaterThan, CondDateGreaterThanEquals,
	CondBool, CondIPAddress, CondNotIPAddress, CondNull,
}

// condOp is a parsed operator name: [set:]base[IfExists].
type condOp struct {
	set      string // "", CondForAnyValue or CondForAllValues
	base     string
	ifExists bool
	spec     opSpec
}

// parseOp splits an operator name; ok is false for an unknown one.
func parseOp(name string) (condOp, bool) {
	var o condOp
	rest := name
	for _, p := range []string{CondForAnyValue, CondForAllValues} {
		if r, ok := strings.CutPrefix(rest, p); ok {
			o.set, rest = p, r
		}
	}
	if r, ok := strings.CutSuffix(rest, CondIfExists); ok && r != "" {
		o.ifExists, rest = true, r
	}
	spec, ok := baseOps[rest]
	if !ok || (o.ifExists && spec.fam == famNull) {
		return condOp{}, false
	}
	o.base, o.spec = rest, spec
	return o, true
}

// keyInfo describes a condition key: which operator families apply to it
// beyond the String and Null ones, and whether it holds a set of values.
type keyInfo struct {
	name  string
	fams  []opFamily
	multi bool
}

// contextKeyInfo is every condition key the engine fills.
var contextKeyInfo = []keyInfo{
	{name: KeySourceIP, fams: []opFamily{famIP}},
	{name: KeyPrincipalID}, {name: KeyPrincipalType}, {name: KeyAccessKeyID}, {name: KeyEmail}, {name: KeyTenantID},
	{name: KeyStageName},
	{name: KeyCurrentTime, fams: []opFamily{famDate}},
	{name: KeyEpochTime, fams: []opFamily{famDate, famNumeric}},
	{name: KeySecureTransport, fams: []opFamily{famBool}},
	{name: KeyPrincipalGroups, multi: true},
}

// lookupKey finds a key's description, ignoring case as AWS does.
func lookupKey(k string) (keyInfo, bool) {
	for _, ki := range contextKeyInfo {
		if strings.EqualFold(ki.name, k) {
			return ki, true
		}
	}
	return keyInfo{}, false
}

func (ki keyInfo) accepts(f opFamily) bool {
	if f == famString || f == famNull {
		return true
	}
	for _, x := range ki.fams {
		if x == f {
			return true
		}
	}
	return false
}

func keysOfFamily(f opFamily) string {
	var names []string
	for _, ki := range contextKeyInfo {
		for _, x := range ki.fams {
			if x == f {
				names = append(names, ki.name)
			}
		}
	}
	return strings.Join(names, ", ")
}

var familyNames = map[opFamily]string{famNumeric: "numbers", famDate: "dates", famBool: "booleans", famIP: "addresses"}

// validateCondition adds a detail per problem of one statement's
// Condition block; at is the statement's path (Statement[0].).
func validateCondition(at string, block map[string]map[string]StringList, add func(field, code, msg string)) {
	for opName, keys := range block {
		cat := at + "Condition." + opName
		op, ok := parseOp(opName)
		if !ok {
			add(cat, "unknown-operator", "Unknown condition operator "+strconv.Quote(opName)+"; known: "+strings.Join(baseOpNames, ", ")+
				", each but Null also with the IfExists suffix, and ForAnyValue:/ForAllValues: before any on a multi-valued key.")
			continue
		}
		if len(keys) == 0 {
			add(cat, "required", "Give at least one condition key.")
		}
		for key, vals := range keys {
			kat := cat + "." + key
			ki, known := lookupKey(key)
			if !known {
				add(kat, "unknown-key", "Unknown condition key "+strconv.Quote(key)+"; known: "+strings.Join(ContextKeys, ", ")+".")
				continue
			}
			if !ki.accepts(op.spec.fam) {
				// Reported on the operator: it is the wrong one for the key.
				add(cat, "invalid-key", op.base+" compares "+familyNames[op.spec.fam]+"; "+ki.name+" is not one (use it with: "+
					keysOfFamily(op.spec.fam)+").")
				continue
			}
			switch {
			case op.set != "" && !ki.multi:
				add(kat, "invalid", op.set+" applies to multi-valued keys only ("+KeyPrincipalGroups+"); "+ki.name+" has one value.")
			case op.set == "" && ki.multi && op.spec.fam != famNull:
				add(kat, "invalid", ki.name+" has many values: write ForAnyValue:"+opName+" or ForAllValues:"+opName+".")
			}
			if len(vals) == 0 || len(vals) > maxValuesPerElement {
				add(kat, "invalid", "Give between 1 and "+strconv.Itoa(maxValuesPerElement)+" values.")
			}
			for _, v := range vals {
				if msg := checkConditionValue(op.spec.fam, v); msg != "" {
					code := "invalid-value"
					if op.spec.fam == famIP {
						code = "invalid-cidr"
					}
					add(kat, code, msg)
				}
			}
		}
	}
}

// checkConditionValue returns what is wrong with one condition value.
func checkConditionValue(f opFamily, v string) string {
	switch f {
	case famIP:
		if _, err := parseCIDR(v); err != nil {
			return "Bad address or CIDR " + strconv.Quote(v) + "."
		}
	case famNumeric:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "Bad number " + strconv.Quote(v) + "."
		}
	case famDate:
		if _, ok := parseDate(v); !ok {
			return "Bad date " + strconv.Quote(v) + ": want RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31) or epoch seconds."
		}
	case famBool, famNull:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return "Want \"true\" or \"false\", got " + strconv.Quote(v) + "."
		}
	}
	return ""
}

// parseDate reads RFC 3339, a plain date (midnight UTC) or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// condTest is one operator on one key, with its values parsed once.
type condTest struct {
	op     condOp
	key    string // lower-cased
	values []string
	nums   []float64
	times  []time.Time
	bools  []bool
	nets   []netip.Prefix
}

func compileTest(opName, key string, vals []string) (condTest, bool) {
	op, ok := parseOp(opName)
	if !ok {
		return condTest{}, false
	}
	t := condTest{op: op, key: strings.ToLower(key), values: vals}
	for _, v := range vals {
		switch op.spec.fam {
		case famIP:
			p, err := parseCIDR(v)
			if err != nil {
				return condTest{}, false
			}
			t.nets = append(t.nets, p)
		case famNumeric:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return condTest{}, false
			}
			t.nums = append(t.nums, n)
		case famDate:
			d, ok := parseDate(v)
			if !ok {
				return condTest{}, false
			}
			t.times = append(t.times, d)
		case famBool, famNull:
			b, err := strconv.ParseBool(strings.ToLower(v))
			if err != nil {
				return condTest{}, false
			}
			t.bools = append(t.bools, b)
		}
	}
	return t, true
}

// holds evaluates the test against the request. A key missing from the
// request (or a multi-valued key with no values) passes IfExists and
// ForAllValues, fails ForAnyValue, passes a negated operator and fails
// the others, as in AWS.
func (t condTest) holds(ec *evalCtx) bool {
	vals := ec.vals[t.key]
	present := len(vals) > 0
	if t.op.spec.fam == famNull {
		for _, b := range t.bools {
			if b != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case t.op.ifExists, t.op.set == CondForAllValues:
			return true
		case t.op.set == CondForAnyValue:
			return false
		}
		return t.op.spec.negated
	}
	switch t.op.set {
	case CondForAnyValue:
		for _, v := range vals {
			if t.passes(v) {
				return true
			}
		}
		return false
	case CondForAllValues:
		for _, v := range vals {
			if !t.passes(v) {
				return false
			}
		}
		return true
	}
	return t.passes(vals[0])
}

// passes is one request value against the condition's values: any value
// may match; a negated operator passes when none does. A request value
// that does not parse matches nothing.
func (t condTest) passes(v string) bool {
	hit := false
	switch t.op.spec.fam {
	case famString:
		for _, x := range t.values {
			switch t.op.spec.cmp {
			case cmpEq:
				hit = hit || x == v
			case cmpEqFold:
				hit = hit || strings.EqualFold(x, v)
			case cmpLike:
				hit = hit || wildcardMatch(v, x)
			}
		}
	case famIP:
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.Unmap()
			for _, n := range t.nets {
				hit = hit || n.Contains(a)
			}
		}
	case famNumeric:
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			for _, x := range t.nums {
				hit = hit || compare(t.op.spec.cmp, cmpFloat(n, x))
			}
		}
	case famDate:
		if d, ok := parseDate(v); ok {
			for _, x := range t.times {
				hit = hit || compare(t.op.spec.cmp, d.Compare(x))
			}
		}
	case famBool:
		if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil {
			for _, x := range t.bools {
				hit = hit || b == x
			}
		}
	}
	return hit != t.op.spec.negated
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies c to the result of comparing the request value with a
// condition value (-1, 0, 1).
func compare(c cmp, r int) bool {
	switch c {
	case cmpEq:
		return r == 0
	case cmpLT:
		return r < 0
	case cmpLE:
		return r <= 0
	case cmpGT:
		return r > 0
	case cmpGE:
		return r >= 0
	}
	return false
}

// usesTime reports whether the test reads the clock, so decisions on it
// cannot be cached.
func (t condTest) usesTime() bool {
	return t.key == strings.ToLower(KeyCurrentTime) || t.key == strings.ToLower(KeyEpochTime)
}
