package authz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/turnpike/turnpike/backend/apierr"
)

// PolicyVersion is the only policy language version.
const PolicyVersion = "2012-10-17"

// Limits of a policy document.
const (
	MaxPolicyBytes      = 16 * 1024
	maxStatements       = 100
	maxValuesPerElement = 100
)

// Effects of a statement.
const (
	EffectAllow = "Allow"
	EffectDeny  = "Deny"
)

// Request context keys a condition can test.
const (
	// KeySourceIP is the caller's address (IPv4 or IPv6).
	KeySourceIP = "aws:SourceIp"
	// KeyPrincipalID is the calling user's id (usr_...).
	KeyPrincipalID = "turnpike:PrincipalId"
	// KeyPrincipalType is "User" for a console session and "AccessKey" for
	// an access key.
	KeyPrincipalType = "turnpike:PrincipalType"
	// KeyAccessKeyID is the access key's id (TPAK...); absent for sessions.
	KeyAccessKeyID = "turnpike:AccessKeyId"
	// KeyEmail is the calling user's email.
	KeyEmail = "turnpike:Email"
	// KeyTenantID is the calling principal's tenant.
	KeyTenantID = "turnpike:TenantId"
	// KeyStageName is the stage named by the resource
	// (apis/{apiId}/stages/{stageName}...); absent when the resource names
	// no single stage.
	KeyStageName = "apigw:StageName"
	// KeyCurrentTime is the time of the request, RFC 3339 in UTC, for the
	// Date operators.
	KeyCurrentTime = "aws:CurrentTime"
	// KeyEpochTime is the time of the request in seconds since 1970, for
	// the Date and Numeric operators.
	KeyEpochTime = "aws:EpochTime"
	// KeySecureTransport is "true" when the request came over TLS (to the
	// server, or to a trusted proxy that said so in X-Forwarded-Proto).
	KeySecureTransport = "aws:SecureTransport"
	// KeyPrincipalGroups holds the names of the calling user's groups: a
	// multi-valued key, tested with ForAnyValue: or ForAllValues:.
	KeyPrincipalGroups = "turnpike:PrincipalGroups"
)

// Principal types, the values of turnpike:PrincipalType.
const (
	PrincipalTypeUser      = "User"
	PrincipalTypeAccessKey = "AccessKey"
)

// ContextKeys lists the condition keys a policy may use.
// (aws:MultiFactorAuthPresent is not one: Turnpike has no MFA to report.)
var ContextKeys = []string{KeySourceIP, KeyPrincipalID, KeyPrincipalType, KeyAccessKeyID, KeyEmail, KeyTenantID, KeyStageName,
	KeyCurrentTime, KeyEpochTime, KeySecureTransport, KeyPrincipalGroups}

// PolicyVariables may appear in a Resource as ${key}; they are replaced by
// the request's value of that key (a statement whose variable has no value
// does not match).
var PolicyVariables = []string{KeyPrincipalID, KeyTenantID, KeyAccessKeyID}

// ErrPolicyInvalid is the 422 for a policy document that cannot be saved;
// its details name each problem by JSON path (Statement[0].Effect).
var ErrPolicyInvalid = apierr.Unprocessable("policy.invalid", "Invalid policy document.")

// Document is an IAM-style policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one rule of a document. It names either Action or
// NotAction (every action but those), and either Resource or NotResource
// (every resource of the tenant but those).
type Statement struct {
	Sid         string                           `json:"Sid,omitempty"`
	Effect      string                           `json:"Effect"`
	Action      StringList                       `json:"Action,omitempty"`
	NotAction   StringList                       `json:"NotAction,omitempty"`
	Resource    StringList                       `json:"Resource,omitempty"`
	NotResource StringList                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string]StringList `json:"Condition,omitempty"`
}

// StringList is a JSON string or array of strings.
type StringList []string

// UnmarshalJSON accepts "x" or ["x", "y"].
func (l *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("want a string or an array of strings")
	}
	*l = ss
	return nil
}

var (
	actionRE   = regexp.MustCompile(`^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$`)
	sidRE      = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	variableRE = regexp.MustCompile(`\$\{([^}]*)\}`)
)

