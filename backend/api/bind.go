package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/turnpike/turnpike/backend/apierr"
)

// maxBodyBytes bounds management request bodies.
const maxBodyBytes = 1 << 20

var (
	errMalformedJSON = apierr.BadRequest("request.malformed", "The request body is not valid JSON.")
	errUnknownField  = apierr.BadRequest("request.unknown-field", "The request body has a field this operation does not accept.")
	errBodyTooLarge  = apierr.BadRequest("request.too-large", "The request body is larger than 1 MiB.")
)

// BindJSON decodes the body strictly into dst: unknown fields, trailing data
// and malformed JSON are 400s that name the problem.
func BindJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge
		}
		return errMalformedJSON.Errorf("reading body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errMalformedJSON.WithMessage("The request body is empty; a JSON object is required.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return errMalformedJSON.WithMessage("The request body is not valid JSON (at byte %d).", se.Offset)
		case errors.As(err, &te):
			return errMalformedJSON.WithMessage("Field %q must be %s.", te.Field, te.Type.String()).
				WithDetail(te.Field, "type", fmt.Sprintf("must be %s", te.Type.String()))
		case len(err.Error()) > 20 && err.Error()[:20] == "json: unknown field ":
			field := err.Error()[21 : len(err.Error())-1]
			return errUnknownField.WithMessage("Unknown field %q.", field).WithDetail(field, "unknown", "is not a field of this request")
		default:
			return errMalformedJSON.Errorf("decoding body: %w", err)
		}
	}
	if dec.More() {
		return errMalformedJSON.WithMessage("The request body has data after the JSON object.")
	}
	return nil
}
