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

// Condition operators.
const (
	CondIPAddress                 = "IpAddress"
	CondNotIPAddress              = "NotIpAddress"
	CondStringEquals              = "StringEquals"
	CondStringNotEquals           = "StringNotEquals"
	CondStringEqualsIgnoreCase    = "StringEqualsIgnoreCase"
	CondStringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
	CondStringLike                = "StringLike"
	CondStringNotLike             = "StringNotLike"
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
)

// Principal types, the values of turnpike:PrincipalType.
const (
	PrincipalTypeUser      = "User"
	PrincipalTypeAccessKey = "AccessKey"
)

// ContextKeys lists the condition keys a policy may use.
var ContextKeys = []string{KeySourceIP, KeyPrincipalID, KeyPrincipalType, KeyAccessKeyID, KeyEmail, KeyTenantID, KeyStageName}

// PolicyVariables may appear in a Resource as ${key}; they are replaced by
// the request's value of that key (a statement whose variable has no value
// does not match).
var PolicyVariables = []string{KeyPrincipalID, KeyTenantID, KeyAccessKeyID}

var conditionOps = map[string]bool{
	CondIPAddress: true, CondNotIPAddress: true, CondStringEquals: true, CondStringNotEquals: true,
	CondStringEqualsIgnoreCase: true, CondStringNotEqualsIgnoreCase: true, CondStringLike: true, CondStringNotLike: true,
}

// ErrPolicyInvalid is the 422 for a policy document that cannot be saved;
// its details name each problem by JSON path (Statement[0].Effect).
var ErrPolicyInvalid = apierr.Unprocessable("policy.invalid", "Invalid policy document.")

// Document is an IAM-style policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one rule of a document.
type Statement struct {
	Sid       string                           `json:"Sid,omitempty"`
	Effect    string                           `json:"Effect"`
	Action    StringList                       `json:"Action"`
	Resource  StringList                       `json:"Resource"`
	Condition map[string]map[string]StringList `json:"Condition,omitempty"`
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
		if len(s.Action) == 0 {
			add(at+"Action", "required", "Give at least one action.")
		}
		if len(s.Action) > maxValuesPerElement || len(s.Resource) > maxValuesPerElement {
			add(at+"Action", "too-many", "At most "+strconv.Itoa(maxValuesPerElement)+" actions and resources.")
		}
		for _, a := range s.Action {
			if a != "*" && !actionRE.MatchString(a) {
				add(at+"Action", "invalid", "Bad action "+strconv.Quote(a)+": want service:Operation (wildcards * and ? allowed), e.g. apigw:Get*.")
			}
		}
		if len(s.Resource) == 0 {
			add(at+"Resource", "required", "Give at least one resource.")
		}
		for _, r := range s.Resource {
			if msg := checkResource(r); msg != "" {
				add(at+"Resource", "invalid", msg)
			}
		}
		for op, keys := range s.Condition {
			cat := at + "Condition." + op
			if !conditionOps[op] {
				add(cat, "unknown-operator", "Unknown condition operator "+strconv.Quote(op)+"; known: IpAddress, NotIpAddress, StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike.")
				continue
			}
			if len(keys) == 0 {
				add(cat, "required", "Give at least one condition key.")
			}
			for key, vals := range keys {
				kat := cat + "." + key
				if !isContextKey(key) {
					add(kat, "unknown-key", "Unknown condition key "+strconv.Quote(key)+"; known: "+strings.Join(ContextKeys, ", ")+".")
					continue
				}
				if len(vals) == 0 || len(vals) > maxValuesPerElement {
					add(kat, "invalid", "Give between 1 and "+strconv.Itoa(maxValuesPerElement)+" values.")
				}
				if op == CondIPAddress || op == CondNotIPAddress {
					if key != KeySourceIP {
						add(kat, "invalid", op+" applies to aws:SourceIp only.")
					}
					for _, v := range vals {
						if _, err := parseCIDR(v); err != nil {
							add(kat, "invalid-cidr", "Bad address or CIDR "+strconv.Quote(v)+".")
						}
					}
				}
			}
		}
	}
	if bad {
		return e
	}
	return nil
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

func isContextKey(k string) bool {
	for _, c := range ContextKeys {
		if strings.EqualFold(c, k) {
			return true
		}
	}
	return false
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