// ParseDocument decodes and validates a policy document; every problem is
// a detail of one ErrPolicyInvalid.
func ParseDocument(raw []byte) (*Document, error) {
	if len(raw) > MaxPolicyBytes {
		return nil, ErrPolicyInvalid.WithDetail("document", "too-long", "Must be at most "+strconv.Itoa(MaxPolicyBytes)+" bytes.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var d Document
	if err := dec.Decode(&d); err != nil {
		return nil, ErrPolicyInvalid.WithDetail("document", "malformed", "Not a valid policy document: "+err.Error()+".")
	}
	if dec.More() {
		return nil, ErrPolicyInvalid.WithDetail("document", "malformed", "Trailing data after the document.")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// MustParseDocument parses a document known to be valid (managed policies).
func MustParseDocument(raw string) *Document {
	d, err := ParseDocument([]byte(raw))
	if err != nil {
		panic(fmt.Sprintf("invalid built-in policy: %v", err))
	}
	return d
}

// JSON renders the document.
func (d *Document) JSON() string {
	b, _ := json.Marshal(d)
	return string(b)
}

// Validate checks the document's shape, effects, actions, resources and
// conditions.
func (d *Document) Validate() error {
	e := ErrPolicyInvalid
	bad := false
	add := func(field, code, msg string) {
		if _, seen := e.Details[field]; !seen {
			e = e.WithDetail(field, code, msg)
			bad = true
		}
	}
	if d.Version != PolicyVersion {
		add("Version", "invalid", "Must be \""+PolicyVersion+"\".")
	}
	if len(d.Statement) == 0 {
		add("Statement", "required", "Give at least one statement.")
	}
	if len(d.Statement) > maxStatements {
		add("Statement", "too-many", "At most "+strconv.Itoa(maxStatements)+" statements.")
	}
	for i, s := range d.Statement {
		at := "Statement[" + strconv.Itoa(i) + "]."
		if !sidRE.MatchString(s.Sid) || len(s.Sid) > 128 {
			add(at+"Sid", "invalid", "Letters and digits only, at most 128.")
		}
		if s.Effect != EffectAllow && s.Effect != EffectDeny {
			add(at+"Effect", "invalid", "Must be \"Allow\" or \"Deny\", got "+strconv.Quote(s.Effect)+".")
		}
		validateElements(at, "Action", "NotAction", s.Action, s.NotAction, add, func(a string) string {
			if a != "*" && !actionRE.MatchString(a) {
				return "Bad action " + strconv.Quote(a) + ": want service:Operation (wildcards * and ? allowed), e.g. apigw:Get*."
			}
			return ""
		})
		validateElements(at, "Resource", "NotResource", s.Resource, s.NotResource, add, checkResource)
		validateCondition(at, s.Condition, add)
	}
	if bad {
		return e
	}
	return nil
}

// validateElements checks a pair such as Action/NotAction: exactly one is
// given, with at most maxValuesPerElement values that each pass check.
func validateElements(at, name, notName string, list, notList StringList, add func(field, code, msg string), check func(string) string) {
	switch {
	case list != nil && notList != nil:
		add(at+notName, "conflict", "Give "+name+" or "+notName+", not both.")
	case len(list) == 0 && len(notList) == 0:
		add(at+name, "required", "Give at least one value in "+name+" (or "+notName+" for all but some).")
	}
	for field, vals := range map[string]StringList{name: list, notName: notList} {
		if len(vals) > maxValuesPerElement {
			add(at+field, "too-many", "At most "+strconv.Itoa(maxValuesPerElement)+" values.")
		}
		for _, v := range vals {
			if msg := check(v); msg != "" {
				add(at+field, "invalid", msg)
			}
		}
	}
}

func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	rest, ok := strings.CutPrefix(r, TRNPrefix)
	if !ok {
		return "Bad resource " + strconv.Quote(r) + ": want \"*\" or trn:turnpike:<tenantId>:<path>, e.g. trn:turnpike:*:apis/*/stages/dev."
	}
	tenant, path, ok := strings.Cut(rest, ":")
	if !ok || tenant == "" || path == "" {
		return "Bad resource " + strconv.Quote(r) + ": want trn:turnpike:<tenantId>:<path>."
	}
	for _, m := range variableRE.FindAllStringSubmatch(r, -1) {
		known := false
		for _, v := range PolicyVariables {
			known = known || m[1] == v
		}
		if !known {
			return "Unknown policy variable " + strconv.Quote(m[0]) + "; known: ${" + strings.Join(PolicyVariables, "}, ${") + "}."
		}
	}
	return ""
}

// IsContextKey reports whether k names a condition key (any case).
func IsContextKey(k string) bool {
	_, ok := lookupKey(k)
	return ok
}

// IsMultiValuedKey reports whether k names a key holding a set of values.
func IsMultiValuedKey(k string) bool {
	ki, ok := lookupKey(k)
	return ok && ki.multi
}

// parseCIDR accepts a CIDR or a single address (a /32 or /128).
func parseCIDR(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
