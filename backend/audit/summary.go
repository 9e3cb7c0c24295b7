package audit

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Redacted replaces secret values in summaries.
const Redacted = "[REDACTED]"

// maxSummary bounds a stored request summary.
const maxSummary = 4096

// secretWords mark a JSON field or query parameter as secret when its
// lower-cased name contains one of them.
var secretWords = []string{"password", "token", "secret", "authorization", "credential", "cookie", "privatekey", "private_key"}

// IsSecretField reports whether a field of this name holds a secret.
func IsSecretField(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Summarize returns JSON of the query and the body of a request with every
// secret replaced by Redacted: {"query":{...},"body":...}. A body that is
// not JSON is described by its size only, so no secret can leak through it.
func Summarize(query url.Values, contentType string, body []byte) string {
	out := map[string]any{}
	if len(query) > 0 {
		q := map[string]any{}
		for k, vs := range query {
			if IsSecretField(k) {
				q[k] = Redacted
				continue
			}
			if len(vs) == 1 {
				q[k] = vs[0]
			} else {
				q[k] = vs
			}
		}
		out["query"] = q
	}
	if len(body) > 0 {
		var v any
		if err := json.Unmarshal(body, &v); err == nil {
			out["body"] = redact(v)
		} else {
			out["body"] = map[string]any{"contentType": contentType, "bytes": len(body)}
		}
	}
	if len(out) == 0 {
		return ""
	}
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	if len(b) > maxSummary {
		b, _ = json.Marshal(map[string]any{"truncated": true, "bytes": len(body)})
	}
	return string(b)
}

func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if IsSecretField(k) {
				x[k] = Redacted
				continue
			}
			x[k] = redact(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = redact(x[i])
		}
		return x
	default:
		return v
	}
}
