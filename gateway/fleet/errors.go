package fleet

import "errors"

// ErrNotFound is returned for a stage that is not published.
var ErrNotFound = errors.New("fleet: stage not published")
