// Package validate is the request-validation stage of REST APIs: it checks
// the required method request parameters and the JSON body against the
// route's compiled model before the integration is called, and answers 400
// as API Gateway does.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/turnpike/turnpike/gateway/pipeline"
	"github.com/turnpike/turnpike/gateway/router"
)

// MaxBody is the largest body the stage reads to validate (API Gateway's
// payload limit).
const MaxBody = 10 << 20

// maxDetails bounds the schema failures reported in the answer.
const maxDetails = 5

// CodeInvalid labels validation failures in logs.
const CodeInvalid = "bad_request_parameters"

// New returns the validation stage. Routes without a validator pass
// through untouched.
func New() pipeline.Stage {
	return func(next pipeline.Handler) pipeline.Handler {
		return pipeline.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
			ex := pipeline.ExchangeFrom(r.Context())
			if ex.Match.Route == nil || ex.Match.Route.Validation == nil {
				return next.ServeHTTP(w, r)
			}
			if err := Check(r, &ex.Match, ex.Match.Route.Validation); err != nil {
				return err
			}
			return next.ServeHTTP(w, r)
		})
	}
}

// Check validates r; on success the body (if read) is put back for the
// integration.
func Check(r *http.Request, m *router.Match, v *router.Validation) error {
	if missing := Missing(r, m, v.Required); len(missing) > 0 {
		body, _ := json.Marshal(map[string]string{
			"message": "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"})
		return &pipeline.HandlerError{Status: http.StatusBadRequest, Code: CodeInvalid, Body: body,
			Err: fmt.Errorf("missing required request parameters %v", missing)}
	}
	if v.Schema == nil {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return &pipeline.HandlerError{Status: http.StatusBadRequest, Code: CodeInvalid, Err: fmt.Errorf("reading body: %w", err)}
	}
	if len(raw) > MaxBody {
		return pipeline.Errorf(http.StatusRequestEntityTooLarge, CodeInvalid, "body over %d bytes", MaxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	r.ContentLength = int64(len(raw))
	if details := Body(v.Schema, raw); details != nil {
		body, _ := json.Marshal(struct {
			Message string   `json:"message"`
			Details []string `json:"details"`
		}{"Invalid request body", details})
		return &pipeline.HandlerError{Status: http.StatusBadRequest, Code: CodeInvalid, Body: body,
			Err: errors.New("invalid request body: " + strings.Join(details, "; "))}
	}
	return nil
}

// Missing returns the required parameters r lacks, in the validator's
// order. A parameter present but empty counts as missing, as in API
// Gateway.
func Missing(r *http.Request, m *router.Match, required []router.RequiredParam) []string {
	var missing []string
	var query map[string][]string
	for _, p := range required {
		ok := false
		switch p.Kind {
		case "header":
			ok = r.Header.Get(p.Name) != ""
		case "querystring":
			if query == nil {
				query = r.URL.Query()
			}
			ok = len(query[p.Name]) > 0 && query[p.Name][0] != ""
		case "path":
			v, found := m.Param(p.Name)
			ok = found && v != ""
		}
		if !ok {
			missing = append(missing, p.Name)
		}
	}
	return missing
}

// Body validates a JSON body against a schema; it returns nil when the
// body is valid, else up to maxDetails failures ("/name: ...").
func Body(s *jsonschema.Schema, raw []byte) []string {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []string{"body is not valid JSON"}
	}
	err = s.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var out []string
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		loc := u.InstanceLocation
		if loc == "" {
			loc = "/"
		}
		msg := u.Error.String()
		if strings.HasPrefix(msg, "validation failed") || strings.HasPrefix(msg, "doesn't validate with") {
			continue // a summary line, not a failure
		}
		out = append(out, loc+": "+msg)
		if len(out) == maxDetails {
			break
		}
	}
	if len(out) == 0 {
		out = []string{ve.Error()}
	}
	return out
}
