package api

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"

	"github.com/gin-gonic/gin"
)

var bodyFieldRE = regexp.MustCompile(`\{body\.([A-Za-z0-9_]+)\}`)

// expandBodyFields fills {body.name} in a resource pattern with the string
// field name of the request's JSON body, so that a route whose target is
// chosen in the body (the stage of a deployment) is authorized on that
// target, not on every possible one. The body is read (bounded) and put
// back for the handler. A missing or non-string field becomes "": no
// policy naming a concrete resource matches it, and the handler rejects
// the request anyway.
func expandBodyFields(pattern string, c *gin.Context) string {
	var fields map[string]json.RawMessage
	if c.Request.Body != nil {
		raw, err := io.ReadAll(io.LimitReader(c.Request.Body, maxBodyBytes+1))
		_ = c.Request.Body.Close()
		c.Request.Body = io.NopCloser(bytes.NewReader(raw))
		if err == nil && len(raw) <= maxBodyBytes {
			_ = json.Unmarshal(raw, &fields)
		}
	}
	return bodyFieldRE.ReplaceAllStringFunc(pattern, func(m string) string {
		name := bodyFieldRE.FindStringSubmatch(m)[1]
		var s string
		if v, ok := fields[name]; ok && json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	})
}
