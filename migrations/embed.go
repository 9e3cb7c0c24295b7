// Package migrations holds the versioned SQL schema, one directory per
// dialect. Files only move forward: never edit one that has been merged.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
