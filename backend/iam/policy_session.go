package iam

import (
	"errors"

	"github.com/turnpike/turnpike/backend/apierr"
	"github.com/turnpike/turnpike/backend/authz"
)

// checkSessionPolicy records each problem of an access key's session
// policy as a sessionPolicy.* detail.
func checkSessionPolicy(v *fieldErrors, doc string) {
	_, err := authz.ParseDocument([]byte(doc))
	if err == nil {
		return
	}
	var ae *apierr.Error
	if !errors.As(err, &ae) || len(ae.Details) == 0 {
		v.check(false, "sessionPolicy", "invalid", "Not a valid policy document.")
		return
	}
	for field, d := range ae.Details {
		if field == "document" {
			field = ""
		} else {
			field = "." + field
		}
		v.check(false, "sessionPolicy"+field, d.Code, d.Message)
	}
}
